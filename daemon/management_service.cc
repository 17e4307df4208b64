#include "daemon/management_service.h"

#include <spdlog/spdlog.h>

#include "daemon/config_apply.h"
#include "daemon/config_edit.h"
#include "daemon/service_guard.h"
#include "daemon/state_view.h"

namespace strata::daemon {

namespace {

// A change the request asked for and the switch could not make: the
// request was valid, the state of the host is in the way (a TCP port in
// use, a device that will not open). UNAVAILABLE would read as "stratad
// is unreachable" to clients, so it becomes FAILED_PRECONDITION.
Status applied(Status st, const std::string& field) {
  if (st) return st;
  const StatusCode code = st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kInternal ||
                                  st.code() == StatusCode::kUnknown
                              ? StatusCode::kFailedPrecondition
                              : st.code();
  return Status(code, field + ": " + st.message());
}

}  // namespace

Status ManagementService::commit_or_undo(const v1::Config& config, const std::function<void()>& undo) {
  Status st = store_.commit(config);
  if (st) return st;
  loop_.call(undo);
  spdlog::error("mgmt: {}; the change was undone", st.message());
  return internal_error(st.message() + "; nothing changed");
}

Status ManagementService::commit_then_apply(const v1::Config& config, const std::function<Status()>& apply) {
  const v1::Config before = store_.current();
  if (Status st = store_.commit(config); !st) return internal_error(st.message() + "; nothing changed");
  Status applied = loop_.call(apply);
  if (applied) return applied;
  // The switch refused a removal it had accepted as valid: put the db back
  // so that it keeps describing the switch.
  if (Status back = store_.commit(before); !back) spdlog::error("mgmt: cannot restore the db: {}", back.message());
  return applied;
}

grpc::Status ManagementService::AddBridge(grpc::ServerContext*, const v1::AddBridgeRequest* req,
                                          v1::AddBridgeResponse* resp) {
  return guarded_call("AddBridge", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto edit = edit_add_bridge(store_.current(), req->bridge());
    if (!edit) return edit.status();
    auto& ofp = loop_.ofproto();
    STRATA_RETURN_IF_ERROR(applied(loop_.call([&] { return apply_add_bridge(ofp, edit->plan); }), "bridge"));
    const std::string name = edit->plan.name;
    STRATA_RETURN_IF_ERROR(commit_or_undo(edit->config, [&] { (void)ofp.del_bridge(name); }));
    spdlog::info("mgmt: added bridge {} with {} port(s)", name, edit->plan.ports.size());
    auto status = loop_.call([&] { return bridge_status(store_.current(), name, ofp, loop_.datapath()); });
    if (status) *resp->mutable_bridge() = std::move(*status);
    return Status::ok();
  });
}

grpc::Status ManagementService::DelBridge(grpc::ServerContext*, const v1::DelBridgeRequest* req,
                                          v1::DelBridgeResponse*) {
  return guarded_call("DelBridge", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto edited = edit_del_bridge(store_.current(), req->bridge());
    if (!edited) return edited.status();
    auto& ofp = loop_.ofproto();
    STRATA_RETURN_IF_ERROR(commit_then_apply(*edited, [&] { return ofp.del_bridge(req->bridge()); }));
    spdlog::info("mgmt: removed bridge {}", req->bridge());
    return Status::ok();
  });
}

grpc::Status ManagementService::ListBridges(grpc::ServerContext*, const v1::ListBridgesRequest*,
                                            v1::ListBridgesResponse* resp) {
  return guarded_call("ListBridges", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& b : store_.current().bridges()) resp->add_bridges(b.name());
    return Status::ok();
  });
}

grpc::Status ManagementService::Show(grpc::ServerContext*, const v1::ShowRequest* req, v1::ShowResponse* resp) {
  return guarded_call("Show", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto out = loop_.call([&] { return show(store_.current(), req->bridge(), loop_.ofproto(), loop_.datapath()); });
    if (!out) return out.status();
    *resp = std::move(*out);
    for (const auto& g : store_.current().guests()) {
      if (req->bridge().empty() || g.bridge() == req->bridge()) *resp->add_guests() = guest_status(g);
    }
    return Status::ok();
  });
}

grpc::Status ManagementService::GetConfig(grpc::ServerContext*, const v1::GetConfigRequest*,
                                          v1::GetConfigResponse* resp) {
  return guarded_call("GetConfig", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    *resp->mutable_config() = store_.current();
    return Status::ok();
  });
}

