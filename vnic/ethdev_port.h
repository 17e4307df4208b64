// EthdevPort: one port of the switch as a DPDK ethdev, whatever its driver.
//
// Owns the device from creation to removal: configure (VLAN stripping off,
// so the switch always sees the whole tag stack in the frame), queue setup
// from the datapath's mempool, start, stats, stop and close. The datapath
// polls and transmits on ethdev_id() directly; this class is control-path
// only and not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "vnic/port_driver.h"
#include "vnic/port_spec.h"

struct rte_mempool;

namespace strata::vnic {

// Counters of the device itself (what DPDK's ethdev reports).
struct DeviceStats {
  uint64_t rx_packets = 0;  // frames received
  uint64_t rx_bytes = 0;    // bytes received
  uint64_t rx_dropped = 0;  // frames the device dropped (no buffer / ring full)
  uint64_t rx_errors = 0;   // erroneous frames
  uint64_t tx_packets = 0;  // frames sent
  uint64_t tx_bytes = 0;    // bytes sent
  uint64_t tx_errors = 0;   // frames the device failed to send
};

// One extended statistic of the device, named as its DPDK driver names it
// (net_vhost: rx_q0_good_packets, tx_q0_size_65_127_packets, ...).
struct DeviceXstat {
  std::string name;    // rte_eth_xstats_get_names()
  uint64_t value = 0;  // rte_eth_xstats_get()
};

class EthdevPort {
 public:
  // Creates, configures and starts the device. `queues.n_txq` is what the
  // datapath wants; the device may give fewer (see n_txq()).
  static Result<std::unique_ptr<EthdevPort>> open(const PortSpec& spec, const QueueLayout& queues,
                                                  rte_mempool* pool);
  ~EthdevPort();  // stops and closes the device, releasing its frames

  EthdevPort(const EthdevPort&) = delete;
  EthdevPort& operator=(const EthdevPort&) = delete;

  const PortSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }
  uint16_t ethdev_id() const { return ethdev_id_; }
  uint16_t n_rxq() const { return n_rxq_; }
  // Transmit queues the device has; fewer than asked means queues are shared.
  uint16_t n_txq() const { return n_txq_; }
  bool link_up() const;
  DeviceStats stats() const;
  // Every extended statistic the driver exposes (per-queue counters and the
  // like), in the driver's order; empty if it has none or cannot say.
  // Control thread only: drivers read them without locks against each other.
  std::vector<DeviceXstat> xstats() const;
  // The MAC address of the device, "aa:bb:cc:dd:ee:ff".
  std::string mac() const;

 private:
  EthdevPort(PortSpec spec, PortDriver* driver, std::string device_name)
      : spec_(std::move(spec)), driver_(driver), device_name_(std::move(device_name)) {}
  Status configure_and_start(const QueueLayout& queues, rte_mempool* pool);

  PortSpec spec_;             // as the user gave it
  PortDriver* driver_;        // the type's driver (registry-owned)
  std::string device_name_;   // the DPDK device name, unique in the process
  uint16_t ethdev_id_ = 0;    // DPDK port id
  uint16_t n_rxq_ = 1;        // configured rx queues
  uint16_t n_txq_ = 1;        // configured tx queues
  bool created_ = false;      // device exists and must be destroyed
  bool started_ = false;      // device started and must be stopped
};

}  // namespace strata::vnic
