#include "datapath/pmd.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "datapath/execute.h"
#include "datapath/flow_extract.h"
#include "datapath/flow_hash.h"
#include "datapath/packet_meta.h"

namespace strata::datapath {

namespace {

// Idle back-off (like OVS's pmd-sleep-max): after kIdleSpins empty polls,
// sleep 1 us, doubling up to kMaxSleepUs, so a quiet stratad leaves its
// CPU to guests and peers; the first frame resets it.
constexpr unsigned kIdleSpins = 64;
constexpr unsigned kMaxSleepUs = 250;

}  // namespace

// Output sink of execute_actions() on a PMD: frames are buffered per port
// and sent in bursts at the end of the rx burst.
struct PmdExecContext {
  Pmd& pmd;
  void output(uint32_t port_no, rte_mbuf* m) { pmd.buffer_output(port_no, m); }
  void output_bulk(uint32_t port_no, rte_mbuf** m, int n) { pmd.output_burst(port_no, m, n); }
  void to_controller(rte_mbuf* m, const Action& a) {
    PacketMeta* meta = packet_meta(m);
    meta->in_port = pmd.in_port_->port_no;
    meta->reason = UpcallReason::kController;
    meta->cookie = a.port;
    meta->max_len = a.value;
    if (pmd.n_to_slow_ < kBurst) {
      pmd.to_slow_[pmd.n_to_slow_++] = m;
    } else {
      pmd.in_port_->counters.upcall_dropped.fetch_add(1, std::memory_order_relaxed);
      rte_pktmbuf_free(m);
    }
  }
  void drop(rte_mbuf* m) {
    pmd.in_port_->counters.tx_dropped.fetch_add(1, std::memory_order_relaxed);
    rte_pktmbuf_free(m);
  }
  rte_mempool* pool() { return pmd.dp_.pool; }
};

Pmd::Pmd(unsigned index, unsigned cpu, DatapathShared& dp)
    : index_(index), cpu_(cpu), dp_(dp), single_writer_(dp.n_pmds == 1) {
  emc_ = std::make_unique<Emc>(Emc::kDefaultEntries, dp.emc_insert_inv_prob);
  tx_ = static_cast<TxBuffer*>(rte_zmalloc("strata_pmd_tx", sizeof(TxBuffer) * kMaxPorts, RTE_CACHE_LINE_SIZE));
  auto* empty = new PollList();
  poll_list_.store(empty);
}

Pmd::~Pmd() {
  rte_free(tx_);
  delete poll_list_.load();
}

int Pmd::run() {
  // Short sleeps must be short: the default 50 us timer slack would make
  // every back-off sleep at least that long.
  prctl(PR_SET_TIMERSLACK, 1UL);
  dp_.rcu->thread_online(index_);
  const uint64_t tsc_per_ms = dp_.tsc_hz / 1000;
  unsigned idle_polls = 0, sleep_us = 0;
  rte_mbuf* pkts[kBurst];

  // One TSC read per stage boundary: the end of one stage is the start of
  // the next, and the end of a burst is the start of the next poll.
  uint64_t t0 = rte_rdtsc();
  while (!dp_.quit.load(std::memory_order_relaxed)) {
    // Top of the loop: nothing read in the last iteration is held any more.
    rte_rcu_qsbr_quiescent(dp_.rcu->qsbr(), index_);
    sweep_if_asked();
    if (t0 >= next_ms_tsc_) {
      now_ms_ = t0 / tsc_per_ms;
      next_ms_tsc_ = (now_ms_ + 1) * tsc_per_ms;
    }
    ports_ = dp_.ports.load(std::memory_order_acquire);
    const PollList* list = poll_list_.load(std::memory_order_acquire);

    unsigned received = 0;
    for (unsigned q = 0; q < list->n; ++q) {
      DpPort* port = list->rxq[q].port;
      const uint16_t n = rte_eth_rx_burst(port->ethdev_id, list->rxq[q].queue, pkts, kBurst);
      const uint64_t t1 = rte_rdtsc();
      if (n == 0) {
        PmdStats::add(stats_.cycles[kStageIdle], t1 - t0);
        t0 = t1;
        continue;
      }
      PmdStats::add(stats_.cycles[kStageRx], t1 - t0);
      received += n;
      // A parent of logical ports (a DCN's VNIC) splits its burst by tag
      // first; any other port pays one predicted branch per burst.
      if (const TagMuxTable* mux = port->mux.load(std::memory_order_acquire); mux != nullptr) [[unlikely]] {
        t0 = demux_burst(port, *mux, pkts, n, t1);
      } else {
        t0 = process_burst(port, pkts, n, t1);
      }
    }
    PmdStats::add(stats_.iterations, 1);

    if (received > 0 || dp_.busy_poll) {
      idle_polls = 0;
      sleep_us = 0;
    } else if (++idle_polls > kIdleSpins) {
      sleep_us = sleep_us == 0 ? 1 : std::min(sleep_us * 2, kMaxSleepUs);
      rte_delay_us_sleep(sleep_us);
      const uint64_t t1 = rte_rdtsc();
      PmdStats::add(stats_.cycles[kStageIdle], t1 - t0);
      PmdStats::add(stats_.sleeps, 1);
      t0 = t1;
    }
  }
  // Leaving: nothing buffered may outlive the thread.
  flush_tx();
  dp_.rcu->thread_offline(index_);
  return 0;
}

void Pmd::sweep_if_asked() {
  const uint64_t gen = dp_.rcu->sweep_requested();
  if (gen == sweep_seen_) return;
  emc_->sweep_dead();
  sweep_seen_ = gen;
  dp_.rcu->ack_sweep(index_, gen);
}

// The story of one burst: parse, look up, execute, send. `t` is the TSC
// when the burst arrived; returns the TSC when it has been sent.
//
// Reading the TSC costs ~25 cycles here, close to a cycle per frame for
// each stage boundary. So the whole burst is always timed (exact busy
// cycles), but the split into stages only on one burst in kStageSample;
// snapshot() scales the sampled split to the exact total.
uint64_t Pmd::process_burst(DpPort* in, rte_mbuf** pkts, int n, uint64_t t) {
  in_port_ = in;
  PmdStats::add(stats_.packets, static_cast<uint64_t>(n));
  const bool timed = (bursts_++ & (kStageSample - 1)) == 0;  // the first burst is timed
  const uint64_t start = t;

  n = parse_batch(in, pkts, n);
  if (timed) {
    const uint64_t t2 = rte_rdtsc();
    PmdStats::add(stats_.cycles[kStageParse], t2 - t);
    t = t2;
  }

  const Megaflow* flows[kBurst];
  lookup_batch(in, pkts, n, flows);
  if (timed) {
    const uint64_t t2 = rte_rdtsc();
    PmdStats::add(stats_.cycles[kStageLookup], t2 - t);
    t = t2;
  }

  execute_batch(pkts, n, flows);
  upcall_batch(in, to_slow_, n_to_slow_);
  n_to_slow_ = 0;
  if (timed) {
    const uint64_t t2 = rte_rdtsc();
    PmdStats::add(stats_.cycles[kStageActions], t2 - t);
    t = t2;
  }

  flush_tx();
  const uint64_t end = rte_rdtsc();
  if (timed) {
    PmdStats::add(stats_.cycles[kStageTx], end - t);
    PmdStats::add(sampled_cycles_, end - start);
  }
  PmdStats::add(burst_cycles_, end - start);
  return end;
}

// Parses every frame's key; drops (and counts) malformed ones, compacting
// the burst so the later stages see only good frames. Frame i's key is
// keys_[i] while parsing: a running count of good frames as the index (as
// this loop had) was spilled to the stack around the free call and made
// every frame wait for the previous one's store of it.
int Pmd::parse_batch(DpPort* in, rte_mbuf** pkts, int n) {
  static_assert(kBurst <= 32, "one bit per frame of a burst");
  uint32_t malformed = 0;  // bit i: frame i
  for (int i = 0; i < n; ++i) {
    if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void*));
    const rte_mbuf* m = pkts[i];
    const ExtractResult r =
        extract_flow_key(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, in->port_no, dp_.tpids, &keys_[i]);
    malformed |= uint32_t{r != ExtractResult::kOk} << i;
    depths_[i] = keys_[i].tag_depth;
  }
  if (malformed == 0) [[likely]] return n;
  return drop_malformed(in, pkts, n, malformed);
}

