// PortDriver: what one port type (null, ring, tap, ...) knows, and nothing
// more. Like OVS's netdev_class, the datapath never asks which driver a port
// has: every driver yields a DPDK ethdev, and from then on all ports are
// polled and counted the same way (ethdev_port.h).
//
// A driver validates the user's options, turns them into a DPDK device and
// tears that device down again. Options a driver does not consume pass
// through to the DPDK device arguments (docs/DESIGN.md: "Other --opt keys pass
// through to the DPDK device arguments where they mean something there").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "vnic/port_spec.h"

namespace strata::vnic {

class PortDriver {
 public:
  virtual ~PortDriver() = default;

  // The --type name users write: "null", "tap", ...
  virtual std::string_view type() const = 0;

  // Checks the spec and creates the DPDK device named `device_name`, unique
  // in this process. Returns the new ethdev port id. Must leave nothing
  // behind on error.
  virtual Result<uint16_t> create_device(const PortSpec& spec, const std::string& device_name,
                                         const QueueLayout& queues) = 0;

  // Releases what create_device() made, after the ethdev is stopped and closed.
  virtual void destroy_device(const std::string& device_name) = 0;

  // True for devices that refuse different rx and tx queue counts (net_tap):
  // they get as many tx queues as rx queues, and the datapath shares them.
  virtual bool equal_rx_tx_queues() const { return false; }

  // Added to a failure while configuring or starting the device: what the
  // user should check (kernel features, permissions).
  virtual std::string failure_hint(const PortSpec&) const { return {}; }

  // Options that are Strata's own, not the driver's or DPDK's.
  static bool is_generic_option(const std::string& key) { return key == "n_rxq"; }
};

// A driver for a DPDK virtual device (net_null, net_tap, ...): the subclass
// maps options to device arguments; probing and removal are common.
class VdevDriver : public PortDriver {
 public:
  Result<uint16_t> create_device(const PortSpec& spec, const std::string& device_name,
                                 const QueueLayout& queues) override;
  void destroy_device(const std::string& device_name) override;

  // The DPDK driver name, e.g. "net_null"; device names start with it.
  virtual std::string_view dpdk_driver() const = 0;

 protected:
  // Builds the devargs string ("iface=veth0,qpairs=2") from the spec.
  virtual Result<std::string> devargs(const PortSpec& spec, const QueueLayout& queues) const = 0;

  // "k1=v1,k2=v2" of the options not in `consumed` and not generic.
  static std::string passthrough_args(const PortSpec& spec, std::initializer_list<std::string_view> consumed);
  // Appends ",arg" (or "arg" to an empty string).
  static void append_arg(std::string& args, const std::string& arg);
};

// The driver for `type`, or NOT_FOUND naming the known types.
Result<PortDriver*> find_port_driver(std::string_view type);
// Every known type, for help texts and errors.
std::vector<std::string_view> port_types();

// Factories, one per driver file.
std::unique_ptr<PortDriver> make_null_driver();
std::unique_ptr<PortDriver> make_ring_driver();
std::unique_ptr<PortDriver> make_pcap_driver();
std::unique_ptr<PortDriver> make_tap_driver();
std::unique_ptr<PortDriver> make_afpacket_driver();
std::unique_ptr<PortDriver> make_vhostuser_driver();
std::unique_ptr<PortDriver> make_vhostuserclient_driver();
std::unique_ptr<PortDriver> make_virtio_user_driver();
std::unique_ptr<PortDriver> make_afxdp_driver();

}  // namespace strata::vnic
