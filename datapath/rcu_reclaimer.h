// RcuReclaimer: frees what the control thread retired once no PMD can still
// see it, without ever making a PMD wait.
//
// Two conditions make a retired object free-able:
//  1. an rte_rcu_qsbr grace period has passed since it was retired: every
//     PMD has reported a quiescent state (the top of its loop) since, so no
//     PMD is in the middle of using a pointer it read before; and
//  2. for megaflows, every PMD's exact-match cache has been swept of dead
//     flows after the flow was unlinked. The EMC may keep a pointer across
//     quiescent states; the PMD clears those entries when it sees a new
//     sweep request (see pmd.cc), and acknowledges it.
// The control thread calls poll() from its loop; nothing here blocks except
// synchronize(), which port removal uses on purpose.
#pragma once

#include <rte_rcu_qsbr.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <vector>

#include "datapath/reclaimer.h"

namespace strata::datapath {

class RcuReclaimer final : public Reclaimer {
 public:
  explicit RcuReclaimer(unsigned max_threads);
  ~RcuReclaimer() override;  // frees everything still pending: call after the PMDs stopped

  rte_rcu_qsbr* qsbr() const { return qsbr_; }

  // Control thread: hand `p` over; `free_fn(p)` runs once it is safe.
  void retire(void* p, void (*free_fn)(void*)) override;
  // Control thread: frees what is safe now; returns how many were freed.
  size_t poll();
  // Control thread: waits for a grace period (and an EMC sweep) now.
  void synchronize();
  size_t pending() const { return pending_.size(); }

  // The sweep handshake, one slot per PMD.
  uint64_t sweep_requested() const { return sweep_requested_.load(std::memory_order_acquire); }
  void ack_sweep(unsigned thread, uint64_t gen) { acks_[thread].gen.store(gen, std::memory_order_release); }
  // Marks a PMD as gone (stopped): it no longer holds anything.
  void thread_offline(unsigned thread);
  void thread_online(unsigned thread);

 private:
  struct Pending {
    void* p;                 // the retired object
    void (*free_fn)(void*);  // how to free it
    uint64_t token;          // rte_rcu_qsbr token taken when retired
    uint64_t sweep_gen;      // EMC sweep generation that must be acknowledged
  };
  struct alignas(64) Ack {
    std::atomic<uint64_t> gen{0};  // last sweep generation the PMD completed (PMD writes)
    std::atomic<bool> online{false};  // PMD is running (control thread writes)
  };
  uint64_t min_acked() const;

  rte_rcu_qsbr* qsbr_ = nullptr;                // the QSBR variable PMDs report to
  unsigned max_threads_;                        // PMD slots
  std::deque<Pending> pending_;                 // retired, not yet freed, oldest first (control thread)
  std::atomic<uint64_t> sweep_requested_{0};    // latest sweep generation asked for (control thread writes)
  uint64_t sweep_needed_ = 0;                   // generation the newest pending object waits for
  std::vector<Ack> acks_;                       // per-PMD acknowledgements
};

}  // namespace strata::datapath