// The rare path of parse_batch: frees the frames whose bit is set and moves
// the others (frame, key, depth) down over them.
int Pmd::drop_malformed(DpPort* in, rte_mbuf** pkts, int n, uint32_t malformed) {
  in->counters.malformed.fetch_add(static_cast<uint64_t>(__builtin_popcount(malformed)), std::memory_order_relaxed);
  int good = 0;
  for (int i = 0; i < n; ++i) {
    if (malformed & (uint32_t{1} << i)) {
      rte_pktmbuf_free(pkts[i]);
      continue;
    }
    if (good != i) {
      pkts[good] = pkts[i];
      keys_[good] = keys_[i];
      depths_[good] = depths_[i];
    }
    ++good;
  }
  return good;
}

void Pmd::lookup_batch(DpPort* in, rte_mbuf** pkts, int n, const Megaflow** flows) {
  // Frames of one flow arrive together: the burst is cut into runs of
  // frames whose keys equal their predecessor's, and only a run's first
  // frame (its leader) is hashed and looked up; the rest of the run takes
  // its answer. Leaders are hashed first and their cache sets prefetched,
  // so the probes below find them loaded. (Per-frame work is one key
  // compare and one store: anything a frame copied from the frame before
  // would chain the frames on a store-to-load forward each.)
  int leader[kBurst + 1];  // leader[r] starts run r; leader[n_runs] = n
  int n_runs = 0;
  for (int i = 0; i < n; ++i) {
    if (i > 0 && flow_keys_equal(keys_[i], keys_[i - 1])) continue;
    leader[n_runs++] = i;
    hashes_[i] = flow_hash(keys_[i]);
    emc_->prefetch(hashes_[i]);
  }
  leader[n_runs] = n;

  const Megaflow* run_flow[kBurst];
  const FlowKey* pending[kBurst];
  int pending_run[kBurst];
  int n_pending = 0;
  uint64_t emc_hits = 0;
  for (int r = 0; r < n_runs; ++r) {
    const int i = leader[r];
    run_flow[r] = emc_->lookup(keys_[i], hashes_[i]);
    if (run_flow[r] != nullptr) {
      ++emc_hits;
      continue;
    }
    pending[n_pending] = &keys_[i];
    pending_run[n_pending++] = r;
  }
  PmdStats::add(stats_.emc_hits, emc_hits);

  uint64_t mf_hits = 0;
  if (n_pending > 0) {
    const Megaflow* found[kBurst];
    dp_.classifier->lookup_batch(pending, n_pending, found);
    for (int j = 0; j < n_pending; ++j) {
      const int r = pending_run[j];
      run_flow[r] = found[j];
      if (found[j] != nullptr) {
        ++mf_hits;
        emc_->insert(hashes_[leader[r]], found[j]);  // the EMC samples 1 in emc_insert_inv_prob
      }
    }
  }
  PmdStats::add(stats_.megaflow_hits, mf_hits);

  // Every frame gets its run's answer. A run that missed goes up whole, in
  // frame order, so that frames of one flow reach the slow path in the
  // order they came.
  uint64_t batch_hits = 0, misses = 0;
  for (int r = 0; r < n_runs; ++r) {
    const Megaflow* f = run_flow[r];
    const int from = leader[r], to = leader[r + 1];
    if (f != nullptr) [[likely]] {
      for (int i = from; i < to; ++i) flows[i] = f;
      batch_hits += static_cast<uint64_t>(to - from - 1);
      continue;
    }
    misses += static_cast<uint64_t>(to - from);
    for (int i = from; i < to; ++i) {
      // A miss: to the slow path, with where it came from.
      rte_mbuf* m = pkts[i];
      PacketMeta* meta = packet_meta(m);
      meta->in_port = in->port_no;
      meta->reason = UpcallReason::kMiss;
      meta->cookie = 0;
      meta->max_len = 0;
      to_slow_[n_to_slow_++] = m;
      pkts[i] = nullptr;
      flows[i] = nullptr;
    }
  }
  PmdStats::add(stats_.batch_hits, batch_hits);
  PmdStats::add(stats_.misses, misses);
}

