// Flow-key extraction: the first thing a PMD thread does with every frame.
//
// extract_flow_key() reads a frame once, front to back, and fills every field
// of a FlowKey (flow_key.h); a field the frame does not carry is zero. The
// Ethernet header and the tag stack are parsed here, inline, because every
// frame needs them, and so are IPv4 and its L4 headers, the common case;
// IPv6 and ARP live in flow_extract.cc and run only for their ethertypes.
//
// What is malformed and what is not:
//  - kRunt, kTruncatedTag, kTooManyTags: the frame cannot be classified at
//    all (no complete Ethernet header, or a tag stack that is cut off or
//    deeper than l2tags::kMaxTags). The caller counts and drops it; the key
//    is then partly filled and must not be used.
//  - A truncated or odd L3/L4 header is *not* malformed (as in OVS): the key
//    keeps every header that was complete and leaves the rest zero, so such
//    frames still reach the pipeline, which may match on what was parsed.
//
// Field encodings (see also flow_key.h):
//  - IPv4/ARP addresses and L4 ports: network byte order, as on the wire.
//  - ICMP / ICMPv6: tp_src = type, tp_dst = code, as plain numbers.
//  - tcp_flags, arp_op, ipv6_label, tags: host byte order.
//  - ip_frag: kFragAny for any fragment, | kFragLater when its offset is not
//    zero. L4 fields are read only from unfragmented packets and first
//    fragments (a later fragment carries no L4 header).
//  - eth_type below 0x0600 (an 802.3 length) is kept as it is; nothing after
//    it is parsed.
//
// Hot-path rules: no allocation, no exceptions, no byte read at or beyond
// `len`, unaligned loads through memcpy (frames start anywhere in a buffer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "datapath/flow_key.h"
#include "l2tags/tag.h"
#include "l2tags/tpid_set.h"

namespace strata::datapath {

enum class ExtractResult : uint8_t {
  kOk,            // the key is complete
  kRunt,          // shorter than an untagged Ethernet header (14 bytes)
  kTruncatedTag,  // a TPID announces a tag but its TCI or the type after it is cut off
  kTooManyTags,   // more than l2tags::kMaxTags tags
};

constexpr const char* to_string(ExtractResult r) {
  switch (r) {
    case ExtractResult::kOk: return "ok";
    case ExtractResult::kRunt: return "runt frame";
    case ExtractResult::kTruncatedTag: return "truncated tag";
    case ExtractResult::kTooManyTags: return "too many tags";
  }
  return "unknown extract result";
}

inline constexpr uint16_t kEthTypeIpv4 = 0x0800;
inline constexpr uint16_t kEthTypeArp = 0x0806;
inline constexpr uint16_t kEthTypeIpv6 = 0x86dd;

inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint8_t kIpProtoIcmpv6 = 58;
inline constexpr uint8_t kIpProtoSctp = 132;

namespace detail {

// Big-endian 16-bit load from any address: one load + one byte swap.
inline uint16_t load_be16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap16(v);
}

inline uint32_t load_be32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap32(v);
}

// The fixed part of each L4 header; a shorter remainder leaves the L4
// fields zero.
inline constexpr uint32_t kTcpHeaderLen = 20;
inline constexpr uint32_t kUdpHeaderLen = 8;
inline constexpr uint32_t kSctpHeaderLen = 12;
inline constexpr uint32_t kIcmpHeaderLen = 8;    // type, code, checksum, rest-of-header
inline constexpr uint32_t kIcmpv6HeaderLen = 4;  // type, code, checksum

// ICMPv6 neighbour discovery (RFC 4861).
inline constexpr uint8_t kNdSolicit = 135;
inline constexpr uint8_t kNdAdvert = 136;

// Out of line, for the rarer headers: `l3` points just after the ethertype
// field and `len` bytes are readable from there.
void extract_ipv6(const uint8_t* l3, uint32_t len, FlowKey* key);
void extract_arp(const uint8_t* l3, uint32_t len, FlowKey* key);
// The link-layer address options of a neighbour solicit / advert at `p`.
void extract_nd_options(const uint8_t* p, uint32_t len, uint8_t icmp_type, FlowKey* key);

