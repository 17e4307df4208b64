// `null`: DPDK's net_null. A sink that discards what it is sent and, unless
// `no-rx=1`, a source of zero-filled frames. Benchmarks use it as the sink.
#include "vnic/port_driver.h"

namespace strata::vnic {
namespace {

class NullDriver final : public VdevDriver {
 public:
  std::string_view type() const override { return "null"; }
  std::string_view dpdk_driver() const override { return "net_null"; }

 protected:
  Result<std::string> devargs(const PortSpec& spec, const QueueLayout&) const override {
    auto it = spec.options.find("no-rx");
    if (it != spec.options.end() && it->second != "0" && it->second != "1") {
      return invalid_argument("port '" + spec.name + "': no-rx must be 0 or 1, got '" + it->second + "'");
    }
    return passthrough_args(spec, {});
  }
};

}  // namespace

std::unique_ptr<PortDriver> make_null_driver() { return std::make_unique<NullDriver>(); }

}  // namespace strata::vnic
