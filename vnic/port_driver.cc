#include "vnic/port_driver.h"

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <algorithm>
#include <cstring>

namespace strata::vnic {

namespace {

// The registry: an explicit list, so that linking a static library never
// silently drops a driver.
std::vector<std::unique_ptr<PortDriver>>& registry() {
  static std::vector<std::unique_ptr<PortDriver>> drivers = [] {
    std::vector<std::unique_ptr<PortDriver>> v;
    v.push_back(make_null_driver());
    v.push_back(make_ring_driver());
    v.push_back(make_pcap_driver());
    v.push_back(make_tap_driver());
    v.push_back(make_afpacket_driver());
    v.push_back(make_vhostuser_driver());
    v.push_back(make_vhostuserclient_driver());
    v.push_back(make_virtio_user_driver());
    v.push_back(make_afxdp_driver());
    return v;
  }();
  return drivers;
}

}  // namespace

Result<PortDriver*> find_port_driver(std::string_view type) {
  for (auto& d : registry()) {
    if (d->type() == type) return d.get();
  }
  std::string known;
  for (auto t : port_types()) known += (known.empty() ? "" : ", ") + std::string(t);
  return invalid_argument("unknown port type '" + std::string(type) + "' (known: " + known + ")");
}

std::vector<std::string_view> port_types() {
  std::vector<std::string_view> types;
  for (auto& d : registry()) types.push_back(d->type());
  return types;
}

void VdevDriver::append_arg(std::string& args, const std::string& arg) {
  if (arg.empty()) return;
  if (!args.empty()) args += ',';
  args += arg;
}

std::string VdevDriver::passthrough_args(const PortSpec& spec,
                                         std::initializer_list<std::string_view> consumed) {
  std::string args;
  for (const auto& [k, v] : spec.options) {
    if (is_generic_option(k)) continue;
    if (std::find(consumed.begin(), consumed.end(), k) != consumed.end()) continue;
    append_arg(args, k + "=" + v);
  }
  return args;
}

Result<uint16_t> VdevDriver::create_device(const PortSpec& spec, const std::string& device_name,
                                           const QueueLayout& queues) {
  auto args = devargs(spec, queues);
  if (!args) return args.status();
  if (rte_vdev_init(device_name.c_str(), args->c_str()) != 0) {
    return invalid_argument("DPDK " + std::string(dpdk_driver()) + " refused device arguments '" + *args +
                            "' (see the DPDK log line above)");
  }
  uint16_t port_id = 0;
  if (rte_eth_dev_get_port_by_name(device_name.c_str(), &port_id) != 0) {
    rte_vdev_uninit(device_name.c_str());
    return internal_error("device " + device_name + " was probed but has no ethdev port");
  }
  return port_id;
}

void VdevDriver::destroy_device(const std::string& device_name) { rte_vdev_uninit(device_name.c_str()); }

}  // namespace strata::vnic