// Source and destination port, kept in network order as on the wire.
inline void copy_ports(const uint8_t* p, FlowKey* key) {
  std::memcpy(&key->tp_src, p, 2);
  std::memcpy(&key->tp_dst, p + 2, 2);
}

enum class IpVersion : uint8_t { kV4, kV6 };

// Word 8 of the key (tp_src, tp_dst, tcp_flags; arp_op is 0 in an IP
// frame) for the L4 header at `p`, `len` bytes readable (already bounded by
// the IP length, so Ethernet padding is never read as L4 data). Both
// parsers take it from here: the general one through extract_l4, the
// plain-IPv4 one while composing its key in registers. ICMP belongs to IPv4
// and ICMPv6 to IPv6 (as in OVS, and as the OpenFlow prerequisites of their
// fields say): the other version's frame with that protocol number gets no
// L4 fields. Little-endian: a field's first byte is the low byte.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "l4_word composes a little-endian word");
inline uint64_t load_le32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline uint64_t l4_word(const uint8_t* p, uint32_t len, uint8_t proto, IpVersion version) {
  const auto type_code = [p] { return uint64_t{p[0]} | uint64_t{p[1]} << 16; };  // host-order values
  switch (proto) {
    case kIpProtoTcp:  // ports as on the wire, flags in host order
      return len >= kTcpHeaderLen ? load_le32(p) | uint64_t{load_be16(p + 12) & 0x0fffu} << 32 : 0;
    case kIpProtoUdp: return len >= kUdpHeaderLen ? load_le32(p) : 0;
    case kIpProtoSctp: return len >= kSctpHeaderLen ? load_le32(p) : 0;
    case kIpProtoIcmp: return version == IpVersion::kV4 && len >= kIcmpHeaderLen ? type_code() : 0;
    case kIpProtoIcmpv6: return version == IpVersion::kV6 && len >= kIcmpv6HeaderLen ? type_code() : 0;
    default: return 0;
  }
}
static_assert(offsetof(FlowKey, tp_src) == 8 * sizeof(KeyWord) && offsetof(FlowKey, tp_dst) == 66 &&
              offsetof(FlowKey, tcp_flags) == 68 && offsetof(FlowKey, arp_op) == 70,
              "l4_word is the key's word 8");

// The L4 fields of a key the general path has zeroed. Inline with IPv4:
// most frames that take the general path still take this, and a call would
// cost more than the parse. A neighbour solicit / advert also carries the
// link-layer address options.
inline void extract_l4(const uint8_t* p, uint32_t len, uint8_t proto, IpVersion version, FlowKey* key) {
  key->words()[8] = l4_word(p, len, proto, version);
  if (proto == kIpProtoIcmpv6 && version == IpVersion::kV6 && len >= kIcmpv6HeaderLen &&
      (p[0] == kNdSolicit || p[0] == kNdAdvert) && p[1] == 0) {
    extract_nd_options(p, len, p[0], key);
  }
}

inline void extract_ipv4(const uint8_t* p, uint32_t len, FlowKey* key) {
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
  const uint32_t tot = load_be16(p + 2);
  const uint32_t end = len < tot ? len : tot;
  if (end < ihl) return;  // options cut off: no L4
  extract_l4(p + ihl, end - ihl, key->ip_proto, IpVersion::kV4, key);
}

