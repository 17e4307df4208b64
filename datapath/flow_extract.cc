// The L3/L4 half of flow-key extraction (see flow_extract.h for the rules).
//
// Each parser checks the length of a header once, before it reads any field
// of it, and stops at the first header that is not complete: the key keeps
// what came before. Ports are copied as raw bytes (the key stores them in
// network order), which the compiler merges into one 4-byte copy.
#include "datapath/flow_extract.h"

#include <algorithm>

namespace strata::datapath::detail {

namespace {

inline uint32_t load_be32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap32(v);
}

// IPv6 extension headers that extract_ipv6 skips to reach the L4 header.
constexpr uint8_t kIpv6HopByHop = 0;
constexpr uint8_t kIpv6Routing = 43;
constexpr uint8_t kIpv6Fragment = 44;
constexpr uint8_t kIpv6Auth = 51;
constexpr uint8_t kIpv6DestOpts = 60;

// ICMPv6 neighbour discovery (RFC 4861).
constexpr uint8_t kNdSolicit = 135;
constexpr uint8_t kNdAdvert = 136;
constexpr uint8_t kNdOptSourceLinkAddr = 1;
constexpr uint8_t kNdOptTargetLinkAddr = 2;
constexpr uint32_t kNdOptionsOffset = 24;  // ICMPv6 header (4) + flags (4) + target (16)

// The fixed part of each L4 header; a shorter remainder leaves the L4
// fields zero.
constexpr uint32_t kTcpHeaderLen = 20;
constexpr uint32_t kUdpHeaderLen = 8;
constexpr uint32_t kSctpHeaderLen = 12;
constexpr uint32_t kIcmpHeaderLen = 8;    // type, code, checksum, rest-of-header
constexpr uint32_t kIcmpv6HeaderLen = 4;  // type, code, checksum

// Neighbour discovery options: the link-layer address option of a solicit
// (source) or an advert (target) goes to arp_sha / arp_tha. Only 8-byte
// options carry an Ethernet address; a zero-length option is malformed and
// ends the walk (it would otherwise never advance).
void extract_nd_options(const uint8_t* p, uint32_t len, uint8_t icmp_type, FlowKey* key) {
  uint32_t off = kNdOptionsOffset;
  while (len >= off + 8) {
    const uint8_t type = p[off];
    const uint32_t opt_len = uint32_t{p[off + 1]} * 8;
    if (opt_len == 0 || opt_len > len - off) break;
    if (opt_len == 8) {
      if (type == kNdOptSourceLinkAddr && icmp_type == kNdSolicit) {
        std::memcpy(key->arp_sha, p + off + 2, 6);
      } else if (type == kNdOptTargetLinkAddr && icmp_type == kNdAdvert) {
        std::memcpy(key->arp_tha, p + off + 2, 6);
      }
    }
    off += opt_len;
  }
}

// Source and destination port, kept in network order as on the wire.
inline void copy_ports(const uint8_t* p, FlowKey* key) {
  std::memcpy(&key->tp_src, p, 2);
  std::memcpy(&key->tp_dst, p + 2, 2);
}

// The L4 header at `p`, `len` bytes readable (already bounded by the IP
// length, so Ethernet padding is never read as L4 data).
void extract_l4(const uint8_t* p, uint32_t len, uint8_t proto, FlowKey* key) {
  switch (proto) {
    case kIpProtoTcp:
      if (len >= kTcpHeaderLen) {
        copy_ports(p, key);
        key->tcp_flags = load_be16(p + 12) & 0x0fff;
      }
      break;
    case kIpProtoUdp:
      if (len >= kUdpHeaderLen) copy_ports(p, key);
      break;
    case kIpProtoSctp:
      if (len >= kSctpHeaderLen) copy_ports(p, key);
      break;
    case kIpProtoIcmp:
      if (len >= kIcmpHeaderLen) {
        key->tp_src = p[0];
        key->tp_dst = p[1];
      }
      break;
    case kIpProtoIcmpv6:
      if (len >= kIcmpv6HeaderLen) {
        key->tp_src = p[0];
        key->tp_dst = p[1];
        if ((p[0] == kNdSolicit || p[0] == kNdAdvert) && p[1] == 0) extract_nd_options(p, len, p[0], key);
      }
      break;
    default: break;
  }
}

}  // namespace

