// The rarer L3 parsers of flow-key extraction, IPv6 and ARP (IPv4 and L4 are
// inline in flow_extract.h; see there for the rules).
//
// Each parser checks the length of a header once, before it reads any field
// of it, and stops at the first header that is not complete: the key keeps
// what came before. Ports are copied as raw bytes (the key stores them in
// network order), which the compiler merges into one 4-byte copy.
#include "datapath/flow_extract.h"

#include <algorithm>

namespace strata::datapath::detail {

namespace {

// IPv6 extension headers that extract_ipv6 skips to reach the L4 header.
constexpr uint8_t kIpv6HopByHop = 0;
constexpr uint8_t kIpv6Routing = 43;
constexpr uint8_t kIpv6Fragment = 44;
constexpr uint8_t kIpv6Auth = 51;
constexpr uint8_t kIpv6DestOpts = 60;

constexpr uint8_t kNdOptSourceLinkAddr = 1;
constexpr uint8_t kNdOptTargetLinkAddr = 2;
constexpr uint32_t kNdOptionsOffset = 24;  // ICMPv6 header (4) + flags (4) + target (16)

}  // namespace

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
      extract_l4(p + off, end - off, next, IpVersion::kV6, key);
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
