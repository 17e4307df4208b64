// The agent's view of stratad: the containers stratad has for one DCN,
// through the management API (ListContainers once, WatchContainers as a
// stream of the same answer after every change), turned into the specs
// the agent converges to. Only the fields that matter on the DCN side are
// kept (name, tag, address, MAC); ofport and access stack are the
// switch's.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "container-dcn/agent/container_spec.h"
#include "strata/v1/management.grpc.pb.h"

namespace strata::dcn_agent {

// The containers of a DcnStatus as specs (tpid 0 means 0x8100).
std::vector<ContainerSpec> specs_from_dcn(const v1::DcnStatus& dcn);

// A gRPC status as the agent's Status, naming stratad's address.
Status status_from_grpc(const grpc::Status& st, const std::string& mgmt);

class StratadSource {
 public:
  // `mgmt` as --mgmt takes it: unix:PATH, PATH or tcp:HOST:PORT.
  static Result<std::unique_ptr<StratadSource>> connect(const std::string& mgmt);

  // One ListContainers (NOT_FOUND when stratad has no such DCN).
  Result<std::vector<ContainerSpec>> list(const std::string& dcn);

  // WatchContainers: `on_update` gets every answer, until the stream ends;
  // returns how it ended (NOT_FOUND: the DCN is gone or was never there;
  // UNAVAILABLE: stratad stopped or cannot be reached; CANCELLED: cancel()).
  Status watch(const std::string& dcn, const std::function<void(std::vector<ContainerSpec>)>& on_update);

  // Ends a watch() in progress, from any thread.
  void cancel();

 private:
  StratadSource(std::string mgmt, std::shared_ptr<grpc::Channel> channel);

  std::string mgmt_;                                  // as given, for messages
  std::shared_ptr<grpc::Channel> channel_;            // the connection
  std::unique_ptr<v1::Management::Stub> stub_;        // Management service
  std::mutex mutex_;                                  // guards watch_context_, cancelled_
  grpc::ClientContext* watch_context_ = nullptr;      // the watch() in progress, if any
  bool cancelled_ = false;                            // cancel() was called
};

}  // namespace strata::dcn_agent
