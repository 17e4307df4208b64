#include "ofproto/of_handler.h"

#include <spdlog/spdlog.h>

#include "ofproto/bridge.h"
#include "ofproto/connmgr.h"
#include "ofproto/table_features.h"

namespace strata::ofproto {

namespace {

using Handler = OfStatus (OfHandler::*)(const OfHandler::Request&);
using MpHandler = OfStatus (OfHandler::*)(const OfHandler::Request&, const std::vector<uint8_t>&);

struct MessageEntry {
  uint8_t type;     // ofp::MsgType
  Handler handler;  // what to do with it
};

// Every type check_message() lets through to the switch has a line here.
constexpr MessageEntry kMessageTable[] = {
    {ofp::kError, &OfHandler::ignore},
    {ofp::kEchoRequest, &OfHandler::echo_request},
    {ofp::kEchoReply, &OfHandler::ignore},
    {ofp::kExperimenter, &OfHandler::experimenter},
    {ofp::kFeaturesRequest, &OfHandler::features},
    {ofp::kGetConfigRequest, &OfHandler::get_config},
    {ofp::kSetConfig, &OfHandler::set_config},
    {ofp::kPacketOut, &OfHandler::packet_out},
    {ofp::kFlowMod, &OfHandler::flow_mod},
    {ofp::kGroupMod, &OfHandler::group_mod},
    {ofp::kPortMod, &OfHandler::port_mod},
    {ofp::kTableMod, &OfHandler::table_mod},
    {ofp::kMultipartRequest, &OfHandler::multipart},
    {ofp::kBarrierRequest, &OfHandler::barrier},
    {ofp::kQueueGetConfigRequest, &OfHandler::queue_get_config},
    {ofp::kRoleRequest, &OfHandler::role},
    {ofp::kGetAsyncRequest, &OfHandler::get_async},
    {ofp::kSetAsync, &OfHandler::set_async},
    {ofp::kMeterMod, &OfHandler::unsupported},
};

struct MultipartEntry {
  uint16_t type;      // ofp::MultipartType
  bool empty_body;    // the request has no body
  MpHandler handler;  // what to do with it
};

constexpr MultipartEntry kMultipartTable[] = {
    {ofp::kMpDesc, true, &OfHandler::mp_desc},
    {ofp::kMpFlow, false, &OfHandler::mp_flow},
    {ofp::kMpAggregate, false, &OfHandler::mp_aggregate},
    {ofp::kMpTable, true, &OfHandler::mp_table},
    {ofp::kMpPortStats, false, &OfHandler::mp_port_stats},
    {ofp::kMpQueue, false, &OfHandler::mp_empty},
    {ofp::kMpGroup, false, &OfHandler::mp_group},
    {ofp::kMpGroupDesc, true, &OfHandler::mp_group_desc},
    {ofp::kMpGroupFeatures, true, &OfHandler::mp_group_features},
    {ofp::kMpMeter, false, &OfHandler::mp_empty},
    {ofp::kMpMeterConfig, false, &OfHandler::mp_empty},
    {ofp::kMpMeterFeatures, true, &OfHandler::mp_meter_features},
    {ofp::kMpTableFeatures, false, &OfHandler::mp_table_features},
    {ofp::kMpPortDesc, true, &OfHandler::mp_port_desc},
};

}  // namespace

void OfHandler::handle(OfSession& s, const OfpHeader& h, const uint8_t* msg, size_t len) {
  const Request r{s, h, msg, len};
  for (const auto& e : kMessageTable) {
    if (e.type != h.type) continue;
    if (OfStatus st = (this->*e.handler)(r); !st) s.send_error(st, msg, len);
    return;
  }
  s.send_error(bad_request(ofp::kBrcBadType, "unhandled message type"), msg, len);
}

void OfHandler::end_batch(OfSession&) {
  // Flow mods are applied as they come; the megaflows they made stale go
  // once per batch (and before any barrier reply).
  bridge_.revalidate();
}

OfStatus OfHandler::check_master(const OfSession& s) const {
  if (s.role == ofp::kRoleSlave) return bad_request(ofp::kBrcIsSlave, "a slave connection may not change the switch");
  return OfStatus::ok();
}

void OfHandler::send_all(OfSession& s, const std::vector<std::vector<uint8_t>>& msgs) {
  for (const auto& m : msgs) s.send(m);
}

OfStatus OfHandler::ignore(const Request&) { return OfStatus::ok(); }

OfStatus OfHandler::unsupported(const Request&) { return bad_request(ofp::kBrcBadType, "message type not supported"); }

OfStatus OfHandler::echo_request(const Request& r) {
  msg::Echo e;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &e));
  r.s.send(encode_message(ofp::kEchoReply, r.h.xid, e));
  return OfStatus::ok();
}

