// The container DCN calls of strata.v1.Management: the same transaction as
// every other change (management_service.h): validate through the DCN model
// (dcn_edit.h), apply on the control thread (dcn_apply.h), commit, reply.
#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "daemon/dcn_apply.h"
#include "daemon/dcn_edit.h"
#include "daemon/dcn_view.h"
#include "daemon/management_service.h"
#include "daemon/service_guard.h"

namespace strata::daemon {

namespace {

// As in management_service.cc: a valid change the switch could not make
// is the host's state in the way, not stratad being unreachable.
Status applied(Status st, const std::string& field) {
  if (st) return st;
  const StatusCode code = st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kInternal ||
                                  st.code() == StatusCode::kUnknown
                              ? StatusCode::kFailedPrecondition
                              : st.code();
  return Status(code, field + ": " + st.message());
}

// How often a WatchContainers stream looks for a new commit.
constexpr auto kWatchPoll = std::chrono::milliseconds(100);

}  // namespace

grpc::Status ManagementService::AddDcn(grpc::ServerContext*, const v1::AddDcnRequest* req, v1::AddDcnResponse* resp) {
  return guarded_call("AddDcn", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto edit = edit_add_dcn(store_.current(), req->dcn());
    if (!edit) return edit.status();
    auto& ofp = loop_.ofproto();
    STRATA_RETURN_IF_ERROR(applied(loop_.call([&] { return apply_add_dcn(ofp, edit->plan); }), "dcn"));
    STRATA_RETURN_IF_ERROR(commit_or_undo(edit->config, [&] { (void)apply_del_dcn(ofp, edit->plan); }));
    spdlog::info("mgmt: added DCN {} on port {} of bridge {} with {} container(s)", edit->plan.name, edit->plan.vnic,
                 edit->plan.bridge, edit->plan.containers.size());
    auto status = loop_.call([&] { return dcn_status(store_.current(), edit->plan.name, ofp, loop_.datapath()); });
    if (status) *resp->mutable_dcn() = std::move(*status);
    return Status::ok();
  });
}

grpc::Status ManagementService::DelDcn(grpc::ServerContext*, const v1::DelDcnRequest* req, v1::DelDcnResponse*) {
  return guarded_call("DelDcn", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto edit = edit_del_dcn(store_.current(), req->dcn());
    if (!edit) return edit.status();
    auto& ofp = loop_.ofproto();
    STRATA_RETURN_IF_ERROR(commit_then_apply(edit->config, [&] { return apply_del_dcn(ofp, edit->removed); }));
    spdlog::info("mgmt: removed DCN {} and its {} container(s)", req->dcn(), edit->removed.containers.size());
    return Status::ok();
  });
}

grpc::Status ManagementService::ListDcns(grpc::ServerContext*, const v1::ListDcnsRequest*, v1::ListDcnsResponse* resp) {
  return guarded_call("ListDcns", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    *resp = loop_.call([&] {
      v1::ListDcnsResponse out;
      for (const auto& d : store_.current().dcns()) *out.add_dcns() = dcn_status(d, loop_.ofproto(), loop_.datapath());
      return out;
    });
    return Status::ok();
  });
}

grpc::Status ManagementService::AddContainer(grpc::ServerContext*, const v1::AddContainerRequest* req,
                                             v1::AddContainerResponse* resp) {
  return guarded_call("AddContainer", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto edit = edit_add_container(store_.current(), req->dcn(), req->container());
    if (!edit) return edit.status();
    auto& ofp = loop_.ofproto();
    STRATA_RETURN_IF_ERROR(
        applied(loop_.call([&] { return apply_add_container(ofp, edit->bridge, edit->plan); }), "container"));
    const std::string port = edit->plan.port.name;
    STRATA_RETURN_IF_ERROR(commit_or_undo(edit->config, [&] { (void)ofp.del_port(edit->bridge, port); }));
    spdlog::info("mgmt: added container {} to DCN {} (tag {})", port, req->dcn(), edit->plan.vid);
    auto status = loop_.call([&] { return dcn_status(store_.current(), req->dcn(), ofp, loop_.datapath()); });
    if (status) {
      for (const auto& c : status->containers()) {
        if (c.container().name() == port) *resp->mutable_container() = c;
      }
    }
    return Status::ok();
  });
}

grpc::Status ManagementService::DelContainer(grpc::ServerContext*, const v1::DelContainerRequest* req,
                                             v1::DelContainerResponse*) {
  return guarded_call("DelContainer", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto edit = edit_del_container(store_.current(), req->dcn(), req->container());
    if (!edit) return edit.status();
    auto& ofp = loop_.ofproto();
    STRATA_RETURN_IF_ERROR(commit_then_apply(edit->config, [&] { return ofp.del_port(edit->bridge, edit->port); }));
    spdlog::info("mgmt: removed container {} from DCN {}", req->container(), req->dcn());
    return Status::ok();
  });
}

grpc::Status ManagementService::ListContainers(grpc::ServerContext*, const v1::ListContainersRequest* req,
                                               v1::ListContainersResponse* resp) {
  return guarded_call("ListContainers", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto status = loop_.call([&] { return dcn_status(store_.current(), req->dcn(), loop_.ofproto(), loop_.datapath()); });
    if (!status) return status.status();
    *resp->mutable_dcn() = std::move(*status);
    resp->set_generation(store_.commits());
    return Status::ok();
  });
}

// Sends the DCN now, then again after every commit that changed it, until
// the client goes, the DCN goes (NOT_FOUND) or stratad stops (UNAVAILABLE).
// One gRPC thread per watcher, asleep between looks.
grpc::Status ManagementService::WatchContainers(grpc::ServerContext* ctx, const v1::WatchContainersRequest* req,
                                                grpc::ServerWriter<v1::ListContainersResponse>* writer) {
  return guarded_call("WatchContainers", [&]() -> Status {
    uint64_t seen_commits = UINT64_MAX;
    std::string last_sent;
    while (!ctx->IsCancelled()) {
      if (stopping_.load()) return unavailable("stratad is shutting down");
      if (store_.commits() != seen_commits) {
        v1::ListContainersResponse update;
        {
          std::lock_guard<std::mutex> lock(mu_);
          seen_commits = store_.commits();
          auto status =
              loop_.call([&] { return dcn_status(store_.current(), req->dcn(), loop_.ofproto(), loop_.datapath()); });
          if (!status) return status.status();
          *update.mutable_dcn() = std::move(*status);
        }
        // Only when this DCN changed: commits of other objects are not news.
        std::string bytes = update.dcn().SerializeAsString();
        if (bytes != last_sent) {
          update.set_generation(seen_commits);
          if (!writer->Write(update)) return Status::ok();  // the client went
          last_sent = std::move(bytes);
        }
      }
      std::this_thread::sleep_for(kWatchPoll);
    }
    return Status::ok();
  });
}

}  // namespace strata::daemon
