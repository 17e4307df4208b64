// `afxdp`: DPDK's net_af_xdp, an AF_XDP socket per queue on a kernel
// interface (`iface=`, e.g. a veth into a namespace or a container DCN).
// Frames reach the switch before the kernel's stack touches them, so tag
// stacks arrive whole. Zero-copy where the driver allows it, copy mode
// otherwise (libxdp decides; `force_copy=1` passes through).
#include <net/if.h>

#include <filesystem>

#include "vnic/port_driver.h"

namespace strata::vnic {
namespace {

// Receive queues the kernel interface has (veths have one per CPU or one).
int kernel_rx_queues(const std::string& iface) {
  std::error_code ec;
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/sys/class/net/" + iface + "/queues", ec)) {
    if (e.path().filename().string().rfind("rx-", 0) == 0) ++n;
  }
  return n;
}

class AfXdpDriver final : public VdevDriver {
 public:
  std::string_view type() const override { return "afxdp"; }
  std::string_view dpdk_driver() const override { return "net_af_xdp"; }

  std::string failure_hint(const PortSpec& spec) const override {
    auto it = spec.options.find("iface");
    return "AF_XDP on '" + (it == spec.options.end() ? std::string("?") : it->second) +
           "' needs a kernel with XDP sockets (CONFIG_XDP_SOCKETS), CAP_NET_ADMIN and CAP_BPF, and an interface"
           " that is up with no other XDP program in the way";
  }

 protected:
  Result<std::string> devargs(const PortSpec& spec, const QueueLayout& queues) const override {
    auto it = spec.options.find("iface");
    if (it == spec.options.end() || it->second.empty()) {
      return invalid_argument("port '" + spec.name + "': type afxdp needs --opt iface=NAME");
    }
    if (if_nametoindex(it->second.c_str()) == 0) {
      return invalid_argument("port '" + spec.name + "': interface '" + it->second + "' does not exist");
    }
    const int have = kernel_rx_queues(it->second);
    if (have > 0 && queues.n_rxq > have) {
      return invalid_argument("port '" + spec.name + "': interface '" + it->second + "' has " +
                              std::to_string(have) + " rx queue(s), n_rxq=" + std::to_string(queues.n_rxq) +
                              " asked");
    }
    std::string args = "iface=" + it->second + ",start_queue=0,queue_count=" + std::to_string(queues.n_rxq);
    append_arg(args, passthrough_args(spec, {"iface"}));
    return args;
  }
};

}  // namespace

std::unique_ptr<PortDriver> make_afxdp_driver() { return std::make_unique<AfXdpDriver>(); }

}  // namespace strata::vnic
