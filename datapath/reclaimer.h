// Deferred freeing for the structures PMD threads read without locks.
//
// The control thread never frees memory a reader may still hold: it unlinks
// the object (a removed megaflow, an old hash array after a resize, an old
// subtable array) so that no new reader can reach it, then hands it to a
// Reclaimer, which calls `free_fn(p)` once every reader has passed a
// quiescent point (a moment, between bursts, where it holds no pointer into
// the shared structures). The datapath implements this with rte_rcu_qsbr.
//
// Two implementations here, for tests and tools that run without DPDK:
//  - ImmediateReclaimer frees at once: only correct when no reader runs
//    concurrently (single-threaded tests, teardown).
//  - DeferredReclaimer is a small quiescent-state-based scheme with the same
//    contract as rte_rcu_qsbr, for multi-threaded tests.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace strata::datapath {

class Reclaimer {
 public:
  virtual ~Reclaimer() = default;

  // Called by the (single) writer after `p` is unlinked from every shared
  // structure. `free_fn(p)` must run later, once no reader can hold `p`.
  virtual void retire(void* p, void (*free_fn)(void*)) = 0;
};

// Frees at once. For single-threaded use only.
class ImmediateReclaimer final : public Reclaimer {
 public:
  void retire(void* p, void (*free_fn)(void*)) override { free_fn(p); }
};

// Quiescent-state-based reclamation for N reader threads, numbered 0..N-1.
//
// The writer's epoch advances on every retire. A reader that calls
// quiescent() records the epoch it has seen, promising it holds no pointer
// obtained before. An object retired at epoch E is freed by reclaim() once
// every online reader has recorded an epoch > E. Offline readers (not
// started, or finished) hold nothing and do not delay anyone.
class DeferredReclaimer final : public Reclaimer {
 public:
  explicit DeferredReclaimer(int readers) : readers_(readers), seen_(std::make_unique<Seen[]>(static_cast<size_t>(readers))) {
    for (int r = 0; r < readers_; ++r) seen_[static_cast<size_t>(r)].epoch.store(kOffline, std::memory_order_relaxed);
  }
  ~DeferredReclaimer() override { free_all(); }
  DeferredReclaimer(const DeferredReclaimer&) = delete;
  DeferredReclaimer& operator=(const DeferredReclaimer&) = delete;

  // Writer: queue `p`, then advance the epoch so that a reader's next
  // quiescent() proves it can no longer reach `p`.
  void retire(void* p, void (*free_fn)(void*)) override {
    const uint64_t e = epoch_.load(std::memory_order_relaxed);
    pending_.push_back(Pending{p, free_fn, e});
    epoch_.store(e + 1, std::memory_order_release);
  }

  // Reader `r`: it holds no pointer into the shared structures right now.
  void quiescent(int r) {
    seen_[static_cast<size_t>(r)].epoch.store(epoch_.load(std::memory_order_acquire), std::memory_order_release);
  }
  // Reader `r` starts reading: from now on retired objects wait for it.
  void online(int r) { quiescent(r); }
  // Reader `r` stops reading (thread exit, long sleep).
  void offline(int r) { seen_[static_cast<size_t>(r)].epoch.store(kOffline, std::memory_order_release); }

  // Writer: frees everything every online reader has moved past. Returns
  // how many objects it freed.
  size_t reclaim() {
    uint64_t min_seen = kOffline;
    for (int r = 0; r < readers_; ++r) {
      min_seen = std::min(min_seen, seen_[static_cast<size_t>(r)].epoch.load(std::memory_order_acquire));
    }
    size_t freed = 0;
    size_t keep = 0;
    for (size_t i = 0; i < pending_.size(); ++i) {
      if (pending_[i].epoch < min_seen) {
        pending_[i].free_fn(pending_[i].p);
        ++freed;
      } else {
        pending_[keep++] = pending_[i];
      }
    }
    pending_.resize(keep);
    freed_ += freed;
    return freed;
  }

  // Writer, with no reader online: frees everything still queued.
  void free_all() {
    for (const Pending& e : pending_) e.free_fn(e.p);
    freed_ += pending_.size();
    pending_.clear();
  }

  size_t pending() const { return pending_.size(); }  // retired, not yet freed
  size_t freed() const { return freed_; }             // freed so far

 private:
  static constexpr uint64_t kOffline = std::numeric_limits<uint64_t>::max();

  struct Pending {
    void* p;                 // the retired object
    void (*free_fn)(void*);  // how to free it
    uint64_t epoch;          // writer epoch when it was retired
  };
  // One cache line per reader: readers write only their own.
  struct alignas(64) Seen {
    std::atomic<uint64_t> epoch;  // last epoch reader saw at a quiescent point, kOffline if none; that reader writes
  };

  const int readers_;                 // number of reader slots, fixed
  std::unique_ptr<Seen[]> seen_;      // per-reader progress
  std::atomic<uint64_t> epoch_{0};    // bumped by the writer on each retire; readers load it
  std::vector<Pending> pending_;      // retired, waiting for readers; writer only
  size_t freed_ = 0;                  // objects freed so far; writer only
};

}  // namespace strata::datapath
