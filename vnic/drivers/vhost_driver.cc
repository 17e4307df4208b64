// `vhostuser` and `vhostuserclient`: DPDK's net_vhost, the backend of a
// virtio-net device in a VM (QEMU, strata-hv) or a container's DPDK app
// (net_virtio_user).
//
//   vhostuser        stratad serves the socket at `path=`; the VMM connects.
//   vhostuserclient  the VMM serves `path=`; stratad connects, and DPDK's
//                    vhost library reconnects by itself when the VMM
//                    restarts, so traffic resumes without a port change.
//
// Queues: `n_rxq=N` gives N queue pairs. A guest may enable fewer, so the
// device has exactly N tx queues and the datapath shares them under a
// lock, never sending on a queue the guest did not enable.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "vnic/port_driver.h"

namespace strata::vnic {
namespace {

// True when something accepts connections on the unix socket at `path`.
bool socket_is_served(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  const bool served = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return served;
}

class VhostDriver final : public VdevDriver {
 public:
  explicit VhostDriver(bool client) : client_(client) {}
  std::string_view type() const override { return client_ ? "vhostuserclient" : "vhostuser"; }
  std::string_view dpdk_driver() const override { return "net_vhost"; }

 protected:
  Result<std::string> devargs(const PortSpec& spec, const QueueLayout& queues) const override {
    auto it = spec.options.find("path");
    if (it == spec.options.end() || it->second.empty()) {
      return invalid_argument("port '" + spec.name + "': type " + std::string(type()) +
                              " needs --opt path=SOCKET");
    }
    const std::string& path = it->second;
    if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
      return invalid_argument("port '" + spec.name + "': socket path '" + path + "' is too long");
    }
    const std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
    struct stat st {};
    if (!dir.empty() && (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))) {
      return invalid_argument("port '" + spec.name + "': directory '" + dir + "' of the socket does not exist");
    }
    if (!client_ && stat(path.c_str(), &st) == 0) {
      // A socket file left by a previous run is ours to replace; one that
      // someone still serves is not.
      if (!S_ISSOCK(st.st_mode)) {
        return invalid_argument("port '" + spec.name + "': '" + path + "' exists and is not a socket");
      }
      if (socket_is_served(path)) {
        return failed_precondition("port '" + spec.name + "': another process serves '" + path + "'");
      }
      unlink(path.c_str());
    }
    std::string args = "iface=" + path + ",queues=" + std::to_string(queues.n_rxq);
    if (client_) args += ",client=1";
    append_arg(args, passthrough_args(spec, {"path"}));
    return args;
  }

 private:
  bool client_;  // stratad connects (vhostuserclient) rather than serves
};

}  // namespace

std::unique_ptr<PortDriver> make_vhostuser_driver() { return std::make_unique<VhostDriver>(false); }
std::unique_ptr<PortDriver> make_vhostuserclient_driver() { return std::make_unique<VhostDriver>(true); }

}  // namespace strata::vnic
