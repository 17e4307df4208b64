#include "datapath/rcu_reclaimer.h"

#include <rte_malloc.h>

#include <limits>
#include <thread>

namespace strata::datapath {

RcuReclaimer::RcuReclaimer(unsigned max_threads) : max_threads_(max_threads), acks_(max_threads) {
  const size_t sz = rte_rcu_qsbr_get_memsize(max_threads);
  qsbr_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc("strata_rcu", sz, RTE_CACHE_LINE_SIZE));
  if (qsbr_ != nullptr) rte_rcu_qsbr_init(qsbr_, max_threads);
}

RcuReclaimer::~RcuReclaimer() {
  for (auto& e : pending_) e.free_fn(e.p);
  pending_.clear();
  rte_free(qsbr_);
}

void RcuReclaimer::retire(void* p, void (*free_fn)(void*)) {
  // The next sweep generation: asked for on the next poll(), so a burst of
  // removals costs the PMDs one sweep, not one each.
  sweep_needed_ = sweep_requested_.load(std::memory_order_relaxed) + 1;
  pending_.push_back({p, free_fn, rte_rcu_qsbr_start(qsbr_), sweep_needed_});
}

uint64_t RcuReclaimer::min_acked() const {
  uint64_t m = std::numeric_limits<uint64_t>::max();
  for (const auto& a : acks_) {
    if (a.online.load(std::memory_order_acquire)) m = std::min(m, a.gen.load(std::memory_order_acquire));
  }
  return m;
}

size_t RcuReclaimer::poll() {
  if (sweep_needed_ > sweep_requested_.load(std::memory_order_relaxed)) {
    sweep_requested_.store(sweep_needed_, std::memory_order_release);
  }
  size_t freed = 0;
  const uint64_t acked = min_acked();
  while (!pending_.empty()) {
    Pending& e = pending_.front();
    if (e.sweep_gen > acked) break;
    if (rte_rcu_qsbr_check(qsbr_, e.token, false) != 1) break;
    e.free_fn(e.p);
    pending_.pop_front();
    ++freed;
  }
  return freed;
}

void RcuReclaimer::synchronize() {
  // Bounded by the PMDs' longest sleep; used for port removal only.
  while (!pending_.empty() || sweep_needed_ > sweep_requested_.load()) {
    poll();
    if (!pending_.empty()) std::this_thread::yield();
  }
  rte_rcu_qsbr_synchronize(qsbr_, RTE_QSBR_THRID_INVALID);
}

void RcuReclaimer::thread_online(unsigned thread) {
  rte_rcu_qsbr_thread_register(qsbr_, thread);
  rte_rcu_qsbr_thread_online(qsbr_, thread);
  acks_[thread].gen.store(sweep_requested_.load(), std::memory_order_release);
  acks_[thread].online.store(true, std::memory_order_release);
}

void RcuReclaimer::thread_offline(unsigned thread) {
  acks_[thread].online.store(false, std::memory_order_release);
  rte_rcu_qsbr_thread_offline(qsbr_, thread);
  rte_rcu_qsbr_thread_unregister(qsbr_, thread);
}

}  // namespace strata::datapath