// Groups the burst by megaflow and runs each group's actions once.
void Pmd::execute_batch(rte_mbuf** pkts, int n, const Megaflow** flows) {
  // Group ids by first appearance: a frame of the previous frame's flow
  // joins its group at once; others look their flow up in a 64-slot table.
  const Megaflow* gflow[kBurst];
  uint64_t gbytes[kBurst];
  uint8_t gcount[kBurst];
  uint8_t group_of[kBurst];
  uint8_t slots[64];
  std::memset(slots, 0xff, sizeof(slots));
  int n_groups = 0;
  // The run of frames of the current group is counted in registers and
  // added to its group when the flow changes: `++gcount[g]` per frame was
  // a store-to-load chain through the stack, one forwarding latency a frame.
  int last = -1;
  const Megaflow* last_flow = nullptr;
  unsigned run_count = 0;
  uint64_t run_bytes = 0;
  for (int i = 0; i < n; ++i) {
    if (pkts[i] == nullptr) continue;
    const Megaflow* f = flows[i];
    if (last < 0 || last_flow != f) {
      if (last >= 0) {
        gcount[last] = static_cast<uint8_t>(gcount[last] + run_count);
        gbytes[last] += run_bytes;
      }
      unsigned s = static_cast<unsigned>(reinterpret_cast<uintptr_t>(f) >> 6) & 63;
      while (slots[s] != 0xff && gflow[slots[s]] != f) s = (s + 1) & 63;
      if (slots[s] == 0xff) {
        last = n_groups++;
        slots[s] = static_cast<uint8_t>(last);
        gflow[last] = f;
        gbytes[last] = 0;
        gcount[last] = 0;
      } else {
        last = slots[s];
      }
      last_flow = f;
      run_count = 0;
      run_bytes = 0;
    }
    group_of[i] = static_cast<uint8_t>(last);
    ++run_count;
    run_bytes += pkts[i]->pkt_len;
  }
  if (n_groups == 0) return;
  gcount[last] = static_cast<uint8_t>(gcount[last] + run_count);
  gbytes[last] += run_bytes;

  // Frames in group order, arrival order within a group. One group of the
  // whole burst (one flow, the common case) is already in order.
  rte_mbuf* grouped_buf[kBurst];
  uint8_t depths_buf[kBurst];
  rte_mbuf** grouped = pkts;
  uint8_t* grouped_depths = depths_;
  uint8_t start[kBurst];
  start[0] = 0;
  if (n_groups > 1 || gcount[0] != n) {
    grouped = grouped_buf;
    grouped_depths = depths_buf;
    uint8_t fill[kBurst];
    unsigned off = 0;
    for (int g = 0; g < n_groups; ++g) {
      start[g] = fill[g] = static_cast<uint8_t>(off);
      off += gcount[g];
    }
    for (int i = 0; i < n; ++i) {
      if (pkts[i] == nullptr) continue;
      const unsigned at = fill[group_of[i]]++;
      grouped[at] = pkts[i];
      grouped_depths[at] = depths_[i];
    }
  }

  PmdExecContext ctx{*this};
  for (int g = 0; g < n_groups; ++g) {
    const Megaflow* flow = gflow[g];
    // Once per group, not per frame. With one PMD nobody else writes these
    // counters, so a plain add is exact and costs no locked instruction;
    // PMDs that share megaflows add atomically.
    if (single_writer_) {
      flow->packets.store(flow->packets.load(std::memory_order_relaxed) + gcount[g], std::memory_order_relaxed);
      flow->bytes.store(flow->bytes.load(std::memory_order_relaxed) + gbytes[g], std::memory_order_relaxed);
    } else {
      flow->packets.fetch_add(gcount[g], std::memory_order_relaxed);
      flow->bytes.fetch_add(gbytes[g], std::memory_order_relaxed);
    }
    if (flow->last_used.load(std::memory_order_relaxed) != now_ms_) {
      flow->last_used.store(now_ms_, std::memory_order_relaxed);
    }
    const auto* list = static_cast<const ActionList*>(flow->actions.load(std::memory_order_acquire));
    execute_actions(*list, grouped + start[g], grouped_depths + start[g], gcount[g], ctx);
  }
}

