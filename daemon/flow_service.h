// The strata.v1.Flows service (proto/strata/v1/flows.proto): native flows
// on ofproto's OpenFlow pipeline (the same tables ovs-ofctl sees), and the
// PacketIo stream.
//
// Requests are checked in full first (flow_check.h, flow_convert.h:
// field-named errors; an unknown bridge is NOT_FOUND), then applied on the
// control thread in one ControlLoop::call(), so a multi-flow AddFlows is
// all-or-nothing: if the pipeline refuses flow k, the flows 0..k-1 are
// removed again and any entry they replaced is put back.
#pragma once

#include "daemon/control_loop.h"
#include "l2tags/tpid_set.h"
#include "strata/v1/flows.grpc.pb.h"

namespace strata::daemon {

class FlowService final : public v1::Flows::Service {
 public:
  FlowService(ControlLoop& loop, const l2tags::TpidSet& tpids) : loop_(loop), tpids_(tpids) {}

  grpc::Status AddFlows(grpc::ServerContext*, const v1::AddFlowsRequest*, v1::AddFlowsResponse*) override;
  grpc::Status ModifyFlows(grpc::ServerContext*, const v1::ModifyFlowsRequest*, v1::ModifyFlowsResponse*) override;
  grpc::Status DeleteFlows(grpc::ServerContext*, const v1::DeleteFlowsRequest*, v1::DeleteFlowsResponse*) override;
  grpc::Status DumpFlows(grpc::ServerContext*, const v1::DumpFlowsRequest*, v1::DumpFlowsResponse*) override;
  grpc::Status PacketIo(grpc::ServerContext*,
                        grpc::ServerReaderWriter<v1::PacketIoResponse, v1::PacketIoRequest>* stream) override;

 private:
  // NOT_FOUND unless the bridge exists (asked on the control thread).
  Status check_bridge(const std::string& bridge);

  ControlLoop& loop_;      // the control thread, owner of ofproto
  l2tags::TpidSet tpids_;  // recognised TPIDs (fixed at start)
};

}  // namespace strata::daemon
