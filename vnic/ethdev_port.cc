#include "vnic/ethdev_port.h"

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <atomic>
#include <cstdio>

namespace strata::vnic {

namespace {

constexpr uint16_t kRxDesc = 1024;
constexpr uint16_t kTxDesc = 1024;

// Device names must be unique for the life of the process, even after a
// port of the same name was removed (DPDK may still hold the old name
// briefly), so a counter is appended.
std::string next_device_name(const PortDriver* driver) {
  static std::atomic<unsigned> counter{0};
  std::string prefix = "strata_ring";
  if (auto* vdev = dynamic_cast<const VdevDriver*>(driver)) prefix = std::string(vdev->dpdk_driver()) + "_s";
  return prefix + std::to_string(counter++);
}

Result<uint16_t> parse_n_rxq(const PortSpec& spec) {
  auto it = spec.options.find("n_rxq");
  if (it == spec.options.end()) return uint16_t{1};
  char* end = nullptr;
  long n = std::strtol(it->second.c_str(), &end, 10);
  if (end == it->second.c_str() || *end != '\0' || n < 1 || n > 64) {
    return invalid_argument("port '" + spec.name + "': n_rxq must be 1..64, got '" + it->second + "'");
  }
  return static_cast<uint16_t>(n);
}

}  // namespace

Result<std::unique_ptr<EthdevPort>> EthdevPort::open(const PortSpec& spec, const QueueLayout& wanted,
                                                      rte_mempool* pool) {
  auto driver = find_port_driver(spec.type);
  if (!driver) return driver.status().with_context("port '" + spec.name + "'");
  auto n_rxq = parse_n_rxq(spec);
  if (!n_rxq) return n_rxq.status();
  QueueLayout queues = wanted;
  queues.n_rxq = *n_rxq;

  std::unique_ptr<EthdevPort> port(new EthdevPort(spec, *driver, next_device_name(*driver)));
  auto id = port->driver_->create_device(spec, port->device_name_, queues);
  if (!id) return id.status();
  port->ethdev_id_ = *id;
  port->created_ = true;
  Status st = port->configure_and_start(queues, pool);
  if (!st) {
    // The destructor undoes the creation.
    const std::string hint = port->driver_->failure_hint(spec);
    if (!hint.empty()) st = Status(st.code(), st.message() + " (" + hint + ")");
    return st.with_context("port '" + spec.name + "'");
  }
  return port;
}

Status EthdevPort::configure_and_start(const QueueLayout& queues, rte_mempool* pool) {
  rte_eth_dev_info info{};
  if (rte_eth_dev_info_get(ethdev_id_, &info) != 0) return internal_error("cannot read device info");
  n_rxq_ = queues.n_rxq;
  if (n_rxq_ > info.max_rx_queues) {
    return invalid_argument("device has " + std::to_string(info.max_rx_queues) + " rx queues, n_rxq=" +
                            std::to_string(n_rxq_) + " asked");
  }
  // Fewer tx queues than PMDs is legal: the datapath then shares them.
  n_txq_ = std::max<uint16_t>(1, std::min<uint16_t>(queues.n_txq, info.max_tx_queues));
  if (driver_->equal_rx_tx_queues()) n_txq_ = n_rxq_;

  rte_eth_conf conf{};
  // No VLAN stripping or filtering: tags stay in the frame bytes, where the
  // flow key and the tag actions expect them.
  conf.rxmode.offloads = 0;
  conf.txmode.offloads = info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
  if (int rc = rte_eth_dev_configure(ethdev_id_, n_rxq_, n_txq_, &conf); rc != 0) {
    return internal_error("rte_eth_dev_configure failed: " + std::string(rte_strerror(-rc)));
  }
  uint16_t nb_rx = kRxDesc, nb_tx = kTxDesc;
  rte_eth_dev_adjust_nb_rx_tx_desc(ethdev_id_, &nb_rx, &nb_tx);
  const int socket = rte_eth_dev_socket_id(ethdev_id_);
  for (uint16_t q = 0; q < n_rxq_; ++q) {
    if (int rc = rte_eth_rx_queue_setup(ethdev_id_, q, nb_rx, socket, nullptr, pool); rc != 0) {
      return internal_error("rx queue " + std::to_string(q) + " setup failed: " + rte_strerror(-rc));
    }
  }
  for (uint16_t q = 0; q < n_txq_; ++q) {
    if (int rc = rte_eth_tx_queue_setup(ethdev_id_, q, nb_tx, socket, nullptr); rc != 0) {
      return internal_error("tx queue " + std::to_string(q) + " setup failed: " + rte_strerror(-rc));
    }
  }
  if (int rc = rte_eth_dev_start(ethdev_id_); rc != 0) {
    return internal_error("rte_eth_dev_start failed: " + std::string(rte_strerror(-rc)));
  }
  started_ = true;
  // A switch port must see frames for every MAC.
  rte_eth_promiscuous_enable(ethdev_id_);
  return Status::ok();
}

EthdevPort::~EthdevPort() {
  if (started_) rte_eth_dev_stop(ethdev_id_);
  if (created_) {
    rte_eth_dev_close(ethdev_id_);
    driver_->destroy_device(device_name_);
  }
}

bool EthdevPort::link_up() const {
  rte_eth_link link{};
  if (rte_eth_link_get_nowait(ethdev_id_, &link) != 0) return false;
  return link.link_status == RTE_ETH_LINK_UP;
}

DeviceStats EthdevPort::stats() const {
  rte_eth_stats s{};
  DeviceStats out;
  if (rte_eth_stats_get(ethdev_id_, &s) != 0) return out;
  out.rx_packets = s.ipackets;
  out.rx_bytes = s.ibytes;
  out.rx_dropped = s.imissed + s.rx_nombuf;
  out.rx_errors = s.ierrors;
  out.tx_packets = s.opackets;
  out.tx_bytes = s.obytes;
  out.tx_errors = s.oerrors;
  return out;
}

std::vector<DeviceXstat> EthdevPort::xstats() const {
  // Ask for the count first; a driver may add queues between the calls, so
  // both reads are bounded by what was allocated and the shorter one wins.
  const int n = rte_eth_xstats_get_names(ethdev_id_, nullptr, 0);
  if (n <= 0) return {};
  std::vector<rte_eth_xstat_name> names(static_cast<size_t>(n));
  std::vector<rte_eth_xstat> values(static_cast<size_t>(n));
  const int got_names = rte_eth_xstats_get_names(ethdev_id_, names.data(), static_cast<unsigned>(n));
  const int got_values = rte_eth_xstats_get(ethdev_id_, values.data(), static_cast<unsigned>(n));
  if (got_names <= 0 || got_values <= 0) return {};
  const size_t count = static_cast<size_t>(std::min({got_names, got_values, n}));
  // The two lists come in the same order, so values[i] is names[i]'s. Not
  // values[i].id: DPDK 22.11's net_vhost numbers each queue's counters
  // from 0 again, so its tx queues' ids point at its rx queues' names
  // (rx_q0_good_packets appeared twice, the second with the tx count).
  std::vector<DeviceXstat> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(DeviceXstat{names[i].name, values[i].value});
  return out;
}

std::string EthdevPort::mac() const {
  rte_ether_addr a{};
  rte_eth_macaddr_get(ethdev_id_, &a);
  char buf[18];
  std::snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", a.addr_bytes[0], a.addr_bytes[1],
                a.addr_bytes[2], a.addr_bytes[3], a.addr_bytes[4], a.addr_bytes[5]);
  return buf;
}

}  // namespace strata::vnic
