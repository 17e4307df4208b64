// The strata.v1.Management service (proto/strata/v1/management.proto).
//
// Runs on gRPC's threads. A change is one transaction under `mu_`:
//   1. validate the request against the committed configuration
//      (config_edit.h: pure, field-named errors, nothing touched);
//   2. apply it on the control thread through ControlLoop::call(), which
//      undoes itself on failure (config_apply.h);
//   3. commit the new configuration to the db (fsync'd) and only then reply.
// Removals commit before they apply, additions after, so that whatever
// fails, the db and the switch still agree and nothing is half-done.
// Exceptions never leave a handler: a bad request cannot end the daemon.
#pragma once

#include <atomic>
#include <mutex>

#include "daemon/config_store.h"
#include "daemon/control_loop.h"
#include "daemon/guest_supervisor.h"
#include "strata/v1/management.grpc.pb.h"

namespace strata::daemon {

class ManagementService final : public v1::Management::Service {
 public:
  ManagementService(ControlLoop& loop, ConfigStore& store, GuestSupervisor& guests)
      : loop_(loop), store_(store), guests_(guests) {}

  grpc::Status AddBridge(grpc::ServerContext*, const v1::AddBridgeRequest*, v1::AddBridgeResponse*) override;
  grpc::Status DelBridge(grpc::ServerContext*, const v1::DelBridgeRequest*, v1::DelBridgeResponse*) override;
  grpc::Status ListBridges(grpc::ServerContext*, const v1::ListBridgesRequest*, v1::ListBridgesResponse*) override;
  grpc::Status Show(grpc::ServerContext*, const v1::ShowRequest*, v1::ShowResponse*) override;
  grpc::Status GetConfig(grpc::ServerContext*, const v1::GetConfigRequest*, v1::GetConfigResponse*) override;
  grpc::Status AddPort(grpc::ServerContext*, const v1::AddPortRequest*, v1::AddPortResponse*) override;
  grpc::Status DelPort(grpc::ServerContext*, const v1::DelPortRequest*, v1::DelPortResponse*) override;
  grpc::Status ListPorts(grpc::ServerContext*, const v1::ListPortsRequest*, v1::ListPortsResponse*) override;
  grpc::Status SetController(grpc::ServerContext*, const v1::SetControllerRequest*,
                             v1::SetControllerResponse*) override;
  grpc::Status PortStats(grpc::ServerContext*, const v1::PortStatsRequest*, v1::PortStatsResponse*) override;
  grpc::Status PmdStats(grpc::ServerContext*, const v1::PmdStatsRequest*, v1::PmdStatsResponse*) override;
  grpc::Status DumpDatapathFlows(grpc::ServerContext*, const v1::DumpDatapathFlowsRequest*,
                                 v1::DumpDatapathFlowsResponse*) override;

  // Container DCNs (dcn_service.cc).
  grpc::Status AddDcn(grpc::ServerContext*, const v1::AddDcnRequest*, v1::AddDcnResponse*) override;
  grpc::Status DelDcn(grpc::ServerContext*, const v1::DelDcnRequest*, v1::DelDcnResponse*) override;
  grpc::Status ListDcns(grpc::ServerContext*, const v1::ListDcnsRequest*, v1::ListDcnsResponse*) override;
  grpc::Status AddContainer(grpc::ServerContext*, const v1::AddContainerRequest*, v1::AddContainerResponse*) override;
  grpc::Status DelContainer(grpc::ServerContext*, const v1::DelContainerRequest*, v1::DelContainerResponse*) override;
  grpc::Status ListContainers(grpc::ServerContext*, const v1::ListContainersRequest*,
                              v1::ListContainersResponse*) override;
  grpc::Status WatchContainers(grpc::ServerContext*, const v1::WatchContainersRequest*,
                               grpc::ServerWriter<v1::ListContainersResponse>*) override;

  // strata-hv guests (guest_service.cc).
  grpc::Status AddGuest(grpc::ServerContext*, const v1::AddGuestRequest*, v1::AddGuestResponse*) override;
  grpc::Status DelGuest(grpc::ServerContext*, const v1::DelGuestRequest*, v1::DelGuestResponse*) override;
  grpc::Status ListGuests(grpc::ServerContext*, const v1::ListGuestsRequest*, v1::ListGuestsResponse*) override;
  grpc::Status ControlGuest(grpc::ServerContext*, const v1::ControlGuestRequest*, v1::ControlGuestResponse*) override;

  // Ends every WatchContainers stream (before the server shuts down, so
  // that shutdown does not wait for clients that never cancel).
  void stop_watches() { stopping_.store(true); }

 private:
  // Commits a configuration whose change is already applied; on failure
  // runs `undo` on the control thread and reports that nothing changed.
  Status commit_or_undo(const v1::Config& config, const std::function<void()>& undo);
  // Commits a removal before applying it; restores the db if applying fails.
  Status commit_then_apply(const v1::Config& config, const std::function<Status()>& apply);

  // The configured guest plus its process state.
  v1::GuestStatus guest_status(const v1::Guest& guest) const;

  ControlLoop& loop_;   // the control thread: the only place ofproto is touched
  ConfigStore& store_;  // the db; store_.current() is the committed configuration
  GuestSupervisor& guests_;  // the strata-hv processes (thread-safe; forks on the control thread)
  std::mutex mu_;       // one transaction at a time; guards reads of store_ too
  std::atomic<bool> stopping_{false};  // WatchContainers streams end (any thread sets)
};

}  // namespace strata::daemon
