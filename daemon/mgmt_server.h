// The gRPC server of stratad. Two steps, so that a second stratad on the
// same address fails before it starts DPDK:
//   claim()  at start: for a Unix socket, create its directory if missing,
//            take FILE.lock (flock) and refuse when another process holds
//            it or answers on the socket; a stale socket file is removed.
//   serve()  once the control loop exists: bind with umask 0177, so the
//            socket is mode 0600 from its first instant, register the
//            services and start gRPC's threads.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <vector>

#include "base/status.h"
#include "daemon/mgmt_address.h"

namespace strata::daemon {

class MgmtServer {
 public:
  static Result<std::unique_ptr<MgmtServer>> claim(const MgmtAddress& address);
  ~MgmtServer();
  MgmtServer(const MgmtServer&) = delete;
  MgmtServer& operator=(const MgmtServer&) = delete;

  // Starts serving `services` (which must outlive the server).
  Status serve(const std::vector<grpc::Service*>& services);
  // Stops accepting calls, cancels those still running after `grace`,
  // waits for every handler to return, removes the socket file. The
  // control loop must keep running meanwhile: handlers wait on it.
  void shutdown(std::chrono::milliseconds grace);

  const MgmtAddress& address() const { return address_; }

 private:
  explicit MgmtServer(MgmtAddress address) : address_(std::move(address)) {}

  MgmtAddress address_;                  // where we listen
  int lock_fd_ = -1;                     // Unix: SOCKET.lock, held while we live
  std::unique_ptr<grpc::Server> server_; // running server, after serve()
};

}  // namespace strata::daemon