void Pmd::upcall_batch(DpPort* in, rte_mbuf** pkts, int n) {
  if (n == 0) return;
  // The port's own ring: a port flooding new flows fills only its share.
  const unsigned sent = rte_ring_mp_enqueue_burst(in->upcall_ring, reinterpret_cast<void**>(pkts),
                                                  static_cast<unsigned>(n), nullptr);
  in->counters.upcalls.fetch_add(sent, std::memory_order_relaxed);
  if (sent > 0) wake_upcall_sleeper();
  if (sent < static_cast<unsigned>(n)) {
    in->counters.upcall_dropped.fetch_add(n - sent, std::memory_order_relaxed);
    rte_pktmbuf_free_bulk(pkts + sent, n - sent);
  }
}

void Pmd::wake_upcall_sleeper() {
  // Pairs with prepare_upcall_sleep(): either its look at the rings sees
  // what was just queued, or this load sees the flag it set before looking.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (dp_.upcall_sleeper.load(std::memory_order_relaxed) && dp_.upcall_sleeper.exchange(false)) {
    const uint64_t one = 1;
    (void)!write(dp_.upcall_wake_fd, &one, sizeof one);
  }
}

void Pmd::send(DpPort* port, rte_mbuf** pkts, uint16_t n) {
  if (port->is_logical()) [[unlikely]] {
    send_logical(port, pkts, n);
    return;
  }
  const uint16_t txq = static_cast<uint16_t>(index_ < port->n_txq ? index_ : index_ % port->n_txq);
  if (port->txq_shared) rte_spinlock_lock(&port->txq_lock[txq]);
  const uint16_t sent = rte_eth_tx_burst(port->ethdev_id, txq, pkts, n);
  if (port->txq_shared) rte_spinlock_unlock(&port->txq_lock[txq]);
  if (sent < n) {
    port->counters.tx_dropped.fetch_add(n - sent, std::memory_order_relaxed);
    rte_pktmbuf_free_bulk(pkts + sent, n - sent);
  }
}

