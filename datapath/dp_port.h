// DpPort: a port as the fast path sees it: the ethdev to poll and send on,
// how its transmit queues are shared, its upcall ring and the counters the
// devices do not keep. Created and destroyed by the control thread; PMDs
// reach it only through the RCU-published PortTable.
#pragma once

#include <rte_ring.h>
#include <rte_spinlock.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "vnic/ethdev_port.h"

namespace strata::datapath {

// Datapath port numbers are small integers, an index into PortTable.
inline constexpr uint32_t kMaxPorts = 1024;
inline constexpr uint32_t kInvalidPort = UINT32_MAX;
inline constexpr unsigned kMaxPmds = 32;

// Software counters: frames the devices never saw or never counted.
struct alignas(64) PortCounters {
  std::atomic<uint64_t> malformed{0};       // runts, truncated tags, too many tags (PMDs)
  std::atomic<uint64_t> tx_dropped{0};      // tx queue full, or port gone mid-flight (PMDs, control)
  std::atomic<uint64_t> upcall_dropped{0};  // upcall ring full: this port's share is used up (PMDs)
  std::atomic<uint64_t> upcalls{0};         // frames sent to the slow path (PMDs)
};

struct DpPort {
  uint32_t port_no = kInvalidPort;          // datapath port number (immutable)
  std::unique_ptr<vnic::EthdevPort> dev;    // the device (control thread owns)
  uint16_t ethdev_id = 0;                   // dev->ethdev_id(), cached for the fast path
  uint16_t n_txq = 1;                       // tx queues the device has
  bool txq_shared = false;                  // fewer txqs than senders: take txq_lock
  rte_ring* upcall_ring = nullptr;          // misses of this port, MP/SC (PMDs enqueue, control dequeues)
  PortCounters counters;                    // software counters
  std::array<rte_spinlock_t, 64> txq_lock;  // one per txq, used only when txq_shared
};

// The ports by number, published with RCU: PMDs load the pointer once per
// iteration; the control thread copies, edits and swaps it.
struct PortTable {
  std::array<DpPort*, kMaxPorts> by_no{};  // nullptr = no such port
};

}  // namespace strata::datapath
