// `pcap`: DPDK's net_pcap. `rx=FILE` replays a capture (with `infinite_rx=1`
// forever: the benchmark's traffic source); `tx=FILE` writes what the switch
// sends. Without tx= the port discards what it is sent.
#include <sys/stat.h>

#include "vnic/port_driver.h"

namespace strata::vnic {
namespace {

class PcapDriver final : public VdevDriver {
 public:
  std::string_view type() const override { return "pcap"; }
  std::string_view dpdk_driver() const override { return "net_pcap"; }

 protected:
  Result<std::string> devargs(const PortSpec& spec, const QueueLayout&) const override {
    std::string args;
    auto rx = spec.options.find("rx");
    auto tx = spec.options.find("tx");
    if (rx == spec.options.end() && tx == spec.options.end()) {
      return invalid_argument("port '" + spec.name + "': type pcap needs --opt rx=FILE and/or --opt tx=FILE");
    }
    if (rx != spec.options.end()) {
      struct stat st;
      if (stat(rx->second.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return invalid_argument("port '" + spec.name + "': rx file '" + rx->second + "' does not exist");
      }
      append_arg(args, "rx_pcap=" + rx->second);
    }
    if (tx != spec.options.end()) {
      append_arg(args, "tx_pcap=" + tx->second);
    } else {
      // net_pcap needs a tx side; a pcap written to /dev/null discards.
      append_arg(args, "tx_pcap=/dev/null");
    }
    append_arg(args, passthrough_args(spec, {"rx", "tx"}));
    return args;
  }
};

}  // namespace

std::unique_ptr<PortDriver> make_pcap_driver() { return std::make_unique<PcapDriver>(); }

}  // namespace strata::vnic
