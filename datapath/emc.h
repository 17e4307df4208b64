// The exact-match cache: a small per-PMD cache in front of the megaflow
// classifier, keyed by the hash of the whole flow key (flow_hash()).
//
// An entry is just {hash, megaflow}: no key is stored. A hit is verified by
// a masked compare of the packet's key against the megaflow
// (megaflow_matches), which is exact for the megaflow's mask; that keeps an
// entry at 16 bytes and the default 8192 entries at 128 KiB, in L2.
//
// Organisation: 2-way set associative; the two ways of a set sit side by side
// in one 32-byte half cache line, so a lookup touches one line of the cache.
//
// Insertion probability: with many more flows than entries every insert
// evicts an entry that would have hit later (thrashing). As OVS's
// emc-insert-inv-prob, an insert happens with probability 1/insert_inv_prob,
// so only flows with many packets earn a place. 1 inserts always.
//
// Threads: owned and used by one PMD thread only; no atomics.
//
// Lifetime of the megaflows it points at: a removed megaflow is marked dead
// at once and freed only after every PMD has passed a quiescent point. The
// cache keeps pointers across quiescent points, so the datapath must have
// every PMD call sweep_dead() after a removal and before its next quiescent
// report (or clear()). A lookup that finds a dead flow drops the entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "datapath/megaflow.h"

namespace strata::datapath {

class Emc {
 public:
  static constexpr uint32_t kDefaultEntries = 8192;
  static constexpr uint32_t kDefaultInsertInvProb = 100;  // OVS's default

  // `entries`: a power of two >= 2 (rounded up otherwise).
  explicit Emc(uint32_t entries = kDefaultEntries, uint32_t insert_inv_prob = kDefaultInsertInvProb);

  // The megaflow cached for `key` (whose flow_hash() is `hash`), or nullptr.
  // A dead megaflow is a miss and its entry is cleared.
  const Megaflow* lookup(const FlowKey& key, uint32_t hash) {
    Entry* set = set_of(hash);
    for (int w = 0; w < kWays; ++w) {
      Entry& e = set[w];
      if (e.hash != hash || e.flow == nullptr) continue;
      if (e.flow->dead.load(std::memory_order_relaxed)) [[unlikely]] {
        e = Entry{};
        continue;
      }
      if (megaflow_matches(*e.flow, key)) return e.flow;
    }
    return nullptr;
  }

  // Starts loading the set of `hash` into the CPU cache, for batch lookups.
  void prefetch(uint32_t hash) const { __builtin_prefetch(set_of(hash), 0, 3); }

  // Caches `flow` for keys with `hash`, with probability 1/insert_inv_prob.
  // Replaces an entry with the same hash, else an empty or dead way, else a
  // pseudo-random way.
  void insert(uint32_t hash, const Megaflow* flow) {
    if (insert_threshold_ != UINT32_MAX && next_random() > insert_threshold_) return;
    Entry* set = set_of(hash);
    int victim = -1;
    for (int w = 0; w < kWays; ++w) {
      const Entry& e = set[w];
      if (e.flow == nullptr || e.hash == hash || e.flow->dead.load(std::memory_order_relaxed)) {
        victim = w;
        break;
      }
    }
    if (victim < 0) victim = static_cast<int>(next_random() & (kWays - 1));
    set[victim] = Entry{hash, flow};
  }

  // Clears every entry whose megaflow is dead. Returns how many.
  size_t sweep_dead();
  // Clears every entry.
  void clear();

  uint32_t entries() const { return mask_ + 1; }       // capacity
  size_t occupied() const;                             // entries in use (for stats and tests)

 private:
  static constexpr int kWays = 2;

  struct Entry {
    uint32_t hash = 0;                // flow_hash() of the key cached here; owning PMD
    const Megaflow* flow = nullptr;   // the megaflow that key matched, nullptr if empty; owning PMD
  };
  static_assert(sizeof(Entry) == 16);

  Entry* set_of(uint32_t hash) const { return &entries_[(hash & set_mask_) * kWays]; }

  // xorshift32: a cheap random stream for the insertion coin and victims.
  uint32_t next_random() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 17;
    rng_ ^= rng_ << 5;
    return rng_;
  }

  struct FreeAligned {
    void operator()(Entry* p) const;
  };

  std::unique_ptr<Entry[], FreeAligned> entries_;  // mask_ + 1 entries, 64-byte aligned; owning PMD
  uint32_t mask_;                                   // entries - 1; fixed
  uint32_t set_mask_;                               // sets - 1; fixed
  uint32_t insert_threshold_;                       // insert when next_random() <= this; fixed
  uint32_t rng_ = 0x2545f491u;                      // xorshift state, never 0; owning PMD
};

}  // namespace strata::datapath