OfStatus OfHandler::features(const Request& r) {
  msg::SwitchFeatures f;
  f.datapath_id = bridge_.datapath_id();
  f.n_buffers = 0;
  f.n_tables = kNumTables;
  f.capabilities = ofp::kCapFlowStats | ofp::kCapTableStats | ofp::kCapPortStats | ofp::kCapGroupStats;
  r.s.send(encode_message(ofp::kFeaturesReply, r.h.xid, f));
  return OfStatus::ok();
}

OfStatus OfHandler::get_config(const Request& r) {
  msg::SwitchConfig c;
  c.flags = r.s.config_flags;
  c.miss_send_len = r.s.miss_send_len;
  r.s.send(encode_message(ofp::kGetConfigReply, r.h.xid, c));
  return OfStatus::ok();
}

OfStatus OfHandler::set_config(const Request& r) {
  msg::SwitchConfig c;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &c));
  if (c.flags & ~ofp::kConfigFragMask) {
    return OfStatus(ofp::kEtSwitchConfigFailed, ofp::kScfcBadFlags, "unknown config flags");
  }
  r.s.config_flags = c.flags;
  r.s.miss_send_len = c.miss_send_len;
  return OfStatus::ok();
}

OfStatus OfHandler::packet_out(const Request& r) {
  STRATA_OF_RETURN_IF_ERROR(check_master(r.s));
  msg::PacketOut po;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &po));
  if (po.buffer_id != ofp::kNoBuffer) return bad_request(ofp::kBrcBufferUnknown, "Strata buffers no packets");
  if (po.data.empty()) return bad_request(ofp::kBrcBadPacket, "packet-out without a frame");
  return bridge_.packet_out(po.in_port, po.actions, po.data.data(), po.data.size());
}

// FLOW_MOD and GROUP_MOD bodies as the pipeline takes them; shared by the
// messages themselves and by bundles, which stage them.
OfStatus decode_flow_mod(const uint8_t* msg, size_t len, FlowMod* fm, uint32_t* buffer_id) {
  msg::FlowModBody b;
  STRATA_OF_RETURN_IF_ERROR(decode_body(msg, len, &b));
  if (b.command > ofp::kFcDeleteStrict) return flow_mod_failed(ofp::kFmfcBadCommand, "unknown flow_mod command");
  *buffer_id = b.buffer_id;
  fm->command = static_cast<FlowCommand>(b.command);
  fm->table_id = b.table_id;
  fm->priority = b.priority;
  fm->cookie = b.cookie;
  fm->cookie_mask = b.cookie_mask;
  fm->match = std::move(b.match);
  fm->instructions = std::move(b.instructions);
  fm->idle_timeout = b.idle_timeout;
  fm->hard_timeout = b.hard_timeout;
  fm->flags = b.flags;
  fm->out_port = b.out_port;
  fm->out_group = b.out_group;
  return OfStatus::ok();
}

OfStatus decode_group_mod(const uint8_t* msg, size_t len, msg::GroupMod* gm) {
  if (OfStatus st = decode_body(msg, len, gm); !st) {
    // A bucket whose length does not add up is a bad bucket, not a bad request.
    if (st.type() == ofp::kEtBadRequest) return group_mod_failed(ofp::kGmfcBadBucket, st.message());
    return st;
  }
  return OfStatus::ok();
}

OfStatus OfHandler::flow_mod(const Request& r) {
  STRATA_OF_RETURN_IF_ERROR(check_master(r.s));
  FlowMod fm;
  uint32_t buffer_id = 0;
  STRATA_OF_RETURN_IF_ERROR(decode_flow_mod(r.msg, r.len, &fm, &buffer_id));
  STRATA_OF_RETURN_IF_ERROR(bridge_.flow_mod(fm));
  // The entry stays; only the frame it names does not exist.
  if (buffer_id != ofp::kNoBuffer) return bad_request(ofp::kBrcBufferUnknown, "Strata buffers no packets");
  return OfStatus::ok();
}

OfStatus OfHandler::group_mod(const Request& r) {
  STRATA_OF_RETURN_IF_ERROR(check_master(r.s));
  msg::GroupMod gm;
  STRATA_OF_RETURN_IF_ERROR(decode_group_mod(r.msg, r.len, &gm));
  return bridge_.group_mod(gm);
}

