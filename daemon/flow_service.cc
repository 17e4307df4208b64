#include "daemon/flow_service.h"

#include "daemon/flow_check.h"
#include "daemon/service_guard.h"

namespace strata::daemon {

namespace {

Status no_flow_tables() {
  return unimplemented(
      "this stratad has no flow tables yet: they arrive with ofproto's OpenFlow 1.3 pipeline (issue 6); "
      "the request is well-formed and nothing was changed");
}

}  // namespace

Status FlowService::check_bridge(const std::string& bridge) {
  if (bridge.empty()) return invalid_argument("bridge: a bridge name is required");
  const bool found = loop_.call([&] { return loop_.ofproto().find_bridge(bridge) != nullptr; });
  if (!found) return not_found("bridge: no bridge '" + bridge + "'");
  return Status::ok();
}

grpc::Status FlowService::AddFlows(grpc::ServerContext*, const v1::AddFlowsRequest* req, v1::AddFlowsResponse*) {
  return guarded_call("AddFlows", [&]() -> Status {
    if (req->flows_size() == 0) return invalid_argument("flows: no flow to add");
    for (int i = 0; i < req->flows_size(); ++i) {
      STRATA_RETURN_IF_ERROR(check_flow(req->flows(i), tpids_, "flows[" + std::to_string(i) + "]"));
    }
    STRATA_RETURN_IF_ERROR(check_bridge(req->bridge()));
    return no_flow_tables();
  });
}

grpc::Status FlowService::ModifyFlows(grpc::ServerContext*, const v1::ModifyFlowsRequest* req,
                                      v1::ModifyFlowsResponse*) {
  return guarded_call("ModifyFlows", [&]() -> Status {
    STRATA_RETURN_IF_ERROR(check_flow(req->flow(), tpids_, "flow"));
    STRATA_RETURN_IF_ERROR(check_bridge(req->bridge()));
    return no_flow_tables();
  });
}

grpc::Status FlowService::DeleteFlows(grpc::ServerContext*, const v1::DeleteFlowsRequest* req,
                                      v1::DeleteFlowsResponse*) {
  return guarded_call("DeleteFlows", [&]() -> Status {
    if (req->has_table() && req->table() > kMaxTable) {
      return invalid_argument("table: " + std::to_string(req->table()) + " is out of range 0..254");
    }
    STRATA_RETURN_IF_ERROR(check_flow_match(req->match(), tpids_, "match"));
    if (req->priority() > 65535) return invalid_argument("priority: " + std::to_string(req->priority()) + " is out of range 0..65535");
    STRATA_RETURN_IF_ERROR(check_bridge(req->bridge()));
    return no_flow_tables();
  });
}

grpc::Status FlowService::DumpFlows(grpc::ServerContext*, const v1::DumpFlowsRequest* req, v1::DumpFlowsResponse*) {
  return guarded_call("DumpFlows", [&]() -> Status {
    if (req->has_table() && req->table() > kMaxTable) {
      return invalid_argument("table: " + std::to_string(req->table()) + " is out of range 0..254");
    }
    STRATA_RETURN_IF_ERROR(check_flow_match(req->match(), tpids_, "match"));
    STRATA_RETURN_IF_ERROR(check_bridge(req->bridge()));
    return no_flow_tables();
  });
}

grpc::Status FlowService::PacketIo(grpc::ServerContext*,
                                   grpc::ServerReaderWriter<v1::PacketIoResponse, v1::PacketIoRequest>* stream) {
  return guarded_call("PacketIo", [&]() -> Status {
    v1::PacketIoRequest first;
    if (!stream->Read(&first)) return Status::ok();  // the client left before saying anything
    if (first.kind_case() != v1::PacketIoRequest::kSubscribe) {
      return invalid_argument("subscribe: the first message of a PacketIo stream must be subscribe");
    }
    STRATA_RETURN_IF_ERROR(check_bridge(first.subscribe().bridge()).with_context("subscribe"));
    return unimplemented(
        "PacketIo: packet-in and packet-out need ofproto's OpenFlow pipeline (issue 6), which this stratad "
        "does not have yet");
  });
}

}  // namespace strata::daemon
