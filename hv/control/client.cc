#include "hv/control/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hv/unique_fd.h"

namespace strata::hv::control {

Result<std::string> call(const std::string& socket_path, const Request& r, int timeout_ms) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof addr.sun_path) {
    return invalid_argument("control socket path '" + socket_path + "' is empty or too long");
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid() || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return unavailable("cannot connect to strata-hv's control socket " + socket_path + ": " + std::strerror(errno));
  }
  const std::string line = format_request(r);
  if (::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) != ssize_t(line.size())) {
    return unavailable("cannot send to " + socket_path + ": " + std::strerror(errno));
  }
  std::string reply;
  char buf[4096];
  while (reply.find('\n') == std::string::npos) {
    pollfd p{fd.get(), POLLIN, 0};
    int rc = ::poll(&p, 1, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) {
      return Status(StatusCode::kDeadlineExceeded, "strata-hv did not answer on " + socket_path + " within " +
                                                       std::to_string(timeout_ms / 1000) + " s");
    }
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n <= 0) return unavailable(socket_path + " closed the connection without a reply");
    reply.append(buf, size_t(n));
    if (reply.size() > kMaxRequestBytes * 8) return invalid_argument("strata-hv's reply is too long");
  }
  reply.resize(reply.find('\n'));
  STRATA_RETURN_IF_ERROR(parse_reply(reply));
  return reply;
}

}  // namespace strata::hv::control