OfStatus OfHandler::port_mod(const Request& r) {
  STRATA_OF_RETURN_IF_ERROR(check_master(r.s));
  msg::PortMod pm;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &pm));
  const BridgePort* p = bridge_.port(pm.port_no);
  if (p == nullptr) return OfStatus(ofp::kEtPortModFailed, ofp::kPmfcBadPort, "no such port");
  if (bridge_.describe_port(*p).hw_addr != pm.hw_addr) {
    return OfStatus(ofp::kEtPortModFailed, ofp::kPmfcBadHwAddr, "hw_addr is not the port's");
  }
  return bridge_.set_port_config(pm.port_no, pm.config, pm.mask);
}

OfStatus OfHandler::table_mod(const Request& r) {
  STRATA_OF_RETURN_IF_ERROR(check_master(r.s));
  msg::TableMod tm;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &tm));
  if (tm.table_id >= kNumTables && tm.table_id != ofp::kTableAll) {
    return OfStatus(ofp::kEtTableModFailed, ofp::kTmfcBadTable, "no such table");
  }
  if (tm.config & ~3u) return OfStatus(ofp::kEtTableModFailed, ofp::kTmfcBadConfig, "unknown table config");
  return OfStatus::ok();  // 1.3 defines no table config bits beyond the deprecated miss ones
}

OfStatus OfHandler::barrier(const Request& r) {
  bridge_.revalidate();
  r.s.send(encode_message(ofp::kBarrierReply, r.h.xid, msg::Empty{}));
  return OfStatus::ok();
}

OfStatus OfHandler::queue_get_config(const Request& r) {
  msg::QueueGetConfigRequest q;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &q));
  if (q.port != ofp::kPortAny && bridge_.port(q.port) == nullptr) {
    return OfStatus(ofp::kEtQueueOpFailed, 0, "no such port");
  }
  r.s.send(encode_message(ofp::kQueueGetConfigReply, r.h.xid, msg::QueueGetConfigReply{q.port}));
  return OfStatus::ok();
}

OfStatus OfHandler::role(const Request& r) {
  msg::Role req;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &req));
  if (req.role > ofp::kRoleSlave) return OfStatus(ofp::kEtRoleRequestFailed, ofp::kRrfcBadRole, "unknown role");
  if (req.role == ofp::kRoleMaster || req.role == ofp::kRoleSlave) {
    if (!connmgr_.accept_generation(req.generation_id)) {
      return OfStatus(ofp::kEtRoleRequestFailed, ofp::kRrfcStale, "stale generation id");
    }
  }
  if (req.role != ofp::kRoleNoChange) {
    if (req.role == ofp::kRoleMaster) connmgr_.demote_masters(&r.s);
    r.s.role = req.role;
  }
  msg::Role reply;
  reply.role = r.s.role;
  reply.generation_id = connmgr_.generation_id();
  r.s.send(encode_message(ofp::kRoleReply, r.h.xid, reply));
  return OfStatus::ok();
}

OfStatus OfHandler::get_async(const Request& r) {
  r.s.send(encode_message(ofp::kGetAsyncReply, r.h.xid, r.s.async));
  return OfStatus::ok();
}

OfStatus OfHandler::set_async(const Request& r) {
  msg::Async a;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &a));
  r.s.async = a;
  return OfStatus::ok();
}

// ---- multipart -----------------------------------------------------------------

OfStatus OfHandler::multipart(const Request& r) {
  msg::MultipartHeader mp;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &mp));
  if (mp.type == ofp::kMpExperimenter) return bad_request(ofp::kBrcBadExperimenter, "no experimenter multipart");
  for (const auto& e : kMultipartTable) {
    if (e.type != mp.type) continue;
    if (mp.flags & ofp::kMpfMore) return bad_request(ofp::kBrcBadMultipart, "multipart requests in pieces are not supported");
    if (e.empty_body && !mp.body.empty()) return bad_request(ofp::kBrcBadLen, "this multipart request has no body");
    return (this->*e.handler)(r, mp.body);
  }
  return bad_request(ofp::kBrcBadMultipart, "unknown multipart type " + std::to_string(mp.type));
}

