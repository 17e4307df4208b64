// Bridge, the OpenFlow side: upcalls through the pipeline, packet-in and
// packet-out, the flow API, revalidation, statistics and timeouts.
#include <rte_mbuf.h>

#include <algorithm>
#include <cstring>

#include "datapath/flow_extract.h"
#include "ofproto/bridge.h"
#include "ofproto/connmgr.h"
#include "ofproto/xlate.h"

namespace strata::ofproto {

void Bridge::set_fail_mode(FailMode mode) {
  if (mode == fail_mode_) return;
  fail_mode_ = mode;
  on_connectivity_change();
}

bool Bridge::failing_open() const {
  return fail_mode_ == FailMode::kStandalone && !controllers_.empty() &&
         (connmgr_ == nullptr || !connmgr_->any_connected());
}

void Bridge::on_connectivity_change() {
  const bool now = failing_open();
  if (now == was_failing_open_) return;
  was_failing_open_ = now;
  revalidate_all();
}

Status Bridge::set_controllers(const std::vector<std::string>& targets) {
  if (targets.empty()) {
    connmgr_.reset();
  } else if (connmgr_) {
    STRATA_RETURN_IF_ERROR(connmgr_->set_targets(targets));
  } else {
    auto next = std::make_unique<ConnMgr>(*this);
    STRATA_RETURN_IF_ERROR(next->set_targets(targets));
    connmgr_ = std::move(next);
  }
  const bool had = !controllers_.empty();
  controllers_ = targets;
  if (had != !targets.empty()) {
    // From no controller to some (or back): start from empty tables, plus
    // the NORMAL entry when no controller will program them.
    pipeline_.clear();
    records_.clear();
    if (targets.empty()) {
      FlowMod fm;
      fm.priority = 0;
      fm.instructions = Instructions::apply_actions({OfAction::output(ofp::kPortNormal)});
      (void)pipeline_.flow_mod(fm, now_ms(), nullptr);
    }
  }
  was_failing_open_ = failing_open();
  revalidate_all();
  return Status::ok();
}

// ---- upcalls ---------------------------------------------------------------

void Bridge::handle_miss(const datapath::Upcall& upcall, datapath::UpcallResult* out) {
  const BridgePort* in = port_by_dp(upcall.key->in_port);
  if (in == nullptr) {
    out->mask.in_port = 0xffffffff;
    return;
  }
  MegaflowRecord rec;
  if (failing_open()) {
    translate_normal(upcall, out);
    rec.fail_open = true;
  } else {
    XlateIn xin;
    xin.key = upcall.key;
    xin.in_ofport = in->ofport;
    XlateOut x;
    xlate(*this, xin, &x);
    out->mask = x.mask;
    out->actions = std::move(x.actions);
    rec.rules = std::move(x.rules);
    rec.tables = std::move(x.tables);
    rec.buckets = std::move(x.buckets);
    rec.generation = pipeline_.generation();
  }
  // The frame that missed is executed by the datapath now: count it here
  // (its table lookups were counted by the lookups themselves); the
  // megaflow's own counters start after it.
  credit(rec, 1, upcall.packet->pkt_len, now_ms(), false);
  if (out->install) records_.add(*upcall.key, out->mask, std::move(rec));
}

uint32_t Bridge::packet_in_cookie(PacketInContext ctx) {
  ctx.bridge = name_;
  return contexts_->intern(ctx);
}

void Bridge::handle_controller(const datapath::Upcall& upcall, const PacketInContext& ctx) {
  msg::PacketIn pi;
  pi.buffer_id = ofp::kNoBuffer;
  pi.reason = ctx.reason;
  pi.table_id = ctx.table_id;
  pi.cookie = ctx.cookie;
  uint32_t in_port = ctx.in_port;
  if (in_port == 0) {
    const BridgePort* p = port_by_dp(upcall.key->in_port);
    if (p == nullptr) return;
    in_port = p->ofport;
  }
  pi.match.set_in_port(in_port);
  if (ctx.metadata != 0) pi.match.set_metadata(ctx.metadata);
  const rte_mbuf* m = upcall.packet;
  pi.total_len = static_cast<uint16_t>(std::min<uint32_t>(m->pkt_len, 0xffff));
  size_t n = m->pkt_len;
  if (upcall.max_len != 0 && upcall.max_len != ofp::kControllerMaxLenNoBuffer) n = std::min<size_t>(n, upcall.max_len);
  pi.data.resize(n);
  const void* p = rte_pktmbuf_read(m, 0, static_cast<uint32_t>(n), pi.data.data());
  if (p != nullptr && p != pi.data.data()) std::memcpy(pi.data.data(), p, n);
  if (connmgr_) connmgr_->send_packet_in(pi);
  if (packet_in_hook) packet_in_hook(name_, pi);
}

// ---- the flow API --------------------------------------------------------------

OfStatus Bridge::flow_mod(const FlowMod& fm) {
  if (fm.command == FlowCommand::kDelete || fm.command == FlowCommand::kDeleteStrict) {
    harvest_before_delete();
  }
  std::vector<RemovedFlow> removed;
  STRATA_OF_RETURN_IF_ERROR(pipeline_.flow_mod(fm, now_ms(), pipeline_.in_transaction() ? &txn_removed_ : &removed));
  send_flow_removed(removed);
  return OfStatus::ok();
}

OfStatus Bridge::group_mod(const msg::GroupMod& gm) {
  if (gm.command == ofp::kGcDelete) harvest_before_delete();  // a group's flows go with it
  std::vector<RemovedFlow> removed;
  STRATA_OF_RETURN_IF_ERROR(pipeline_.group_mod(gm, now_ms(), pipeline_.in_transaction() ? &txn_removed_ : &removed));
  send_flow_removed(removed);
  return OfStatus::ok();
}

void Bridge::harvest_before_delete() {
  // Entries about to go report their final counters. In a transaction the
  // first delete harvests for all: nothing forwards in between.
  if (pipeline_.in_transaction()) {
    if (txn_harvested_) return;
    txn_harvested_ = true;
  }
  harvest();
}

void Bridge::begin_transaction() {
  pipeline_.begin_transaction();
  txn_removed_.clear();
  txn_harvested_ = false;
}

void Bridge::commit_transaction() {
  pipeline_.commit_transaction();
  send_flow_removed(txn_removed_);
  txn_removed_.clear();
}

void Bridge::rollback_transaction() {
  pipeline_.rollback_transaction();
  txn_removed_.clear();
}

OfStatus Bridge::packet_out(uint32_t in_port, const OfActions& actions, const uint8_t* data, size_t len) {
  uint32_t dp_in = 0xffffffff;  // no datapath port: the frame comes from the controller
  if (in_port != ofp::kPortController && in_port != ofp::kPortAny && in_port != ofp::kPortLocal) {
    const BridgePort* p = port(in_port);
    if (p == nullptr) return bad_request(ofp::kBrcBadPort, "packet-out in_port " + std::to_string(in_port) + " does not exist");
    dp_in = p->dp_port;
  }
  STRATA_OF_RETURN_IF_ERROR(pipeline_.check_actions(actions, true));
  datapath::FlowKey key;
  if (datapath::extract_flow_key(data, static_cast<uint32_t>(len), dp_in, tpids_, &key) != datapath::ExtractResult::kOk) {
    return bad_request(ofp::kBrcBadPacket, "packet-out data is not a frame Strata can parse");
  }
  revalidate();  // TABLE must see the tables as they are now, and so must the fast path
  XlateIn xin;
  xin.key = &key;
  xin.in_ofport = in_port == ofp::kPortAny ? ofp::kPortController : in_port;
  xin.actions = &actions;
  XlateOut x;
  xlate(*this, xin, &x);
  MegaflowRecord rec;
  rec.rules = std::move(x.rules);
  rec.tables = std::move(x.tables);
  rec.buckets = std::move(x.buckets);
  credit(rec, 1, len, now_ms(), false);
  auto m = dpif_.make_packet(data, len);
  if (!m) return bad_request(ofp::kBrcBadPacket, m.status().message());
  if (Status st = dpif_.execute(*m, dp_in, x.actions); !st) return bad_request(ofp::kBrcBadPacket, st.message());
  return OfStatus::ok();
}

std::vector<const Rule*> Bridge::select_flows(const FlowFilter& filter) {
  harvest();
  return pipeline_.select(filter);
}

// ---- revalidation ----------------------------------------------------------------

void Bridge::revalidate() {
  if (!pipeline_.dirty()) return;
  // Most batches change tables no installed megaflow looked at (or there
  // are none yet): then there is nothing to walk.
  bool candidates = pipeline_.groups_dirty() && records_.with_groups() > 0;
  const std::bitset<256>& dirty = pipeline_.dirty_tables();
  for (int t = 0; t < 256 && !candidates; ++t) candidates = dirty.test(t) && records_.looked_at(static_cast<uint8_t>(t)) > 0;
  if (!candidates) {
    pipeline_.clear_dirty();
    return;
  }
  const uint64_t now = now_ms();
  std::vector<std::pair<datapath::FlowKey, datapath::FlowMask>> gone;
  dpif_.flow_del_if([&](const datapath::MegaflowInfo& f) {
    if (by_dp_.count(f.key.in_port) == 0) return false;
    MegaflowRecord* rec = records_.find(f.key, f.mask);
    if (rec == nullptr) return true;  // nothing known about it: not worth the risk
    if (rec->fail_open) return false; // NORMAL while failing open: the tables do not matter
    // Stale when something it looked at changed after it was translated.
    bool stale = !rec->buckets.empty() && pipeline_.groups_generation() > rec->generation;
    for (const auto& [t, hit] : rec->tables) stale = stale || pipeline_.table_generation(t) > rec->generation;
    if (!stale) return false;
    if (f.packets > rec->packets) credit(*rec, f.packets - rec->packets, f.bytes - rec->bytes, now);
    gone.emplace_back(f.key, f.mask);
    return true;
  });
  for (const auto& [k, m] : gone) records_.erase(k, m);
  pipeline_.clear_dirty();
}

void Bridge::revalidate_all() {
  const uint64_t now = now_ms();
  dpif_.flow_del_if([&](const datapath::MegaflowInfo& f) {
    if (by_dp_.count(f.key.in_port) == 0) return false;
    if (MegaflowRecord* rec = records_.find(f.key, f.mask); rec != nullptr && f.packets > rec->packets) {
      credit(*rec, f.packets - rec->packets, f.bytes - rec->bytes, now);
    }
    return true;
  });
  records_.clear();
  pipeline_.clear_dirty();
}

// ---- statistics and timeouts --------------------------------------------------------

void Bridge::credit(const MegaflowRecord& rec, uint64_t packets, uint64_t bytes, uint64_t now, bool tables) {
  for (uint64_t id : rec.rules) {
    if (Rule* r = pipeline_.rule(id)) {
      r->packets += packets;
      r->bytes += bytes;
      r->used_ms = now;
    }
  }
  for (const auto& [t, hit] : rec.tables) {
    if (!tables) break;
    if (const FlowTable* ft = pipeline_.table(t)) {
      ft->lookups += packets;
      if (hit) ft->matches += packets;
    }
  }
  for (const auto& [g, b] : rec.buckets) {
    Group* grp = pipeline_.groups_mut().find_mut(g);
    if (grp == nullptr || b >= grp->bucket_counts.size()) continue;
    grp->packets += packets;
    grp->bytes += bytes;
    grp->bucket_counts[b].packet_count += packets;
    grp->bucket_counts[b].byte_count += bytes;
  }
}

void Bridge::harvest() { harvest(dpif_.flow_dump()); }

void Bridge::harvest(const std::vector<datapath::MegaflowInfo>& dump) {
  const uint64_t now = now_ms();
  records_.harvest(dump, [&](const MegaflowRecord& rec, uint64_t p, uint64_t b) { credit(rec, p, b, now); });
}

void Bridge::run_periodic() {
  const uint64_t now = now_ms();
  macs_.age(now);
  check_links();
  const std::vector<RemovedFlow> expired = pipeline_.expire(now);
  send_flow_removed(expired);
  if (pipeline_.dirty()) revalidate();
}

void Bridge::send_flow_removed(const std::vector<RemovedFlow>& removed) {
  if (!connmgr_) return;
  const uint64_t now = now_ms();
  for (const auto& r : removed) {
    msg::FlowRemoved fr;
    fr.cookie = r.rule.cookie;
    fr.priority = r.rule.priority;
    fr.reason = r.reason;
    fr.table_id = r.rule.table_id;
    const uint64_t age = now > r.rule.created_ms ? now - r.rule.created_ms : 0;
    fr.duration_sec = static_cast<uint32_t>(age / 1000);
    fr.duration_nsec = static_cast<uint32_t>((age % 1000) * 1000000);
    fr.idle_timeout = r.rule.idle_timeout;
    fr.hard_timeout = r.rule.hard_timeout;
    fr.packet_count = r.rule.packets;
    fr.byte_count = r.rule.bytes;
    fr.match = r.rule.match;
    connmgr_->send_flow_removed(fr);
  }
}

void Bridge::send_port_status(uint8_t reason, const BridgePort& p) {
  if (!connmgr_) return;
  msg::PortStatus ps;
  ps.reason = reason;
  ps.desc = describe_port(p);
  connmgr_->send_port_status(ps);
}

}  // namespace strata::ofproto
