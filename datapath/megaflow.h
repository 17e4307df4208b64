// A megaflow: a wildcarded flow the slow path installed, as the fast path
// sees it: the key words that matter under its mask, the compiled actions
// and the counters PMD threads bump.
//
// Memory is the constraint (1M megaflows at <= 128 bytes each, hash slot
// included), so a megaflow stores only the masked key words its mask uses,
// inline after a 48-byte header; the mask itself lives once, in the
// subtable (SubtableMask) that every megaflow of that mask shares.
//
// Thread rules: the control thread builds a megaflow completely and only
// then publishes it (a release store into a subtable's hash slot); after
// that, it changes only `actions` (release) and `dead` (once). PMD threads
// read the rest and write only the counters, with relaxed atomics.
#pragma once

#include <atomic>
#include <cstdint>

#include "datapath/flow_hash.h"
#include "datapath/flow_key.h"

namespace strata::datapath {

// The mask of one classifier subtable, compacted to the words it uses.
// Immutable once the subtable is published.
// The count and indexes come first so that a match of a typical 2-5 word
// mask reads one cache line of it.
struct SubtableMask {
  uint8_t n_words;                  // how many words the mask uses, 0..16; control, before publish
  uint8_t word_idx[kFlowKeyWords];  // the key word each of words[] applies to; control, before publish
  uint64_t words[kFlowKeyWords];    // the used mask words in key-word order, the rest zero; control, before publish

  // Compacts a full mask: keeps the non-zero words.
  static SubtableMask from(const FlowMask& mask) {
    SubtableMask m{};
    const KeyWord* w = key_words(mask);
    for (int i = 0; i < kFlowKeyWords; ++i) {
      if (w[i] == 0) continue;
      m.words[m.n_words] = w[i];
      m.word_idx[m.n_words] = static_cast<uint8_t>(i);
      ++m.n_words;
    }
    return m;
  }

  // The full 16-word mask.
  FlowMask expand() const {
    FlowMask m;
    m.clear();
    for (int i = 0; i < n_words; ++i) key_words(m)[word_idx[i]] = words[i];
    return m;
  }

  friend bool operator==(const SubtableMask& a, const SubtableMask& b) {
    if (a.n_words != b.n_words) return false;
    for (int i = 0; i < a.n_words; ++i) {
      if (a.words[i] != b.words[i] || a.word_idx[i] != b.word_idx[i]) return false;
    }
    return true;
  }
};

struct Megaflow {
  const SubtableMask* subtable;                 // mask of the subtable holding this flow; control, before publish
  std::atomic<const void*> actions;             // the datapath's compiled action list (opaque); control, release
  mutable std::atomic<uint64_t> packets;        // packets matched; PMDs, relaxed
  mutable std::atomic<uint64_t> bytes;          // bytes matched; PMDs, relaxed
  mutable std::atomic<uint64_t> last_used;      // caller's timestamp of the last match; PMDs, relaxed
  uint32_t hash;                                // hash_words() of the masked words; control, before publish
  std::atomic<bool> dead;                       // set once by remove(); then readers treat it as a miss; control
  uint8_t reserved[3];                          // zero; keeps the masked words 8-byte aligned

  // The masked key words follow the header: subtable->n_words of them, in
  // the order of subtable->word_idx. Storage is allocated with the flow.
  const uint64_t* words() const { return reinterpret_cast<const uint64_t*>(this + 1); }
  uint64_t* words() { return reinterpret_cast<uint64_t*>(this + 1); }

  // The full masked key (zero outside the mask), for dumps.
  FlowKey key() const {
    FlowKey k;
    k.clear();
    for (int i = 0; i < subtable->n_words; ++i) key_words(k)[subtable->word_idx[i]] = words()[i];
    return k;
  }
  FlowMask mask() const { return subtable->expand(); }
};
static_assert(sizeof(Megaflow) == 48, "the header is part of the 128-byte-per-flow budget");
static_assert(std::atomic<uint64_t>::is_always_lock_free && std::atomic<const void*>::is_always_lock_free);

// True when `key` matches `flow` under the flow's mask. Used by the
// classifier after a signature hit and by the exact-match cache to verify a
// hit without storing full keys. Does not look at `dead`.
inline bool megaflow_matches(const Megaflow& flow, const FlowKey& key) {
  const SubtableMask& m = *flow.subtable;
  const KeyWord* k = key_words(key);
  const uint64_t* f = flow.words();
  uint64_t diff = 0;
  for (int i = 0; i < m.n_words; ++i) diff |= (k[m.word_idx[i]] & m.words[i]) ^ f[i];
  return diff == 0;
}

// Counts `packets` frames of `bytes` bytes that matched `flow` at time
// `now`. Called by PMD threads once per flow per batch; relaxed atomics,
// because the counters order nothing.
inline void megaflow_account(const Megaflow& flow, uint64_t packets, uint64_t bytes, uint64_t now) {
  flow.packets.fetch_add(packets, std::memory_order_relaxed);
  flow.bytes.fetch_add(bytes, std::memory_order_relaxed);
  flow.last_used.store(now, std::memory_order_relaxed);
}

}  // namespace strata::datapath
