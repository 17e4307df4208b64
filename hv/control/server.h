// ControlServer: the Unix socket of `strata-hv --control SOCKET`. Moves
// request lines in and reply lines out for a few clients at once; what a
// request means is the caller's (Vmm). Runs on the shim's main thread,
// inside its poll loop: no thread of its own.
#pragma once

#include <poll.h>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "hv/control/request.h"
#include "hv/unique_fd.h"

namespace strata::hv::control {

class ControlServer {
 public:
  static constexpr size_t kMaxClients = 8;  // one more is accepted, told why, and closed

  // Binds and listens at `path` (mode 0600). A socket file left behind by
  // a dead strata-hv is replaced; one that still answers is refused.
  static Result<std::unique_ptr<ControlServer>> listen(const std::string& path);
  ~ControlServer();

  // Appends the fds to poll (the listener and each client) to `fds`.
  void poll_fds(std::vector<pollfd>& fds) const;
  // Serves what `fds` (the entries poll_fds appended, after poll) says is
  // ready: accepts, reads lines, answers each with `handle`'s reply.
  void serve(std::span<const pollfd> fds, const std::function<std::string(const Result<Request>&)>& handle);

  const std::string& path() const { return path_; }

 private:
  struct Client {
    UniqueFd fd;         // the connection
    std::string buffer;  // bytes read that do not yet end in a newline
  };
  explicit ControlServer(std::string path, UniqueFd fd) : path_(std::move(path)), listener_(std::move(fd)) {}
  void accept_one();
  // False when the client is done (closed, error, or over-long line).
  bool read_client(Client& c, const std::function<std::string(const Result<Request>&)>& handle);

  std::string path_;             // the socket file, removed on destruction
  UniqueFd listener_;            // listening socket
  std::vector<Client> clients_;  // connected clients
};

}  // namespace strata::hv::control
