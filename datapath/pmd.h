// A PMD (poll-mode driver) thread: polls its rx queues and forwards.
//
// One per --pmd-cores entry, pinned to its CPU. Everything it writes on the
// fast path is its own (exact-match cache, tx buffers, stats); what it
// shares it only reads, through RCU-published pointers. It never takes a
// lock (except a tx queue shared with another sender), never allocates
// memory beyond mbufs, never makes a syscall while frames flow.
#pragma once

#include <rte_mbuf.h>

#include <atomic>
#include <cstdint>
#include <memory>

#include "datapath/classifier.h"
#include "datapath/dp_port.h"
#include "datapath/emc.h"
#include "datapath/flow_key.h"
#include "datapath/pmd_stats.h"
#include "datapath/rcu_reclaimer.h"
#include "l2tags/tpid_set.h"

namespace strata::datapath {

inline constexpr int kBurst = 32;
// One burst in this many has its stages timed (a power of two).
inline constexpr uint64_t kStageSample = 8;

// What the PMDs share with the control thread. Read-mostly.
struct DatapathShared {
  std::atomic<PortTable*> ports{nullptr};  // current port table (control publishes)
  Classifier* classifier = nullptr;        // megaflows (control writes, PMDs read)
  RcuReclaimer* rcu = nullptr;             // where PMDs report quiescence
  rte_mempool* pool = nullptr;             // mbufs for copies
  l2tags::TpidSet tpids;                   // recognised TPIDs (set before PMDs start)
  std::atomic<bool> quit{false};           // set to stop every PMD
  uint64_t tsc_hz = 0;                     // TSC frequency
  uint32_t emc_insert_inv_prob = 100;      // insert into the EMC 1 in N
  bool busy_poll = false;                  // never sleep when idle
  unsigned n_pmds = 0;                     // PMD count; the control thread's txq index
  // The control thread sleeps between upcalls instead of polling for them
  // (Datapath::prepare_upcall_sleep): while `upcall_sleeper` is set, the
  // first PMD to queue an upcall clears it and writes `upcall_wake_fd`, an
  // eventfd in the control thread's ppoll. At most one write per sleep.
  std::atomic<bool> upcall_sleeper{false};
  int upcall_wake_fd = -1;
};

// The rx queues one PMD polls. Immutable once published.
struct PollList {
  struct Entry {
    DpPort* port;    // the port (alive while this list is published)
    uint16_t queue;  // its rx queue
  };
  unsigned n = 0;        // entries used
  Entry rxq[64];         // the queues, polled in order
};

class Pmd {
 public:
  Pmd(unsigned index, unsigned cpu, DatapathShared& dp);
  ~Pmd();

  unsigned index() const { return index_; }
  unsigned cpu() const { return cpu_; }

  // Control thread: the new list takes effect at the PMD's next iteration;
  // the returned old list must be retired through RCU.
  PollList* swap_poll_list(PollList* list) { return poll_list_.exchange(list, std::memory_order_acq_rel); }
  const PollList* poll_list() const { return poll_list_.load(std::memory_order_acquire); }

  // The thread body; returns when dp.quit is set.
  int run();

  PmdStatsSnapshot snapshot() const;

 private:
  struct TxBuffer {
    uint16_t n;                // frames buffered
    rte_mbuf* pkts[kBurst];    // frames waiting for tx_burst
  };

  uint64_t process_burst(DpPort* in, rte_mbuf** pkts, int n, uint64_t t_rx);
  int parse_batch(DpPort* in, rte_mbuf** pkts, int n);
  [[gnu::noinline, gnu::cold]] int drop_malformed(DpPort* in, rte_mbuf** pkts, int n, uint32_t malformed);
  void lookup_batch(DpPort* in, rte_mbuf** pkts, int n, const Megaflow** flows);
  void execute_batch(rte_mbuf** pkts, int n, const Megaflow** flows);
  void upcall_batch(DpPort* in, rte_mbuf** pkts, int n);
  void wake_upcall_sleeper();  // after queueing upcalls: a sleeping control thread is woken
  void flush_tx();
  void send(DpPort* port, rte_mbuf** pkts, uint16_t n);
  // Logical ports (tag_mux.h, pmd_tag_mux.cc): a parent's burst split by
  // tag into one burst per logical port; a logical port's frames tagged and
  // sent on the parent's device.
  uint64_t demux_burst(DpPort* parent, const TagMuxTable& mux, rte_mbuf** pkts, int n, uint64_t t_rx);
  void send_logical(DpPort* port, rte_mbuf** pkts, uint16_t n);
  void sweep_if_asked();

  // The execution context of execute_actions() (see execute.h).
  friend struct PmdExecContext;
  void buffer_output(uint32_t port_no, rte_mbuf* m) { output_burst(port_no, &m, 1); }
  void output_burst(uint32_t port_no, rte_mbuf** pkts, int n);

  unsigned index_;                          // 0..n_pmds-1, also the RCU thread id and txq
  unsigned cpu_;                            // CPU it is pinned to
  DatapathShared& dp_;                      // shared state
  bool single_writer_;                      // the only PMD: megaflow counters need no locked add
  std::atomic<PollList*> poll_list_{nullptr};  // queues to poll (control publishes)
  std::unique_ptr<Emc> emc_;                // exact-match cache (this PMD only)
  PortTable* ports_ = nullptr;              // port table loaded this iteration
  uint64_t sweep_seen_ = 0;                 // last EMC sweep generation done
  uint64_t now_ms_ = 0;                     // coarse clock for megaflow last-used
  uint64_t next_ms_tsc_ = 0;                // TSC at which now_ms_ next advances
  DpPort* in_port_ = nullptr;               // port of the burst being processed
  PmdStats stats_;                          // counters (this PMD writes); parse..tx cycles sampled
  uint64_t bursts_ = 0;                     // bursts processed (this PMD)
  std::atomic<uint64_t> burst_cycles_{0};   // cycles of every burst, rx done to tx done (this PMD writes)
  std::atomic<uint64_t> sampled_cycles_{0}; // the same, of the bursts whose stages were timed (this PMD writes)
  // Per-burst scratch, kept here so the stack stays small and hot.
  FlowKey keys_[kBurst];                    // parsed keys
  uint32_t hashes_[kBurst];                 // full-key hashes
  uint8_t depths_[kBurst];                  // tag depth per frame, kept current by actions
  uint16_t dirty_[kBurst * 4];              // ports with buffered tx frames
  unsigned n_dirty_ = 0;                    // entries in dirty_
  TxBuffer* tx_ = nullptr;                  // kMaxPorts tx buffers (hugepage memory)
  rte_mbuf* to_slow_[kBurst];               // frames bound for the upcall ring
  int n_to_slow_ = 0;                       // entries in to_slow_
};

}  // namespace strata::datapath
