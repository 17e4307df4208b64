// `virtio-user`: DPDK's net_virtio_user, stratad as the virtio *frontend*
// of another vhost-user backend (a second switch, a container's vhost app)
// at `path=`. `server=1` makes stratad serve the socket instead.
//
// The backend maps stratad's memory, so it must live in shareable files:
// stratad's EAL runs with --single-file-segments (hugepages) or --no-huge.
#include <sys/socket.h>
#include <sys/un.h>

#include "vnic/port_driver.h"

namespace strata::vnic {
namespace {

class VirtioUserDriver final : public VdevDriver {
 public:
  std::string_view type() const override { return "virtio-user"; }
  std::string_view dpdk_driver() const override { return "net_virtio_user"; }

 protected:
  Result<std::string> devargs(const PortSpec& spec, const QueueLayout& queues) const override {
    auto it = spec.options.find("path");
    if (it == spec.options.end() || it->second.empty()) {
      return invalid_argument("port '" + spec.name + "': type virtio-user needs --opt path=SOCKET");
    }
    if (it->second.size() >= sizeof(sockaddr_un{}.sun_path)) {
      return invalid_argument("port '" + spec.name + "': socket path '" + it->second + "' is too long");
    }
    std::string args = "path=" + it->second + ",queues=" + std::to_string(queues.n_rxq);
    append_arg(args, passthrough_args(spec, {"path"}));
    return args;
  }
};

}  // namespace

std::unique_ptr<PortDriver> make_virtio_user_driver() { return std::make_unique<VirtioUserDriver>(); }

}  // namespace strata::vnic
