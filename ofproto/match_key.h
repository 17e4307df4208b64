// MatchKey: a frame as the OpenFlow pipeline sees it at one point of its
// walk through the tables. It is the datapath's FlowKey (same layout, so
// translation maps fields back word for word) plus what OpenFlow adds: the
// metadata register and per-depth tag presence (OFPVID_PRESENT generalised
// to every depth of the stack). in_port holds the OpenFlow port number.
//
// A mask has the same layout: a 1 bit means "this bit matters".
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "datapath/flow_key.h"

namespace strata::ofproto {

struct MatchKey {
  datapath::FlowKey f;   // the frame's fields; f.in_port is the OpenFlow port
  uint64_t metadata;     // the OpenFlow metadata register (write-metadata)
  uint64_t tag_present;  // bit i: the frame has a tag at depth i (0 = outermost)

  static constexpr int kWords = datapath::kFlowKeyWords + 2;
  // The key as words. Through datapath::KeyWord (may_alias): fields are
  // written as uint16_t/uint32_t, and a plain uint64_t* view lets g++ read
  // the words before those stores (with -march=x86-64-v2 at -O2 Match::
  // matches() saw stale tag words).
  const datapath::KeyWord* words() const { return reinterpret_cast<const datapath::KeyWord*>(this); }
  datapath::KeyWord* words() { return reinterpret_cast<datapath::KeyWord*>(this); }
  void clear() { std::memset(static_cast<void*>(this), 0, sizeof(*this)); }
  static MatchKey zero() {
    MatchKey k;
    k.clear();
    return k;
  }
  bool is_zero() const {
    for (int i = 0; i < kWords; ++i) {
      if (words()[i] != 0) return false;
    }
    return true;
  }
  friend bool operator==(const MatchKey& a, const MatchKey& b) {
    return std::memcmp(a.words(), b.words(), kWords * 8) == 0;
  }
};
// The words are contiguous from the start (FlowKey's 64-byte alignment only
// adds unused padding after them).
static_assert(offsetof(MatchKey, metadata) == 128 && offsetof(MatchKey, tag_present) == 136);

using MatchMask = MatchKey;

// Presence bits for a stack of `depth` tags.
constexpr uint64_t presence_bits(int depth) { return depth <= 0 ? 0 : (uint64_t{1} << depth) - 1; }

// The pipeline's view of a datapath key at ingress: `ofport` replaces the
// datapath port, metadata 0, presence from the tag depth.
inline MatchKey match_key_from_flow(const datapath::FlowKey& key, uint32_t ofport) {
  MatchKey k;
  k.f = key;
  k.f.in_port = ofport;
  k.metadata = 0;
  k.tag_present = presence_bits(key.tag_depth);
  return k;
}

inline void and_into(MatchKey& a, const MatchKey& b) {
  for (int i = 0; i < MatchKey::kWords; ++i) a.words()[i] &= b.words()[i];
}
inline void or_into(MatchKey& a, const MatchKey& b) {
  for (int i = 0; i < MatchKey::kWords; ++i) a.words()[i] |= b.words()[i];
}

}  // namespace strata::ofproto
