#include "daemon/flow_service.h"

#include <algorithm>
#include <optional>

#include "daemon/flow_check.h"
#include "daemon/flow_convert.h"
#include "daemon/packet_io_stream.h"
#include "daemon/service_guard.h"

namespace strata::daemon {
namespace ofp = ofproto::ofp;

namespace {

// The table selection of a request: one table, or every table.
uint8_t table_of(bool has_table, uint32_t table) { return has_table ? static_cast<uint8_t>(table) : ofp::kTableAll; }

// The entry an OFPFC_ADD of `fm` would replace, if any.
std::optional<ofproto::Rule> replaced_by(ofproto::Ofproto& ofp, const std::string& bridge, const ofproto::FlowMod& fm) {
  ofproto::FlowFilter filter;
  filter.table_id = fm.table_id;
  filter.match = fm.match;
  auto rules = ofp.dump_flows(bridge, filter);
  if (!rules) return std::nullopt;
  for (const auto& r : *rules) {
    if (r.priority == fm.priority && r.match == fm.match) return r;
  }
  return std::nullopt;
}

ofproto::FlowMod readd_of(const ofproto::Rule& r) {
  ofproto::FlowMod fm;
  fm.table_id = r.table_id;
  fm.priority = r.priority;
  fm.cookie = r.cookie;
  fm.match = r.match;
  fm.instructions = r.instructions;
  fm.idle_timeout = r.idle_timeout;
  fm.hard_timeout = r.hard_timeout;
  fm.flags = r.flags;
  return fm;
}

ofproto::FlowMod delete_strict_of(const ofproto::FlowMod& added) {
  ofproto::FlowMod fm;
  fm.command = ofproto::FlowCommand::kDeleteStrict;
  fm.table_id = added.table_id;
  fm.priority = added.priority;
  fm.match = added.match;
  return fm;
}

size_t flow_count(ofproto::Ofproto& ofp, const std::string& bridge) {
  auto all = ofp.dump_flows(bridge);
  return all ? all->size() : 0;
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
    std::vector<ofproto::FlowMod> mods;
    for (int i = 0; i < req->flows_size(); ++i) {
      const std::string f = "flows[" + std::to_string(i) + "]";
      STRATA_RETURN_IF_ERROR(check_flow(req->flows(i), tpids_, f));
      auto fm = to_flow_mod(req->flows(i), f);
      if (!fm) return fm.status();
      mods.push_back(std::move(*fm));
    }
    STRATA_RETURN_IF_ERROR(check_bridge(req->bridge()));
    return loop_.call([&]() -> Status {
      auto& ofp = loop_.ofproto();
      std::vector<std::optional<ofproto::Rule>> replaced;
      for (size_t i = 0; i < mods.size(); ++i) {
        replaced.push_back(replaced_by(ofp, req->bridge(), mods[i]));
        Status st = ofp.flow_mod(req->bridge(), mods[i]);
        if (st) continue;
        // Undo in reverse: remove what was added, restore what it replaced.
        for (size_t j = i; j-- > 0;) {
          (void)ofp.flow_mod(req->bridge(), delete_strict_of(mods[j]));
          if (replaced[j]) (void)ofp.flow_mod(req->bridge(), readd_of(*replaced[j]));
        }
        return st.with_context("flows[" + std::to_string(i) + "]");
      }
      return Status::ok();
    });
  });
}

grpc::Status FlowService::ModifyFlows(grpc::ServerContext*, const v1::ModifyFlowsRequest* req,
                                      v1::ModifyFlowsResponse* resp) {
  return guarded_call("ModifyFlows", [&]() -> Status {
    STRATA_RETURN_IF_ERROR(check_flow(req->flow(), tpids_, "flow"));
    auto fm = to_flow_mod(req->flow(), "flow");
    if (!fm) return fm.status();
    fm->command = req->strict() ? ofproto::FlowCommand::kModifyStrict : ofproto::FlowCommand::kModify;
    STRATA_RETURN_IF_ERROR(check_bridge(req->bridge()));
    return loop_.call([&]() -> Status {
      auto& ofp = loop_.ofproto();
      ofproto::FlowFilter filter;
      filter.table_id = fm->table_id;
      filter.match = fm->match;
      auto selected = ofp.dump_flows(req->bridge(), filter);
      if (!selected) return selected.status().with_context("flow.match");
      uint32_t n = 0;
      for (const auto& r : *selected) {
        if (!req->strict() || (r.priority == fm->priority && r.match == fm->match)) ++n;
      }
      STRATA_RETURN_IF_ERROR(ofp.flow_mod(req->bridge(), *fm).with_context("flow"));
      resp->set_modified(n);
      return Status::ok();
    });
  });
}