OfStatus OfHandler::mp_desc(const Request& r, const std::vector<uint8_t>&) {
  msg::Desc d;
  d.mfr_desc = "The Strata project";
  d.hw_desc = "Strata DPDK datapath";
  d.sw_desc = "stratad 0.1.0";
  d.serial_num = "None";
  d.dp_desc = "bridge " + bridge_.name();
  r.s.send(encode_multipart_single(ofp::kMpDesc, r.h.xid, d));
  return OfStatus::ok();
}

namespace {

OfStatus decode_filter(const std::vector<uint8_t>& body, FlowFilter* f) {
  msg::FlowStatsRequest req;
  STRATA_OF_RETURN_IF_ERROR(decode_bytes(body, &req));
  if (req.table_id >= kNumTables && req.table_id != ofp::kTableAll) {
    return bad_request(ofp::kBrcBadTableId, "no such table");
  }
  f->table_id = req.table_id;
  f->match = req.match;
  f->cookie = req.cookie;
  f->cookie_mask = req.cookie_mask;
  f->out_port = req.out_port;
  f->out_group = req.out_group;
  return OfStatus::ok();
}

void set_duration(uint64_t now, uint64_t since, uint32_t* sec, uint32_t* nsec) {
  const uint64_t age = now > since ? now - since : 0;
  *sec = static_cast<uint32_t>(age / 1000);
  *nsec = static_cast<uint32_t>((age % 1000) * 1000000);
}

}  // namespace

OfStatus OfHandler::mp_flow(const Request& r, const std::vector<uint8_t>& body) {
  FlowFilter filter;
  STRATA_OF_RETURN_IF_ERROR(decode_filter(body, &filter));
  const uint64_t now = bridge_.now_ms();
  std::vector<msg::FlowStats> out;
  for (const Rule* rule : bridge_.select_flows(filter)) {
    msg::FlowStats fs;
    fs.table_id = rule->table_id;
    set_duration(now, rule->created_ms, &fs.duration_sec, &fs.duration_nsec);
    fs.priority = rule->priority;
    fs.idle_timeout = rule->idle_timeout;
    fs.hard_timeout = rule->hard_timeout;
    fs.flags = rule->flags;
    fs.cookie = rule->cookie;
    fs.packet_count = rule->packets;
    fs.byte_count = rule->bytes;
    fs.match = rule->match;
    fs.instructions = rule->instructions;
    out.push_back(std::move(fs));
  }
  send_all(r.s, encode_multipart_list(ofp::kMpFlow, r.h.xid, out));
  return OfStatus::ok();
}

OfStatus OfHandler::mp_aggregate(const Request& r, const std::vector<uint8_t>& body) {
  FlowFilter filter;
  STRATA_OF_RETURN_IF_ERROR(decode_filter(body, &filter));
  msg::AggregateStats a;
  for (const Rule* rule : bridge_.select_flows(filter)) {
    a.packet_count += rule->packets;
    a.byte_count += rule->bytes;
    ++a.flow_count;
  }
  r.s.send(encode_multipart_single(ofp::kMpAggregate, r.h.xid, a));
  return OfStatus::ok();
}

OfStatus OfHandler::mp_table(const Request& r, const std::vector<uint8_t>&) {
  bridge_.harvest();
  std::vector<msg::TableStats> out;
  for (int t = 0; t < kNumTables; ++t) {
    msg::TableStats ts;
    ts.table_id = static_cast<uint8_t>(t);
    if (const FlowTable* ft = bridge_.pipeline().table(static_cast<uint8_t>(t))) {
      ts.active_count = static_cast<uint32_t>(ft->size());
      ts.lookup_count = ft->lookups;
      ts.matched_count = ft->matches;
    }
    out.push_back(ts);
  }
  send_all(r.s, encode_multipart_list(ofp::kMpTable, r.h.xid, out));
  return OfStatus::ok();
}

OfStatus OfHandler::mp_port_stats(const Request& r, const std::vector<uint8_t>& body) {
  msg::PortStatsRequest req;
  STRATA_OF_RETURN_IF_ERROR(decode_bytes(body, &req));
  const uint64_t now = bridge_.now_ms();
  std::vector<msg::PortStats> out;
  if (req.port_no == ofp::kPortAny) {
    for (const auto& [no, p] : bridge_.ports()) out.push_back(bridge_.port_stats(p, now));
  } else if (const BridgePort* p = bridge_.port(req.port_no)) {
    out.push_back(bridge_.port_stats(*p, now));
  } else {
    return bad_request(ofp::kBrcBadPort, "no port " + std::to_string(req.port_no));
  }
  send_all(r.s, encode_multipart_list(ofp::kMpPortStats, r.h.xid, out));
  return OfStatus::ok();
}