void Pmd::output_burst(uint32_t port_no, rte_mbuf** pkts, int n) {
  if (port_no >= kMaxPorts || ports_->by_no[port_no] == nullptr) [[unlikely]] {
    // The port went away after this megaflow was made; its flows are being
    // removed. Count it against the ingress port.
    in_port_->counters.tx_dropped.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    rte_pktmbuf_free_bulk(pkts, static_cast<unsigned>(n));
    return;
  }
  TxBuffer& b = tx_[port_no];
  if (b.n == 0 && n == kBurst) {
    // A whole burst for an empty buffer (one flow's burst to one port) goes
    // out from the caller's array: no copy, and the port stays off the
    // dirty list.
    send(ports_->by_no[port_no], pkts, kBurst);
    return;
  }
  if (b.n == 0) {
    if (n_dirty_ == sizeof(dirty_) / sizeof(dirty_[0])) flush_tx();
    dirty_[n_dirty_++] = static_cast<uint16_t>(port_no);
  }
  while (n > 0) {
    const int k = std::min(n, kBurst - b.n);
    std::memcpy(&b.pkts[b.n], pkts, sizeof(*pkts) * static_cast<size_t>(k));
    b.n = static_cast<uint16_t>(b.n + k);
    pkts += k;
    n -= k;
    if (b.n == kBurst) {
      // Full: send now; the port stays on the dirty list with n = 0.
      send(ports_->by_no[port_no], b.pkts, b.n);
      b.n = 0;
    }
  }
}

void Pmd::flush_tx() {
  for (unsigned d = 0; d < n_dirty_; ++d) {
    TxBuffer& b = tx_[dirty_[d]];
    if (b.n == 0) continue;
    DpPort* port = ports_ != nullptr ? ports_->by_no[dirty_[d]] : nullptr;
    if (port == nullptr) {
      rte_pktmbuf_free_bulk(b.pkts, b.n);
      b.n = 0;
      continue;
    }
    send(port, b.pkts, b.n);
    b.n = 0;
  }
  n_dirty_ = 0;
}

PmdStatsSnapshot Pmd::snapshot() const {
  PmdStatsSnapshot s;
  s.pmd = index_;
  s.cpu = cpu_;
  for (int i = 0; i < kStageCount; ++i) s.cycles[i] = stats_.cycles[i].load(std::memory_order_relaxed);
  // parse..tx were timed on sampled bursts only: scale them to the exact
  // cycles of all bursts.
  const uint64_t sampled = sampled_cycles_.load(std::memory_order_relaxed);
  if (sampled > 0) {
    const double scale = static_cast<double>(burst_cycles_.load(std::memory_order_relaxed)) / static_cast<double>(sampled);
    for (int i : {kStageParse, kStageLookup, kStageActions, kStageTx}) {
      s.cycles[i] = static_cast<uint64_t>(static_cast<double>(s.cycles[i]) * scale);
    }
  }
  s.packets = stats_.packets.load(std::memory_order_relaxed);
  s.iterations = stats_.iterations.load(std::memory_order_relaxed);
  s.emc_hits = stats_.emc_hits.load(std::memory_order_relaxed);
  s.batch_hits = stats_.batch_hits.load(std::memory_order_relaxed);
  s.megaflow_hits = stats_.megaflow_hits.load(std::memory_order_relaxed);
  s.misses = stats_.misses.load(std::memory_order_relaxed);
  s.sleeps = stats_.sleeps.load(std::memory_order_relaxed);
  s.tsc_hz = dp_.tsc_hz;
  s.rxqs = poll_list()->n;
  return s;
}

}  // namespace strata::datapath
