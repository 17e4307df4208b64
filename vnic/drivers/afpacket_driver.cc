// `afpacket`: DPDK's net_af_packet on an existing kernel interface
// (`iface=`), e.g. the host end of a veth into a namespace.
//
// The kernel strips the outermost tag of a received frame into metadata;
// net_af_packet puts it back only while VLAN-strip offload is off, which is
// how ethdev_port.cc configures every port: the switch sees the whole stack.
#include <net/if.h>

#include <algorithm>

#include "vnic/port_driver.h"

namespace strata::vnic {
namespace {

class AfPacketDriver final : public VdevDriver {
 public:
  std::string_view type() const override { return "afpacket"; }
  std::string_view dpdk_driver() const override { return "net_af_packet"; }

 protected:
  Result<std::string> devargs(const PortSpec& spec, const QueueLayout& queues) const override {
    auto it = spec.options.find("iface");
    if (it == spec.options.end() || it->second.empty()) {
      return invalid_argument("port '" + spec.name + "': type afpacket needs --opt iface=NAME");
    }
    if (if_nametoindex(it->second.c_str()) == 0) {
      return invalid_argument("port '" + spec.name + "': interface '" + it->second + "' does not exist");
    }
    // One socket per queue pair; the datapath wants n_txq tx queues.
    const int qpairs = std::max(queues.n_rxq, queues.n_txq);
    std::string args = "iface=" + it->second + ",qpairs=" + std::to_string(qpairs);
    append_arg(args, passthrough_args(spec, {"iface"}));
    return args;
  }
};

}  // namespace

std::unique_ptr<PortDriver> make_afpacket_driver() { return std::make_unique<AfPacketDriver>(); }

}  // namespace strata::vnic
