#include "hv/migration/address.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <charconv>
#include <cstring>

#include "hv/os_error.h"

namespace strata::hv::migration {
namespace {

Result<sockaddr_un> unix_sockaddr(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return invalid_argument("migration socket path '" + path + "' is empty or longer than " +
                            std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

Result<addrinfo*> resolve(const Address& a, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(a.port);
  int rc = ::getaddrinfo(a.host.empty() ? nullptr : a.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) return invalid_argument("cannot resolve '" + a.host + "': " + gai_strerror(rc));
  return res;
}

}  // namespace

Result<Address> parse_address(std::string_view text) {
  Address a;
  a.text = std::string(text);
  if (text.substr(0, 5) == "unix:") {
    a.kind = Address::Kind::kUnix;
    a.path = std::string(text.substr(5));
    auto check = unix_sockaddr(a.path);
    if (!check) return check.status();
    return a;
  }
  if (text.substr(0, 4) == "tcp:") {
    a.kind = Address::Kind::kTcp;
    std::string_view rest = text.substr(4);
    size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) return invalid_argument("'" + a.text + "': expected tcp:HOST:PORT");
    std::string_view host = rest.substr(0, colon), port = rest.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535) {
      return invalid_argument("'" + a.text + "': the port must be 1..65535");
    }
    a.host = std::string(host);
    a.port = uint16_t(p);
    return a;
  }
  return invalid_argument("'" + a.text + "': expected unix:PATH or tcp:HOST:PORT");
}

Result<UniqueFd> connect_to(const Address& a, int timeout_ms) {
  auto try_connect = [timeout_ms, &a](int family, const sockaddr* sa, socklen_t len) -> Result<UniqueFd> {
    UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd.valid()) return os_error("cannot create a socket for " + a.text);
    if (::connect(fd.get(), sa, len) != 0) {
      if (errno != EINPROGRESS && errno != EAGAIN) return os_error("cannot connect to migration destination " + a.text);
      pollfd p{fd.get(), POLLOUT, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) {
        return Status(StatusCode::kUnavailable, "migration destination " + a.text + " did not answer within " +
                                                    std::to_string(timeout_ms / 1000) + " s");
      }
      int err = 0;
      socklen_t elen = sizeof err;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen);
      if (err != 0) return os_error("cannot connect to migration destination " + a.text, err);
    }
    int flags = 0;  // back to blocking: the channel polls with its own timeouts
    ::ioctl(fd.get(), FIONBIO, &flags);
    if (family != AF_UNIX) {
      int one = 1;
      ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
  };
  if (a.kind == Address::Kind::kUnix) {
    auto sa = unix_sockaddr(a.path);
    if (!sa) return sa.status();
    return try_connect(AF_UNIX, reinterpret_cast<const sockaddr*>(&*sa), sizeof *sa);
  }
  auto res = resolve(a, false);
  if (!res) return res.status();
  Status last = unavailable("no address for " + a.text);
  for (addrinfo* ai = *res; ai; ai = ai->ai_next) {
    auto fd = try_connect(ai->ai_family, ai->ai_addr, ai->ai_addrlen);
    if (fd) {
      ::freeaddrinfo(*res);
      return fd;
    }
    last = fd.status();
  }
  ::freeaddrinfo(*res);
  return last;
}

Result<UniqueFd> listen_at(const Address& a) {
  if (a.kind == Address::Kind::kUnix) {
    auto sa = unix_sockaddr(a.path);
    if (!sa) return sa.status();
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return os_error("cannot create a socket for " + a.text);
    mode_t old = ::umask(0177);
    int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&*sa), sizeof *sa);
    ::umask(old);
    if (rc != 0) return os_error("cannot bind " + a.text);
    if (::listen(fd.get(), 1) != 0) return os_error("cannot listen on " + a.text);
    return fd;
  }
  auto res = resolve(a, true);
  if (!res) return res.status();
  Status last = unavailable("no address for " + a.text);
  for (addrinfo* ai = *res; ai; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) continue;
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd.get(), 1) != 0) {
      last = os_error("cannot listen on " + a.text);
      continue;
    }
    ::freeaddrinfo(*res);
    return fd;
  }
  ::freeaddrinfo(*res);
  return last;
}

}  // namespace strata::hv::migration
