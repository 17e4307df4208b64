// `afpacket`: an AF_PACKET socket on an existing kernel interface
// (`iface=`), e.g. the host end of a veth into a namespace.
//
// Why not DPDK's net_af_packet: the kernel moves the outermost tag of a
// received frame into metadata (tp_vlan_tci, tp_vlan_tpid), and
// net_af_packet puts it back with rte_vlan_insert(), which always writes
// TPID 0x8100: an 802.1ad frame 88a8:100/8100:200 reaches the switch as
// 8100:100/8100:200, in the wrong tag domain (seen on this kernel and DPDK
// 22.11). libpcap's TPACKET ring reader restores the tag with the TPID the
// kernel reports, so this driver uses DPDK's net_pcap on the interface:
// `rx_iface_in` (inbound frames only, so the switch never receives what it
// sent) and `tx_iface`.
#include <net/if.h>

#include "vnic/port_driver.h"

namespace strata::vnic {
namespace {

class AfPacketDriver final : public VdevDriver {
 public:
  std::string_view type() const override { return "afpacket"; }
  std::string_view dpdk_driver() const override { return "net_pcap"; }

 protected:
  Result<std::string> devargs(const PortSpec& spec, const QueueLayout&) const override {
    auto it = spec.options.find("iface");
    if (it == spec.options.end() || it->second.empty()) {
      return invalid_argument("port '" + spec.name + "': type afpacket needs --opt iface=NAME");
    }
    if (if_nametoindex(it->second.c_str()) == 0) {
      return invalid_argument("port '" + spec.name + "': interface '" + it->second + "' does not exist");
    }
    std::string args = "rx_iface_in=" + it->second + ",tx_iface=" + it->second;
    append_arg(args, passthrough_args(spec, {"iface"}));
    return args;
  }
};

}  // namespace

std::unique_ptr<PortDriver> make_afpacket_driver() { return std::make_unique<AfPacketDriver>(); }

}  // namespace strata::vnic
