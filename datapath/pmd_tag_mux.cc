// The PMD's side of logical ports (tag_mux.h): what happens to a burst that
// arrives on a parent port, and to frames sent on a logical port. Kept out
// of pmd.cc so the main loop stays one screen; only parents of logical
// ports ever come here.
#include <rte_ethdev.h>

#include "datapath/pmd.h"

namespace strata::datapath {

// Splits a parent's burst by tag: each frame's tag is looked up and popped;
// then each logical port's frames, in arrival order, go through the usual
// parse / lookup / execute / send as one burst received on that port.
// Frames whose tag names no logical port are counted on the parent and
// dropped. Returns the TSC when the last burst was sent.
uint64_t Pmd::demux_burst(DpPort* parent, const TagMuxTable& mux, rte_mbuf** pkts, int n, uint64_t t) {
  uint16_t to[kBurst];
  int kept = 0;
  uint64_t unknown = 0;
  for (int i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    const uint16_t no = tag_mux_classify(mux, m);
    // A number the port table does not know yet (or any more): the port
    // is being added or removed; its frames are not delivered.
    if (no == TagMuxTable::kNone || ports_->by_no[no] == nullptr) [[unlikely]] {
      ++unknown;
      rte_pktmbuf_free(m);
      continue;
    }
    tag_mux_pop(m);
    pkts[kept] = m;
    to[kept++] = no;
  }
  if (unknown != 0) parent->counters.unknown_tag.fetch_add(unknown, std::memory_order_relaxed);
  if (kept == 0) return rte_rdtsc();

  rte_mbuf* group[kBurst];
  for (int i = 0; i < kept; ++i) {
    const uint16_t no = to[i];
    if (no == TagMuxTable::kNone) continue;  // already sent with its port's group
    int k = 0;
    uint64_t bytes = 0;
    for (int j = i; j < kept; ++j) {
      if (to[j] != no) continue;
      group[k++] = pkts[j];
      bytes += pkts[j]->pkt_len;
      to[j] = TagMuxTable::kNone;
    }
    DpPort* port = ports_->by_no[no];
    port->logical.rx_packets.fetch_add(static_cast<uint64_t>(k), std::memory_order_relaxed);
    port->logical.rx_bytes.fetch_add(bytes, std::memory_order_relaxed);
    t = process_burst(port, group, k, t);
  }
  return t;
}

// Tags each frame for the parent's wire and sends the burst on the
// parent's device, on this PMD's queue of it. Counted on the logical port.
void Pmd::send_logical(DpPort* port, rte_mbuf** pkts, uint16_t n) {
  uint32_t lens[kBurst];
  uint16_t k = 0;
  for (uint16_t i = 0; i < n; ++i) {
    const uint32_t len = pkts[i]->pkt_len;
    rte_mbuf* m = tag_mux_push(pkts[i], port->mux_tpid, port->mux_tci, dp_.pool);
    if (m == nullptr) [[unlikely]] {
      port->counters.tx_dropped.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    lens[k] = len;
    pkts[k++] = m;
  }
  DpPort* dev = port->parent;
  const uint16_t txq = static_cast<uint16_t>(index_ < dev->n_txq ? index_ : index_ % dev->n_txq);
  if (dev->txq_shared) rte_spinlock_lock(&dev->txq_lock[txq]);
  const uint16_t sent = rte_eth_tx_burst(dev->ethdev_id, txq, pkts, k);
  if (dev->txq_shared) rte_spinlock_unlock(&dev->txq_lock[txq]);
  uint64_t bytes = 0;
  for (uint16_t i = 0; i < sent; ++i) bytes += lens[i];
  port->logical.tx_packets.fetch_add(sent, std::memory_order_relaxed);
  port->logical.tx_bytes.fetch_add(bytes, std::memory_order_relaxed);
  if (sent < k) {
    port->counters.tx_dropped.fetch_add(static_cast<uint64_t>(k - sent), std::memory_order_relaxed);
    rte_pktmbuf_free_bulk(pkts + sent, k - sent);
  }
}

}  // namespace strata::datapath
