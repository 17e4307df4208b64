// DpPort: a port as the fast path sees it: the ethdev to poll and send on,
// how its transmit queues are shared, its upcall ring and the counters the
// devices do not keep. Created and destroyed by the control thread; PMDs
// reach it only through the RCU-published PortTable.
//
// A *logical* port (tag_mux.h) has no device: it is carried over a parent
// port's device, told apart by its tag; its rx/tx counters are software.
#pragma once

#include <rte_ring.h>
#include <rte_spinlock.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "datapath/tag_mux.h"
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
  std::atomic<uint64_t> unknown_tag{0};     // a mux parent: frames whose tag names no logical port (PMDs)
};

// Counters of a logical port, which has no device to keep them. Frames are
// counted as the logical port sees them: without the parent's tag.
struct alignas(64) LogicalCounters {
  std::atomic<uint64_t> rx_packets{0};  // demultiplexed to it (PMDs)
  std::atomic<uint64_t> rx_bytes{0};
  std::atomic<uint64_t> tx_packets{0};  // handed to the parent's device (PMDs, control)
  std::atomic<uint64_t> tx_bytes{0};
};

struct DpPort {
  uint32_t port_no = kInvalidPort;          // datapath port number (immutable)
  std::unique_ptr<vnic::EthdevPort> dev;    // the device (control thread owns); null for a logical port
  uint16_t ethdev_id = 0;                   // dev->ethdev_id(), cached for the fast path
  std::atomic<const TagMuxTable*> mux{nullptr};  // a mux parent: its logical ports by tag (control
                                                 // publishes, RCU; PMDs read); null: a plain port
  DpPort* parent = nullptr;                 // a logical port: the port it is carried over (immutable;
                                            // the parent outlives it)
  uint16_t mux_tpid = 0;                    // a logical port: its tag on the parent's wire (immutable)
  uint16_t mux_tci = 0;
  std::string name;                         // port name (immutable)
  uint16_t n_txq = 1;                       // tx queues the device has
  bool txq_shared = false;                  // fewer txqs than senders: take txq_lock
  rte_ring* upcall_ring = nullptr;          // misses of this port, MP/SC (PMDs enqueue, control dequeues)
  PortCounters counters;                    // software counters
  std::array<rte_spinlock_t, 64> txq_lock;  // one per txq, used only when txq_shared
  LogicalCounters logical;                  // a logical port's rx/tx counters

  bool is_logical() const { return parent != nullptr; }
};

// The ports by number, published with RCU: PMDs load the pointer once per
// iteration; the control thread copies, edits and swaps it.
struct PortTable {
  std::array<DpPort*, kMaxPorts> by_no{};  // nullptr = no such port
};

}  // namespace strata::datapath
