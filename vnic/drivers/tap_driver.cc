// `tap`: DPDK's net_tap, a kernel TAP interface named by `iface=` (default
// the port name). No sch_multiq on this kernel means no rte_flow on tap;
// plain rx/tx is all Strata uses.
#include <net/if.h>

#include "vnic/port_driver.h"

namespace strata::vnic {
namespace {

class TapDriver final : public VdevDriver {
 public:
  std::string_view type() const override { return "tap"; }
  std::string_view dpdk_driver() const override { return "net_tap"; }
  // net_tap refuses a configuration with more tx than rx queues.
  bool equal_rx_tx_queues() const override { return true; }

 protected:
  Result<std::string> devargs(const PortSpec& spec, const QueueLayout&) const override {
    auto it = spec.options.find("iface");
    const std::string iface = it != spec.options.end() ? it->second : spec.name;
    if (iface.empty() || iface.size() >= IFNAMSIZ) {
      return invalid_argument("port '" + spec.name + "': iface '" + iface + "' is not a valid interface name");
    }
    std::string args = "iface=" + iface;
    append_arg(args, passthrough_args(spec, {"iface"}));
    return args;
  }
};

}  // namespace

std::unique_ptr<PortDriver> make_tap_driver() { return std::make_unique<TapDriver>(); }

}  // namespace strata::vnic
