// The flow key: every field of a frame the pipeline may match on, parsed once
// per frame on the PMD thread and laid out as 16 64-bit words so that masks,
// masked hashes and masked compares are word loops the compiler vectorises.
//
// The layout groups fields that are matched together into the same word
// (in_port + ethertype; the whole tag stack in four words) so a typical
// megaflow touches few words: a subtable hashes and compares only the words
// its mask uses (see classifier.h).
//
// Fields absent from a frame are zero: an untagged frame has tag_depth 0 and
// all tag words zero, so a mask on tags[i] also tells "has at least i+1 tags"
// apart from "has fewer" (a present tag never has TPID 0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "l2tags/tag.h"

namespace strata::datapath {

inline constexpr int kFlowKeyWords = 16;

// A key word, for reading and writing a key as 16 words. may_alias because
// keys are written field by field and read as words: through a plain
// uint64_t* g++ -O3 may reorder the field stores after the word loads
// (seen: keys that differed only in in_port hashed the same).
typedef uint64_t __attribute__((__may_alias__)) KeyWord;

// One tag as it sits on the wire: TPID and TCI (PCP:3 DEI:1 VID:12), host order.
struct KeyTag {
  uint16_t tpid;  // 0 when the frame has no tag at this depth
  uint16_t tci;   // PCP << 13 | DEI << 12 | VID
};

struct alignas(64) FlowKey {
  // word 0
  uint32_t in_port;    // datapath port number the frame arrived on
  uint16_t eth_type;   // ethertype after the last tag (host order)
  uint8_t tag_depth;   // number of tags, 0..kMaxTags
  uint8_t ip_proto;    // IPv4 protocol / IPv6 next header; ARP: low 8 bits of opcode
  // word 1
  uint8_t eth_dst[6];  // destination MAC
  uint8_t ip_tos;      // IPv4 TOS / IPv6 traffic class (DSCP << 2 | ECN)
  uint8_t ip_frag;     // kFragAny | kFragLater, 0 for unfragmented
  // word 2
  uint8_t eth_src[6];  // source MAC
  uint8_t ip_ttl;      // IPv4 TTL / IPv6 hop limit
  uint8_t pad0;        // always 0
  // words 3..6
  KeyTag tags[l2tags::kMaxTags];  // tags[0] is the outermost
  // word 7
  uint32_t nw_src;     // IPv4 source, ARP SPA (network order)
  uint32_t nw_dst;     // IPv4 destination, ARP TPA (network order)
  // word 8
  uint16_t tp_src;     // TCP/UDP/SCTP source port; ICMP type (network order for ports)
  uint16_t tp_dst;     // TCP/UDP/SCTP destination port; ICMP code
  uint16_t tcp_flags;  // TCP flags, low 12 bits (host order)
  uint16_t arp_op;     // ARP opcode (host order)
  // words 9..10, 11..12
  uint8_t ipv6_src[16];  // IPv6 source
  uint8_t ipv6_dst[16];  // IPv6 destination
  // word 13
  uint8_t arp_sha[6];    // ARP sender hardware address; IPv6 ND SLL
  uint8_t pad1[2];       // always 0
  // word 14
  uint8_t arp_tha[6];    // ARP target hardware address; IPv6 ND TLL
  uint8_t pad2[2];       // always 0
  // word 15
  uint32_t ipv6_label;   // IPv6 flow label (20 bits, host order)
  uint32_t pad3;         // always 0

  const KeyWord* words() const { return reinterpret_cast<const KeyWord*>(this); }
  KeyWord* words() { return reinterpret_cast<KeyWord*>(this); }
  // Zeroes the key with plain aligned vector stores (4 with AVX, 8 with
  // SSE2). Why not memset: g++ 12 turns a 128-byte memset, and any loop or
  // intrinsic sequence it can prove stores zeros, into `rep stosq`, whose
  // start-up cost made it the costliest instruction of flow extraction
  // (perf: 31% of parse_batch's samples, bench (a)). The empty asm hides
  // the zero from the compiler so the stores stay stores.
  void clear() {
#if defined(__AVX__)
    __m256i zero = _mm256_setzero_si256();
    __asm__("" : "+x"(zero));
    auto* v = reinterpret_cast<__m256i*>(this);
    for (int i = 0; i < int(sizeof(*this) / sizeof(zero)); ++i) _mm256_store_si256(v + i, zero);
#elif defined(__SSE2__)
    __m128i zero = _mm_setzero_si128();
    __asm__("" : "+x"(zero));
    auto* v = reinterpret_cast<__m128i*>(this);
    for (int i = 0; i < int(sizeof(*this) / sizeof(zero)); ++i) _mm_store_si128(v + i, zero);
#else
    std::memset(this, 0, sizeof(*this));
#endif
  }
};
static_assert(sizeof(FlowKey) == kFlowKeyWords * 8, "FlowKey must be exactly 16 words");

// ip_frag bits (as OVS's nw_frag).
inline constexpr uint8_t kFragAny = 1;    // the packet is a fragment
inline constexpr uint8_t kFragLater = 2;  // ... and not the first one

// The word each field lives in, for building masks and for documentation.
inline constexpr int kWordInPort = 0;
inline constexpr int kWordEthDst = 1;
inline constexpr int kWordEthSrc = 2;
inline constexpr int kWordTags = 3;  // through 6

// A mask has the same layout: a 1 bit means "this bit of the key matters".
using FlowMask = FlowKey;

// Field offsets are fixed by the layout above; a change here is a change of
// every megaflow mask, so pin them.
static_assert(offsetof(FlowKey, eth_dst) == 8);
static_assert(offsetof(FlowKey, eth_src) == 16);
static_assert(offsetof(FlowKey, tags) == 24);
static_assert(offsetof(FlowKey, nw_src) == 56);
static_assert(offsetof(FlowKey, tp_src) == 64);
static_assert(offsetof(FlowKey, ipv6_src) == 72);
static_assert(offsetof(FlowKey, arp_sha) == 104);
static_assert(offsetof(FlowKey, ipv6_label) == 120);

}  // namespace strata::datapath