grpc::Status ManagementService::AddPort(grpc::ServerContext*, const v1::AddPortRequest* req,
                                        v1::AddPortResponse* resp) {
  return guarded_call("AddPort", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto edit = edit_add_port(store_.current(), req->bridge(), req->port());
    if (!edit) return edit.status();
    auto& ofp = loop_.ofproto();
    STRATA_RETURN_IF_ERROR(applied(loop_.call([&] { return apply_add_port(ofp, edit->bridge, edit->plan); }), "port"));
    const std::string port = edit->plan.spec.name;
    STRATA_RETURN_IF_ERROR(commit_or_undo(edit->config, [&] { (void)ofp.del_port(edit->bridge, port); }));
    spdlog::info("mgmt: added port {} to bridge {}", port, edit->bridge);
    auto status = loop_.call([&] { return port_status(store_.current(), edit->bridge, port, ofp, loop_.datapath()); });
    if (status) *resp->mutable_port() = std::move(*status);
    return Status::ok();
  });
}

grpc::Status ManagementService::DelPort(grpc::ServerContext*, const v1::DelPortRequest* req, v1::DelPortResponse*) {
  return guarded_call("DelPort", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto edited = edit_del_port(store_.current(), req->bridge(), req->port());
    if (!edited) return edited.status();
    auto& ofp = loop_.ofproto();
    STRATA_RETURN_IF_ERROR(commit_then_apply(*edited, [&] { return ofp.del_port(req->bridge(), req->port()); }));
    spdlog::info("mgmt: removed port {} from bridge {}", req->port(), req->bridge());
    return Status::ok();
  });
}

grpc::Status ManagementService::ListPorts(grpc::ServerContext*, const v1::ListPortsRequest* req,
                                          v1::ListPortsResponse* resp) {
  return guarded_call("ListPorts", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto b = loop_.call([&] { return bridge_status(store_.current(), req->bridge(), loop_.ofproto(), loop_.datapath()); });
    if (!b) return b.status();
    for (auto& p : *b->mutable_ports()) *resp->add_ports() = std::move(p);
    return Status::ok();
  });
}

grpc::Status ManagementService::SetController(grpc::ServerContext*, const v1::SetControllerRequest* req,
                                              v1::SetControllerResponse*) {
  return guarded_call("SetController", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    const std::vector<std::string> targets(req->targets().begin(), req->targets().end());
    auto edited = edit_set_controller(store_.current(), req->bridge(), targets);
    if (!edited) return edited.status();
    auto old = find_bridge(store_.current(), req->bridge());
    const std::vector<std::string> before((*old)->controllers().begin(), (*old)->controllers().end());
    // The same list again changes nothing (and must not re-bind listeners).
    if (targets == before) return Status::ok();
    // Listening can fail (a port in use): the connection manager is then
    // left as it was.
    auto& ofp = loop_.ofproto();
    STRATA_RETURN_IF_ERROR(
        applied(loop_.call([&] { return ofp.set_controllers(req->bridge(), targets); }), "targets"));
    STRATA_RETURN_IF_ERROR(commit_or_undo(*edited, [&] { (void)ofp.set_controllers(req->bridge(), before); }));
    std::string list;
    for (const auto& t : targets) {
      if (!list.empty()) list += ' ';
      list += t;
    }
    spdlog::info("mgmt: bridge {} controllers: {}", req->bridge(), list.empty() ? "none" : list);
    return Status::ok();
  });
}

grpc::Status ManagementService::PortStats(grpc::ServerContext*, const v1::PortStatsRequest* req,
                                          v1::PortStatsResponse* resp) {
  return guarded_call("PortStats", [&]() -> Status {
    auto out = loop_.call([&] { return port_stats(req->bridge(), loop_.ofproto(), loop_.datapath()); });
    if (!out) return out.status();
    *resp = std::move(*out);
    return Status::ok();
  });
}

grpc::Status ManagementService::PmdStats(grpc::ServerContext*, const v1::PmdStatsRequest*,
                                         v1::PmdStatsResponse* resp) {
  return guarded_call("PmdStats", [&]() -> Status {
    *resp = loop_.call([&] { return pmd_stats(loop_.datapath()); });
    return Status::ok();
  });
}

grpc::Status ManagementService::DumpDatapathFlows(grpc::ServerContext*, const v1::DumpDatapathFlowsRequest* req,
                                                  v1::DumpDatapathFlowsResponse* resp) {
  return guarded_call("DumpDatapathFlows", [&]() -> Status {
    auto out = loop_.call([&] { return datapath_flows(req->bridge(), loop_.ofproto(), loop_.datapath()); });
    if (!out) return out.status();
    *resp = std::move(*out);
    return Status::ok();
  });
}

}  // namespace strata::daemon
