// stratactl's connection to stratad: one gRPC channel to --mgmt, a
// deadline per call, and errors turned into CliError with one line that
// says what to do ("cannot reach stratad at unix:/run/strata/stratad.sock:
// ... (is it running? --mgmt ADDR)").
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "strata/v1/flows.grpc.pb.h"
#include "strata/v1/management.grpc.pb.h"

namespace strata::ctl {

// An error for the user: printed as "stratactl: <what>", exit `code`.
class CliError : public std::runtime_error {
 public:
  CliError(const std::string& what, int code = 1) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;  // process exit status
};

inline constexpr int kExitError = 1;  // stratad refused the request, or it cannot be reached
inline constexpr int kExitUsage = 2;  // the command line is wrong

class Client {
 public:
  Client(const std::string& mgmt, std::chrono::milliseconds timeout);

  v1::Management::Stub& management() { return *management_; }
  v1::Flows::Stub& flows() { return *flows_; }

  // A context with this client's deadline.
  std::unique_ptr<grpc::ClientContext> context() const;
  // Throws CliError unless `st` is OK.
  void check(const grpc::Status& st) const;

  // Calls `method` on `stub` and throws on error:
  //   client.call(&v1::Management::Stub::AddBridge, client.management(), req, &resp);
  template <typename Stub, typename Req, typename Resp>
  void call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*), Stub& stub, const Req& req,
            Resp* resp) {
    auto ctx = context();
    check((stub.*method)(ctx.get(), req, resp));
  }

 private:
  std::string mgmt_;                                  // --mgmt as given, for messages
  std::chrono::milliseconds timeout_;                 // per call
  std::shared_ptr<grpc::Channel> channel_;            // the connection
  std::unique_ptr<v1::Management::Stub> management_;  // Management service
  std::unique_ptr<v1::Flows::Stub> flows_;            // Flows service
};

}  // namespace strata::ctl
