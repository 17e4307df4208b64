// Dpif: the narrow interface between the slow path (ofproto) and the
// datapath, in the manner of OVS's dpif_class: ports, megaflows, execute,
// upcalls, stats. ofproto programs the switch only through this, so the
// fast path can change (or a test datapath stand in) without touching it.
//
// Every call is control-thread only.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "datapath/actions.h"
#include "datapath/flow_key.h"
#include "datapath/pmd_stats.h"
#include "datapath/upcall.h"
#include "vnic/port_spec.h"

namespace strata::datapath {

struct DpPortInfo {
  uint32_t port_no = 0;    // datapath port number
  vnic::PortSpec spec;     // as added (a logical port: its name, type "logical")
  bool link_up = false;    // device link state (a logical port: its parent's)
  std::string mac;         // device MAC (a logical port: none)
  bool logical = false;    // a logical port (tag_mux.h), carried over `parent`
  uint32_t parent = 0;     // logical: the parent's datapath port number
  uint16_t mux_tpid = 0;   // logical: its tag on the parent's wire
  uint16_t mux_vid = 0;
};

// A logical port: carried over the device of `parent`, told apart from the
// parent's other logical ports by its tag, the outermost on the parent's
// wire (datapath/tag_mux.h). A container of a DCN is one.
struct LogicalPortSpec {
  std::string name;        // unique among every port
  uint32_t parent = 0;     // datapath port whose device carries it (not itself logical)
  uint16_t tpid = 0x8100;  // its tag: a recognised TPID
  uint16_t vid = 0;        // 1..4094, unique among the parent's logical ports
};

struct DpPortStats {
  uint64_t rx_packets = 0, rx_bytes = 0, rx_dropped = 0, rx_errors = 0;  // from the device
  uint64_t tx_packets = 0, tx_bytes = 0, tx_dropped = 0, tx_errors = 0;  // device + software drops
  uint64_t malformed = 0;       // frames dropped as malformed at parse
  uint64_t upcalls = 0;         // frames sent to the slow path
  uint64_t upcall_dropped = 0;  // frames dropped because the port's upcall share was full
  uint64_t unknown_tag = 0;     // a parent of logical ports: frames whose tag named none (dropped)
};

// One extended statistic of a port's device, as its DPDK driver names it
// (vhost-user: rx_q0_good_packets, tx_q0_good_bytes, ...).
struct DpPortXstat {
  std::string name;    // the driver's name
  uint64_t value = 0;  // since the device started
};

struct MegaflowInfo {
  FlowKey key{};          // masked key
  FlowMask mask{};        // mask
  std::string actions;    // format_actions()
  uint64_t packets = 0;   // frames matched
  uint64_t bytes = 0;     // bytes matched
  uint64_t idle_ms = 0;   // since last use
};

class Dpif {
 public:
  virtual ~Dpif() = default;

  virtual Result<uint32_t> port_add(const vnic::PortSpec& spec) = 0;
  // Makes a device port a parent of logical ports (`enabled`) or a plain
  // port again. A parent receives nothing into the pipeline itself: every
  // frame is demultiplexed by tag to a logical port or counted
  // (unknown_tag) and dropped, also while it has no logical port yet.
  // Disabling a parent that still has logical ports is FAILED_PRECONDITION.
  virtual Status set_tag_mux(uint32_t port_no, bool enabled) = 0;
  // Adds a logical port (see LogicalPortSpec) to a parent. port_del
  // removes it like any other port; a parent with logical ports cannot be
  // removed (FAILED_PRECONDITION).
  virtual Result<uint32_t> logical_port_add(const LogicalPortSpec& spec) = 0;
  virtual Status port_del(uint32_t port_no) = 0;
  virtual std::vector<DpPortInfo> port_list() const = 0;
  virtual Result<DpPortStats> port_stats(uint32_t port_no) const = 0;
  // The device's extended statistics (per-queue counters and the like);
  // read from the device on each call, so cheaper callers use port_stats().
  virtual Result<std::vector<DpPortXstat>> port_xstats(uint32_t port_no) const = 0;

  // Installs a megaflow (key is masked here). ALREADY_EXISTS if the same
  // mask and masked key are installed.
  virtual Status flow_put(const FlowKey& key, const FlowMask& mask, const ActionBuilder& actions) = 0;
  // Removes every megaflow for which `pred` is true; returns how many.
  virtual size_t flow_del_if(const std::function<bool(const MegaflowInfo&)>& pred) = 0;
  virtual void flow_flush() = 0;
  virtual std::vector<MegaflowInfo> flow_dump() const = 0;

  // Runs `actions` on `packet` now, from the control thread (packet-out).
  // Takes ownership of the packet.
  virtual Status execute(rte_mbuf* packet, uint32_t in_port, const ActionBuilder& actions) = 0;
  // Allocates a packet from the datapath's pool holding `bytes`.
  virtual Result<rte_mbuf*> make_packet(const uint8_t* bytes, size_t len) = 0;

  virtual void set_upcall_handler(UpcallHandler* handler) = 0;
  virtual std::vector<PmdStatsSnapshot> pmd_stats() const = 0;
};

}  // namespace strata::datapath
