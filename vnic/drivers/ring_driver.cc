// `ring`: an ethdev over two rte_rings made by rte_eth_from_rings(), for
// in-process peers (tests, benchmarks) that enqueue frames the switch
// receives and dequeue frames it sends. The rings are named
// ring_rx_name(port) (the switch receives from it) and ring_tx_name(port).
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "vnic/ring_names.h"
#include "vnic/port_driver.h"

namespace strata::vnic {
namespace {

constexpr unsigned kRingSize = 4096;

void free_ring(rte_ring* r) {
  if (r == nullptr) return;
  void* obj = nullptr;
  // Frames left in a ring go back to their pool: a removed port leaks nothing.
  while (rte_ring_dequeue(r, &obj) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(obj));
  rte_ring_free(r);
}

class RingDriver final : public PortDriver {
 public:
  std::string_view type() const override { return "ring"; }

  Result<uint16_t> create_device(const PortSpec& spec, const std::string& device_name,
                                 const QueueLayout& queues) override {
    for (const auto& [k, v] : spec.options) {
      if (!is_generic_option(k)) {
        return invalid_argument("port '" + spec.name + "': type ring takes no option '" + k + "'");
      }
    }
    if (queues.n_rxq != 1) return invalid_argument("port '" + spec.name + "': type ring has one rx queue");
    const std::string rx_name = ring_rx_name(spec.name);
    const std::string tx_name = ring_tx_name(spec.name);
    if (rx_name.size() >= RTE_RING_NAMESIZE) {
      return invalid_argument("port '" + spec.name + "': name too long for a ring port");
    }
    rte_ring* rx = rte_ring_create(rx_name.c_str(), kRingSize, SOCKET_ID_ANY, RING_F_SC_DEQ);
    rte_ring* tx = rte_ring_create(tx_name.c_str(), kRingSize, SOCKET_ID_ANY, RING_F_SC_DEQ);
    if (rx == nullptr || tx == nullptr) {
      free_ring(rx);
      free_ring(tx);
      return resource_exhausted("port '" + spec.name + "': cannot create its rings (name in use?)");
    }
    // Every tx queue feeds the one tx ring (multi-producer), so each PMD
    // and the control thread can have a queue of their own.
    std::vector<rte_ring*> txs(queues.n_txq, tx);
    int port = rte_eth_from_rings(device_name.c_str(), &rx, 1, txs.data(), queues.n_txq, SOCKET_ID_ANY);
    if (port < 0) {
      free_ring(rx);
      free_ring(tx);
      return internal_error("port '" + spec.name + "': rte_eth_from_rings failed");
    }
    names_.emplace_back(device_name, spec.name);
    return static_cast<uint16_t>(port);
  }

  void destroy_device(const std::string& device_name) override {
    for (auto it = names_.begin(); it != names_.end(); ++it) {
      if (it->first != device_name) continue;
      free_ring(rte_ring_lookup(ring_rx_name(it->second).c_str()));
      free_ring(rte_ring_lookup(ring_tx_name(it->second).c_str()));
      names_.erase(it);
      return;
    }
  }

 private:
  std::vector<std::pair<std::string, std::string>> names_;  // device name -> port name (control thread)
};

}  // namespace

std::unique_ptr<PortDriver> make_ring_driver() { return std::make_unique<RingDriver>(); }

}  // namespace strata::vnic