grpc::Status FlowService::DeleteFlows(grpc::ServerContext*, const v1::DeleteFlowsRequest* req,
                                      v1::DeleteFlowsResponse* resp) {
  return guarded_call("DeleteFlows", [&]() -> Status {
    if (req->has_table() && req->table() > kMaxTable) {
      return invalid_argument("table: " + std::to_string(req->table()) + " is out of range 0..254");
    }
    if (req->priority() > 65535) {
      return invalid_argument("priority: " + std::to_string(req->priority()) + " is out of range 0..65535");
    }
    STRATA_RETURN_IF_ERROR(check_flow_match(req->match(), tpids_, "match"));
    auto match = to_match(req->match(), "match");
    if (!match) return match.status();
    ofproto::FlowMod fm;
    fm.command = req->strict() ? ofproto::FlowCommand::kDeleteStrict : ofproto::FlowCommand::kDelete;
    fm.table_id = table_of(req->has_table(), req->table());
    fm.priority = static_cast<uint16_t>(req->priority());
    fm.match = *match;
    fm.cookie = req->cookie();
    fm.cookie_mask = req->cookie_mask();
    if (req->has_out_port()) fm.out_port = req->out_port();
    STRATA_RETURN_IF_ERROR(check_bridge(req->bridge()));
    return loop_.call([&]() -> Status {
      auto& ofp = loop_.ofproto();
      const size_t before = flow_count(ofp, req->bridge());
      STRATA_RETURN_IF_ERROR(ofp.flow_mod(req->bridge(), fm));
      const size_t after = flow_count(ofp, req->bridge());
      resp->set_deleted(static_cast<uint32_t>(before > after ? before - after : 0));
      return Status::ok();
    });
  });
}

grpc::Status FlowService::DumpFlows(grpc::ServerContext*, const v1::DumpFlowsRequest* req, v1::DumpFlowsResponse* resp) {
  return guarded_call("DumpFlows", [&]() -> Status {
    if (req->has_table() && req->table() > kMaxTable) {
      return invalid_argument("table: " + std::to_string(req->table()) + " is out of range 0..254");
    }
    STRATA_RETURN_IF_ERROR(check_flow_match(req->match(), tpids_, "match"));
    auto match = to_match(req->match(), "match");
    if (!match) return match.status();
    ofproto::FlowFilter filter;
    filter.table_id = table_of(req->has_table(), req->table());
    filter.match = *match;
    STRATA_RETURN_IF_ERROR(check_bridge(req->bridge()));
    return loop_.call([&]() -> Status {
      auto rules = loop_.ofproto().dump_flows(req->bridge(), filter);
      if (!rules) return rules.status();
      // std::sort, not stable_sort: stable_sort's scratch buffer ignores
      // the 64-byte alignment of the keys inside a Rule. The id (in add
      // order) makes the order total.
      std::sort(rules->begin(), rules->end(), [](const ofproto::Rule& a, const ofproto::Rule& b) {
        if (a.table_id != b.table_id) return a.table_id < b.table_id;
        if (a.priority != b.priority) return a.priority > b.priority;
        return a.id < b.id;
      });
      const uint64_t now = ofproto_now_ms();
      for (const auto& r : *rules) *resp->add_flows() = to_flow_stats(r, now);
      return Status::ok();
    });
  });
}

grpc::Status FlowService::PacketIo(grpc::ServerContext* ctx,
                                   grpc::ServerReaderWriter<v1::PacketIoResponse, v1::PacketIoRequest>* stream) {
  return guarded_call("PacketIo", [&]() -> Status {
    v1::PacketIoRequest first;
    if (!stream->Read(&first)) return Status::ok();  // the client left before saying anything
    if (first.kind_case() != v1::PacketIoRequest::kSubscribe) {
      return invalid_argument("subscribe: the first message of a PacketIo stream must be subscribe");
    }
    const std::string bridge = first.subscribe().bridge();
    STRATA_RETURN_IF_ERROR(check_bridge(bridge).with_context("subscribe"));
    PacketIoStream session(loop_, bridge);
    return session.run(ctx, stream);
  });
}

}  // namespace strata::daemon