inline uint64_t load_le64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The frame most traffic is: untagged IPv4 with a 20-byte header, not a
// fragment, carrying TCP, UDP, SCTP or ICMP (or a protocol the key has no
// L4 fields for). Its key is composed in registers, six words, and stored
// whole: the general path below zeroes 128 bytes and then writes a dozen
// fields of 1 to 6 bytes into them. Returns false, having written nothing,
// for any other frame; the general path then parses it, and
// fuzz_flow_extract checks that both paths give the same key. `len` is at
// least 14 and the type field (bytes 12-13) is IPv4 and no TPID.
inline bool extract_plain_ipv4(const uint8_t* frame, uint32_t len, uint32_t in_port, FlowKey* key) {
  constexpr uint32_t kL3 = 14, kIhl = 20;
  if (len < kL3 + kIhl) return false;
  const uint8_t* ip = frame + kL3;
  if (ip[0] != 0x45 || (load_be16(ip + 6) & 0x3fff) != 0) return false;
  const uint32_t tot = load_be16(ip + 2);
  const uint32_t end = len - kL3 < tot ? len - kL3 : tot;  // bytes after tot are padding
  const uint32_t l4_len = end < kIhl ? 0 : end - kIhl;
  const uint8_t proto = ip[9];
  const uint64_t ports = l4_word(ip + kIhl, l4_len, proto, IpVersion::kV4);  // word 8
  constexpr uint64_t kMac = (uint64_t{1} << 48) - 1;
  // Little-endian words: the first byte of a field is the low byte.
  const uint64_t w0 = in_port | uint64_t{kEthTypeIpv4} << 32 | uint64_t{proto} << 56;  // tag_depth 0
  const uint64_t w1 = (load_le64(frame) & kMac) | uint64_t{ip[1]} << 48;                // ip_frag 0
  const uint64_t w2 = (load_le64(frame + 6) & kMac) | uint64_t{ip[8]} << 48;            // pad0 0
  const uint64_t w7 = load_le64(ip + 12);                                                 // nw_src, nw_dst
  KeyWord* w = key->words();
  w[0] = w0, w[1] = w1, w[2] = w2, w[3] = 0, w[4] = 0, w[5] = 0, w[6] = 0, w[7] = w7;
  w[8] = ports, w[9] = 0, w[10] = 0, w[11] = 0, w[12] = 0, w[13] = 0, w[14] = 0, w[15] = 0;
  return true;
}

}  // namespace detail

// extract_flow_key() (below) for any frame, one header after the other.
inline ExtractResult extract_flow_key_general(const uint8_t* frame, uint32_t len, uint32_t in_port,
                                              const l2tags::TpidSet& tpids, FlowKey* key) {
  // Zeroing all 128 bytes up front (a few vector stores) is cheaper than
  // zeroing the fields a frame lacks one by one, and makes "absent = 0" hold
  // on every path out of the parsers.
  key->clear();
  key->in_port = in_port;
  if (len < 14) [[unlikely]] {
    return ExtractResult::kRunt;
  }
  std::memcpy(key->eth_dst, frame, 6);
  std::memcpy(key->eth_src, frame + 6, 6);

  uint32_t off = 12;  // the type field under inspection
  uint16_t type = detail::load_be16(frame + off);
  int depth = 0;
  while (tpids.contains(type)) {
    if (depth == l2tags::kMaxTags) [[unlikely]] {
      return ExtractResult::kTooManyTags;
    }
    // The tag's TCI and the type field after it must both be in the frame.
    if (len < off + 6) [[unlikely]] {
      return ExtractResult::kTruncatedTag;
    }
    key->tags[depth] = KeyTag{type, detail::load_be16(frame + off + 2)};
    ++depth;
    off += 4;
    type = detail::load_be16(frame + off);
  }
  key->tag_depth = static_cast<uint8_t>(depth);
  key->eth_type = type;

  const uint8_t* l3 = frame + off + 2;
  const uint32_t l3_len = len - off - 2;
  switch (type) {
    case kEthTypeIpv4: detail::extract_ipv4(l3, l3_len, key); break;
    case kEthTypeIpv6: detail::extract_ipv6(l3, l3_len, key); break;
    case kEthTypeArp: detail::extract_arp(l3, l3_len, key); break;
    default: break;
  }
  return ExtractResult::kOk;
}

// Parses `frame[0, len)` received on `in_port` into `*key`. Every type field
// that `tpids` contains announces a tag; the first that does not is the inner
// ethertype. Returns kOk or why the frame must be dropped. The common frame
// takes detail::extract_plain_ipv4, any other extract_flow_key_general; the
// key is the same either way.
inline ExtractResult extract_flow_key(const uint8_t* frame, uint32_t len, uint32_t in_port,
                                      const l2tags::TpidSet& tpids, FlowKey* key) {
  if (len >= 14) [[likely]] {
    const uint16_t type = detail::load_be16(frame + 12);
    if (type == kEthTypeIpv4 && !tpids.contains(type) && detail::extract_plain_ipv4(frame, len, in_port, key)) {
      return ExtractResult::kOk;
    }
  }
  return extract_flow_key_general(frame, len, in_port, tpids, key);
}

}  // namespace strata::datapath