OfStatus OfHandler::mp_port_desc(const Request& r, const std::vector<uint8_t>&) {
  std::vector<msg::Port> out;
  for (const auto& [no, p] : bridge_.ports()) out.push_back(bridge_.describe_port(p));
  send_all(r.s, encode_multipart_list(ofp::kMpPortDesc, r.h.xid, out));
  return OfStatus::ok();
}

OfStatus OfHandler::mp_group(const Request& r, const std::vector<uint8_t>& body) {
  msg::GroupRequest req;
  STRATA_OF_RETURN_IF_ERROR(decode_bytes(body, &req));
  bridge_.harvest();
  const uint64_t now = bridge_.now_ms();
  // ref_count: the entries that use each group.
  std::map<uint32_t, uint32_t> refs;
  auto count = [&](const std::optional<OfActions>& acts) {
    if (!acts) return;
    for (const auto& a : *acts) {
      if (a.kind == ActionKind::kGroup) ++refs[a.port];
    }
  };
  for (const Rule* rule : bridge_.pipeline().select(FlowFilter{})) {
    count(rule->instructions.apply);
    count(rule->instructions.write);
  }
  std::vector<msg::GroupStats> out;
  for (const auto& [id, g] : bridge_.pipeline().groups().groups()) {
    if (req.group_id != ofp::kGroupAll && req.group_id != id) continue;
    msg::GroupStats gs;
    gs.group_id = id;
    gs.ref_count = refs[id];
    gs.packet_count = g.packets;
    gs.byte_count = g.bytes;
    set_duration(now, g.created_ms, &gs.duration_sec, &gs.duration_nsec);
    gs.buckets = g.bucket_counts;
    out.push_back(std::move(gs));
  }
  send_all(r.s, encode_multipart_list(ofp::kMpGroup, r.h.xid, out));
  return OfStatus::ok();
}

OfStatus OfHandler::mp_group_desc(const Request& r, const std::vector<uint8_t>&) {
  std::vector<msg::GroupDesc> out;
  for (const auto& [id, g] : bridge_.pipeline().groups().groups()) out.push_back(msg::GroupDesc{g.type, id, g.buckets});
  send_all(r.s, encode_multipart_list(ofp::kMpGroupDesc, r.h.xid, out));
  return OfStatus::ok();
}

OfStatus OfHandler::mp_group_features(const Request& r, const std::vector<uint8_t>&) {
  msg::GroupFeatures f;
  f.types = (1u << ofp::kGtAll) | (1u << ofp::kGtSelect) | (1u << ofp::kGtIndirect) | (1u << ofp::kGtFastFailover);
  f.capabilities = 0x1 | 0x2 | 0x4 | 0x8;  // select weight, select liveness, chaining, chaining checks
  const uint32_t actions = (1u << ofp::kAtOutput) | (1u << ofp::kAtPushVlan) | (1u << ofp::kAtPopVlan) |
                           (1u << ofp::kAtSetQueue) | (1u << ofp::kAtGroup) | (1u << ofp::kAtSetField);
  for (size_t i = 0; i < 4; ++i) {
    f.max_groups[i] = static_cast<uint32_t>(GroupTable::kMaxGroups);
    f.actions[i] = actions;
  }
  r.s.send(encode_multipart_single(ofp::kMpGroupFeatures, r.h.xid, f));
  return OfStatus::ok();
}

OfStatus OfHandler::mp_table_features(const Request& r, const std::vector<uint8_t>& body) {
  if (!body.empty()) {
    return OfStatus(ofp::kEtTableFeaturesFailed, ofp::kTffcEperm, "the table features cannot be changed");
  }
  send_all(r.s, encode_multipart_list(ofp::kMpTableFeatures, r.h.xid, describe_table_features()));
  return OfStatus::ok();
}

OfStatus OfHandler::mp_meter_features(const Request& r, const std::vector<uint8_t>&) {
  r.s.send(encode_multipart_single(ofp::kMpMeterFeatures, r.h.xid, msg::MeterFeatures{}));
  return OfStatus::ok();
}

OfStatus OfHandler::mp_empty(const Request& r, const std::vector<uint8_t>&) {
  msg::MultipartHeader mp;
  STRATA_OF_RETURN_IF_ERROR(decode_body(r.msg, r.len, &mp));
  r.s.send(encode_multipart_single(mp.type, r.h.xid, msg::Empty{}));
  return OfStatus::ok();
}

}  // namespace strata::ofproto