void extract_ipv4(const uint8_t* p, uint32_t len, FlowKey* key) {
  if (len < 20) return;
  const uint32_t ihl = uint32_t{p[0] & 0x0fu} * 4;
  // Not IPv4 as we know it: leave every L3 field zero rather than guess.
  if ((p[0] >> 4) != 4 || ihl < 20) return;

  key->ip_tos = p[1];
  key->ip_ttl = p[8];
  key->ip_proto = p[9];
  std::memcpy(&key->nw_src, p + 12, 4);
  std::memcpy(&key->nw_dst, p + 16, 4);

  const uint16_t frag = load_be16(p + 6);
  if (frag & 0x3fff) [[unlikely]] {  // MF or a non-zero offset
    key->ip_frag = kFragAny;
    if (frag & 0x1fff) {
      key->ip_frag = kFragAny | kFragLater;
      return;  // no L4 header in a later fragment
    }
  }
  // The total length bounds the packet: bytes after it are Ethernet padding.
  const uint32_t end = std::min<uint32_t>(len, load_be16(p + 2));
  if (end < ihl) return;  // options cut off: no L4
  extract_l4(p + ihl, end - ihl, key->ip_proto, key);
}

void extract_ipv6(const uint8_t* p, uint32_t len, FlowKey* key) {
  if (len < 40) return;
  const uint32_t ver_tc_label = load_be32(p);
  if ((ver_tc_label >> 28) != 6) return;

  key->ip_tos = static_cast<uint8_t>(ver_tc_label >> 20);
  key->ipv6_label = ver_tc_label & 0xfffff;
  key->ip_ttl = p[7];
  std::memcpy(key->ipv6_src, p + 8, 16);
  std::memcpy(key->ipv6_dst, p + 24, 16);

  const uint32_t end = std::min<uint32_t>(len, 40 + uint32_t{load_be16(p + 4)});
  uint32_t off = 40;
  uint8_t next = p[6];
  // Skip extension headers. Each is at least 8 bytes, so the walk is
  // bounded by the packet length. A header that is cut off ends the walk
  // with ip_proto naming it: the key keeps what was complete.
  for (;;) {
    if (next == kIpv6HopByHop || next == kIpv6Routing || next == kIpv6DestOpts || next == kIpv6Auth) {
      if (end - off < 8) break;
      const uint32_t hdr_len = next == kIpv6Auth ? (uint32_t{p[off + 1]} + 2) * 4
                                                 : (uint32_t{p[off + 1]} + 1) * 8;
      if (end - off < hdr_len) break;
      next = p[off];
      off += hdr_len;
    } else if (next == kIpv6Fragment) {
      if (end - off < 8) break;
      const uint16_t offlg = load_be16(p + off + 2);  // offset:13, res:2, M:1
      next = p[off];
      off += 8;
      if (offlg & 0xfff8) {  // a later fragment: no L4 header here
        key->ip_frag = kFragAny | kFragLater;
        key->ip_proto = next;
        return;
      }
      // An "atomic fragment" (offset 0, M 0) is a whole packet, as in OVS.
      if (offlg & 1) key->ip_frag = kFragAny;
    } else {
      key->ip_proto = next;
      extract_l4(p + off, end - off, next, key);
      return;
    }
  }
  key->ip_proto = next;
}

void extract_arp(const uint8_t* p, uint32_t len, FlowKey* key) {
  // Only Ethernet/IPv4 ARP has the fields the key holds.
  if (len < 28) return;
  if (load_be16(p) != 1 || load_be16(p + 2) != kEthTypeIpv4 || p[4] != 6 || p[5] != 4) return;
  const uint16_t op = load_be16(p + 6);
  key->arp_op = op;
  key->ip_proto = static_cast<uint8_t>(op);
  std::memcpy(key->arp_sha, p + 8, 6);
  std::memcpy(&key->nw_src, p + 14, 4);
  std::memcpy(key->arp_tha, p + 18, 6);
  std::memcpy(&key->nw_dst, p + 24, 4);
}

}  // namespace strata::datapath::detail
