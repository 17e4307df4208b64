#include "hv/control/server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "hv/os_error.h"

namespace strata::hv::control {
namespace {

void write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client went away; its fd is closed on the next read
    done += size_t(n);
  }
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::listen(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return invalid_argument("--control socket path '" + path + "' is empty or longer than " +
                            std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return os_error("cannot create the control socket");
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return failed_precondition("--control " + path + " exists and is not a socket");
    UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (probe.valid() && ::connect(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      return failed_precondition("--control " + path + " is in use by a running strata-hv");
    }
    ::unlink(path.c_str());  // left behind by one that died
  }
  mode_t old = ::umask(0177);  // the socket is created 0600: it can stop and move the guest
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0) return os_error("cannot bind the control socket " + path);
  if (::listen(fd.get(), 4) != 0) return os_error("cannot listen on the control socket " + path);
  return std::unique_ptr<ControlServer>(new ControlServer(path, std::move(fd)));
}

ControlServer::~ControlServer() { ::unlink(path_.c_str()); }

void ControlServer::poll_fds(std::vector<pollfd>& fds) const {
  fds.push_back({listener_.get(), POLLIN, 0});
  for (const Client& c : clients_) fds.push_back({c.fd.get(), POLLIN, 0});
}

void ControlServer::accept_one() {
  UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!fd.valid()) return;
  if (clients_.size() >= kMaxClients) {
    write_all(fd.get(), format_error(resource_exhausted("too many control clients (" + std::to_string(kMaxClients) + ")")));
    return;
  }
  clients_.push_back({std::move(fd), {}});
}

bool ControlServer::read_client(Client& c, const std::function<std::string(const Result<Request>&)>& handle) {
  char buf[4096];
  ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  c.buffer.append(buf, size_t(n));
  size_t nl;
  while ((nl = c.buffer.find('\n')) != std::string::npos) {
    std::string line = c.buffer.substr(0, nl);
    c.buffer.erase(0, nl + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    write_all(c.fd.get(), handle(parse_request(line)));
  }
  if (c.buffer.size() > kMaxRequestBytes) {
    write_all(c.fd.get(), format_error(invalid_argument("request line longer than " + std::to_string(kMaxRequestBytes) +
                                                        " bytes; closing")));
    return false;
  }
  return true;
}

void ControlServer::serve(std::span<const pollfd> fds, const std::function<std::string(const Result<Request>&)>& handle) {
  if (fds.empty()) return;
  // Clients first (their fds follow the listener's), by fd: a request may
  // take long (a migration), and the vector may not change under us.
  std::vector<int> done;
  for (size_t i = 1; i < fds.size(); ++i) {
    if (!fds[i].revents) continue;
    for (Client& c : clients_) {
      if (c.fd.get() == fds[i].fd && !read_client(c, handle)) done.push_back(c.fd.get());
    }
  }
  std::erase_if(clients_, [&](const Client& c) { return std::find(done.begin(), done.end(), c.fd.get()) != done.end(); });
  if (fds[0].revents & POLLIN) accept_one();
}

}  // namespace strata::hv::control
