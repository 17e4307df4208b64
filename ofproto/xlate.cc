#include "ofproto/xlate.h"

#include <cstring>

#include "ofproto/bridge.h"
#include "ofproto/match_key.h"
#include "ofproto/packet_in_context.h"

namespace strata::ofproto {

namespace {

constexpr int kMaxDepth = 64;  // nested groups / packet-out TABLE before giving up (a loop)
constexpr int kMaxTags = l2tags::kMaxTags;

// The frame as the pipeline sees it now, and where its bits come from.
struct Frame {
  MatchKey cur = MatchKey::zero();    // current field values (in_port is the OpenFlow port)
  MatchMask fixed = MatchKey::zero(); // non-tag bits written by actions (constants, not from the frame)
  int n_pushed = 0;                   // current tags [0, n_pushed) were pushed by actions
  int n_popped = 0;                   // original tags [0, n_popped) have been popped
  uint16_t tci_fixed[kMaxTags] = {};  // per original tag: TCI bits rewritten by set_field
};

class Translator {
 public:
  Translator(Bridge& br, const XlateIn& in, XlateOut* out) : br_(br), in_(in), out_(out) {}

  void run() {
    out_->mask.in_port = 0xffffffff;  // the bridge and port decide everything
    frame_.cur = match_key_from_flow(*in_.key, in_.in_ofport);
    frame_.fixed.metadata = ~uint64_t{0};  // metadata never comes from the frame
    if (const BridgePort* p = br_.port(in_.in_ofport)) {
      if (p->of_config & (ofp::kPcPortDown | ofp::kPcNoRecv)) return;  // not receiving
    }
    if (in_.actions != nullptr) {
      packet_out_ = true;
      apply(*in_.actions, 0);
      return;
    }
    run_tables(0, 0);
  }

 private:
  // ---- consulting: current-frame bits -> original-key bits ------------------
  void consult(const MatchMask& m) {
    datapath::FlowMask& o = out_->mask;
    const datapath::KeyWord* mw = m.words();
    const datapath::KeyWord* fw = frame_.fixed.words();
    datapath::KeyWord* ow = o.words();
    // Words 1, 2 and 7..15 sit where they sit in the original key.
    for (int w = 1; w < datapath::kFlowKeyWords; ++w) {
      if (w >= datapath::kWordTags && w < datapath::kWordTags + 4) continue;
      ow[w] |= mw[w] & ~fw[w];
    }
    // Word 0: in_port (always exact already), eth_type, ip_proto.
    o.eth_type |= m.f.eth_type & static_cast<uint16_t>(~frame_.fixed.f.eth_type);
    o.ip_proto |= m.f.ip_proto & static_cast<uint8_t>(~frame_.fixed.f.ip_proto);
    for (int j = 0; j < kMaxTags; ++j) {
      const bool pres = (m.tag_present >> j) & 1;
      const uint16_t mt = m.f.tags[j].tpid, mc = m.f.tags[j].tci;
      if (!pres && mt == 0 && mc == 0) continue;
      const int k = orig_index(j);
      if (k < 0 || k >= kMaxTags) continue;  // a pushed constant, or beyond any original tag
      o.tags[k].tpid |= (pres ? 0xffff : 0) | mt;
      o.tags[k].tci |= mc & static_cast<uint16_t>(~frame_.tci_fixed[k]);
    }
  }
  // The original tag behind current tag j, or -1 for a pushed one.
  int orig_index(int j) const { return j < frame_.n_pushed ? -1 : j - frame_.n_pushed + frame_.n_popped; }
  bool tag_present(int j) {
    MatchMask m = MatchKey::zero();
    m.tag_present = uint64_t{1} << j;
    consult(m);
    return (frame_.cur.tag_present >> j) & 1;
  }
  void consult_tci(int j, uint16_t bits) {
    MatchMask m = MatchKey::zero();
    m.f.tags[j].tci = bits;
    consult(m);
  }
  void consult_field(FieldId id) {
    MatchMask m = MatchKey::zero();
    field_mask_bits(field_info(id), &m);
    consult(m);
  }

  // ---- emitting ---------------------------------------------------------------
  // Any pending restoration (after NORMAL or a group bucket) goes first.
  datapath::ActionBuilder& emit() {
    if (!pending_.empty()) {
      datapath::ActionBuilder& a = out_->actions;
      for (const auto& p : pending_.actions()) {
        switch (p.type) {
          case datapath::ActionType::kPushTag: a.push_tag(l2tags::Tag::from_tci(p.tpid, p.value)); break;
          case datapath::ActionType::kPopTag: a.pop_tag(); break;
          case datapath::ActionType::kSetVid: a.set_vid(p.depth, p.value); break;
          case datapath::ActionType::kSetPcp: a.set_pcp(p.depth, static_cast<uint8_t>(p.value)); break;
          case datapath::ActionType::kSetEthSrc: a.set_eth_src(p.mac); break;
          case datapath::ActionType::kSetEthDst: a.set_eth_dst(p.mac); break;
          default: break;
        }
      }
      pending_ = datapath::ActionBuilder();
    }
    return out_->actions;
  }

  // ---- tables -----------------------------------------------------------------
  void run_tables(uint8_t first, int depth) {
    if (depth > kMaxDepth) return;
    const Rule* prev_rule = rule_;
    const uint8_t prev_table = table_;
    std::vector<OfAction> saved_set;
    saved_set.swap(action_set_);
    uint8_t t = first;
    for (;;) {
      const FlowTable* ft = br_.pipeline().table(t);
      MatchMask m = MatchKey::zero();
      const Rule* r = ft != nullptr ? ft->lookup(frame_.cur, &m) : nullptr;
      consult(m);
      out_->tables.emplace_back(t, r != nullptr);
      if (r == nullptr) break;  // table miss without a table-miss entry: drop
      out_->rules.push_back(r->id);
      rule_ = r;
      table_ = t;
      const Instructions& ins = r->instructions;
      if (ins.apply) apply(*ins.apply, depth);
      if (ins.clear_actions) action_set_.clear();
      if (ins.write) {
        for (const auto& a : *ins.write) write_action(a);
      }
      if (ins.metadata) {
        frame_.cur.metadata = (frame_.cur.metadata & ~ins.metadata_mask) | (*ins.metadata & ins.metadata_mask);
      }
      if (ins.goto_table) {
        t = *ins.goto_table;
        continue;
      }
      execute_action_set(depth);
      break;
    }
    action_set_.swap(saved_set);
    rule_ = prev_rule;
    table_ = prev_table;
  }

  // write-actions: one action per type (set_field: per field) in the set.
  void write_action(const OfAction& a) {
    for (auto& b : action_set_) {
      if (b.kind == a.kind && (a.kind != ActionKind::kSetField || b.field == a.field)) {
        b = a;
        return;
      }
    }
    action_set_.push_back(a);
  }

  // The action set in the order OpenFlow 1.3 (5.10) prescribes.
  void execute_action_set(int depth) {
    static constexpr ActionKind kOrder[] = {ActionKind::kPopVlan, ActionKind::kPushVlan, ActionKind::kSetField,
                                            ActionKind::kSetQueue, ActionKind::kGroup};
    for (ActionKind k : kOrder) {
      for (const auto& a : action_set_) {
        if (a.kind == k) act(a, depth);
      }
    }
    bool has_group = false;
    for (const auto& a : action_set_) has_group |= a.kind == ActionKind::kGroup;
    if (has_group) return;  // the group decides the outputs
    for (const auto& a : action_set_) {
      if (a.kind == ActionKind::kOutput) act(a, depth);
    }
  }

  void apply(const OfActions& actions, int depth) {
    for (const auto& a : actions) act(a, depth);
  }

  void act(const OfAction& a, int depth) {
    if (dead_) return;
    switch (a.kind) {
      case ActionKind::kOutput: output(a.port, a.max_len, depth); break;
      case ActionKind::kGroup: group(a.port, depth); break;
      case ActionKind::kPushVlan: push(a.ethertype); break;
      case ActionKind::kPopVlan: pop(); break;
      case ActionKind::kSetField: set_field(a); break;
      case ActionKind::kSetQueue: break;  // one queue per port
    }
  }

  // ---- frame changes ------------------------------------------------------------
  void push(uint16_t tpid) {
    if (tag_present(kMaxTags - 1)) {  // a ninth tag: the datapath would drop the frame
      dead_ = true;
      return;
    }
    uint16_t tci = 0;
    if (tag_present(0)) {  // VID and PCP are copied from the current outer tag
      consult_tci(0, 0xefff);
      tci = frame_.cur.f.tags[0].tci & 0xefff;
    }
    emit().push_tag(l2tags::Tag::from_tci(tpid, tci));
    datapath::FlowKey& f = frame_.cur.f;
    std::memmove(&f.tags[1], &f.tags[0], sizeof(f.tags[0]) * (kMaxTags - 1));
    f.tags[0] = datapath::KeyTag{tpid, tci};
    ++f.tag_depth;
    frame_.cur.tag_present = presence_bits(f.tag_depth);
    ++frame_.n_pushed;
  }

  void pop() {
    if (!tag_present(0)) return;  // nothing to pop: a no-op
    emit().pop_tag();
    datapath::FlowKey& f = frame_.cur.f;
    std::memmove(&f.tags[0], &f.tags[1], sizeof(f.tags[0]) * (kMaxTags - 1));
    f.tags[kMaxTags - 1] = datapath::KeyTag{0, 0};
    --f.tag_depth;
    frame_.cur.tag_present = presence_bits(f.tag_depth);
    if (frame_.n_pushed > 0) {
      --frame_.n_pushed;
    } else {
      ++frame_.n_popped;
    }
  }

  void set_field(const OfAction& a) {
    const FieldInfo& f = field_info(a.field);
    const bool tag_vid = f.loc == FieldLoc::kVid;
    const bool tag_pcp = a.field == FieldId::kVlanPcp ||
                         (a.field >= tag_field(TagAttr::kPcp, 1) && a.field <= tag_field(TagAttr::kPcp, kMaxTags));
    if (tag_vid || tag_pcp) {
      const int j = f.depth;
      if (!tag_present(j)) return;  // no such tag: a no-op
      const uint64_t v = field_uint(f, a.value);
      uint16_t& tci = frame_.cur.f.tags[j].tci;
      const uint16_t bits = tag_vid ? 0x0fff : 0xe000;
      if (tag_vid) {
        emit().set_vid(j, static_cast<uint16_t>(v & 0x0fff));
        tci = static_cast<uint16_t>((tci & ~0x0fff) | (v & 0x0fff));
      } else {
        emit().set_pcp(j, static_cast<uint8_t>(v & 7));
        tci = static_cast<uint16_t>((tci & 0x1fff) | ((v & 7) << 13));
      }
      if (const int k = orig_index(j); k >= 0 && k < kMaxTags) frame_.tci_fixed[k] |= bits;
      return;
    }
    if (a.field == FieldId::kEthSrc || a.field == FieldId::kEthDst) {
      if (a.field == FieldId::kEthSrc) {
        emit().set_eth_src(a.value.bytes.data());
      } else {
        emit().set_eth_dst(a.value.bytes.data());
      }
      field_write(f, a.value, &frame_.cur);
      field_mask_bits(f, &frame_.fixed);
    }
  }

  // ---- outputs -------------------------------------------------------------------
  bool forwards(const BridgePort& p) const { return (p.of_config & (ofp::kPcPortDown | ofp::kPcNoFwd)) == 0; }

  void output(uint32_t port, uint16_t max_len, int depth) {
    const BridgePort* in = br_.port(in_.in_ofport);
    switch (port) {
      case ofp::kPortInPort:
        if (in != nullptr && forwards(*in)) emit().output(in->dp_port);
        return;
      case ofp::kPortAll:
      case ofp::kPortFlood:
        for (const auto& [no, p] : br_.ports()) {
          if (no != in_.in_ofport && forwards(p)) emit().output(p.dp_port);
        }
        return;
      case ofp::kPortController:
        to_controller(max_len);
        return;
      case ofp::kPortNormal:
        normal();
        return;
      case ofp::kPortTable:
        if (packet_out_) run_tables(0, depth + 1);
        return;
      case ofp::kPortLocal:
      case ofp::kPortAny:
        return;  // no local port; ANY is not a destination
      default: {
        const BridgePort* p = br_.port(port);
        if (p != nullptr && port != in_.in_ofport && forwards(*p)) emit().output(p->dp_port);
      }
    }
  }

  void to_controller(uint16_t max_len) {
    if (const BridgePort* in = br_.port(in_.in_ofport); in != nullptr && (in->of_config & ofp::kPcNoPacketIn)) return;
    PacketInContext ctx;
    if (packet_out_ && rule_ == nullptr) {
      ctx.reason = ofp::kPrAction;
      ctx.table_id = ofp::kTableAll;
      ctx.cookie = ~uint64_t{0};
    } else if (rule_ != nullptr) {
      ctx.reason = rule_->is_table_miss() ? ofp::kPrNoMatch : ofp::kPrAction;
      ctx.table_id = table_;
      ctx.cookie = rule_->cookie;
    }
    ctx.metadata = frame_.cur.metadata;
    if (br_.port(in_.in_ofport) == nullptr) ctx.in_port = in_.in_ofport;
    emit().controller(br_.packet_in_cookie(ctx), max_len);
  }

  void normal() {
    const BridgePort* in = br_.port(in_.in_ofport);
    if (in == nullptr) return;
    out_->used_normal = true;
    datapath::FlowKey k = frame_.cur.f;
    k.in_port = in->dp_port;
    datapath::FlowMask nm{};
    nm.clear();
    datapath::ActionBuilder restore;
    br_.normal(k, &nm, &emit(), &restore);
    MatchMask m = MatchKey::zero();
    m.f = nm;
    m.f.in_port = 0;
    for (int j = 0; j < kMaxTags; ++j) {
      if (nm.tags[j].tpid != 0) m.tag_present |= uint64_t{1} << j;
    }
    consult(m);
    append_pending(restore);
  }

  void append_pending(const datapath::ActionBuilder& ops) {
    for (const auto& p : ops.actions()) {
      switch (p.type) {
        case datapath::ActionType::kPushTag: pending_.push_tag(l2tags::Tag::from_tci(p.tpid, p.value)); break;
        case datapath::ActionType::kPopTag: pending_.pop_tag(); break;
        case datapath::ActionType::kSetVid: pending_.set_vid(p.depth, p.value); break;
        case datapath::ActionType::kSetPcp: pending_.set_pcp(p.depth, static_cast<uint8_t>(p.value)); break;
        case datapath::ActionType::kSetEthSrc: pending_.set_eth_src(p.mac); break;
        case datapath::ActionType::kSetEthDst: pending_.set_eth_dst(p.mac); break;
        default: break;
      }
    }
  }

  // ---- groups --------------------------------------------------------------------
  bool port_live(uint32_t port) const { return port == ofp::kPortAny || br_.port_live(port); }
  bool group_live(uint32_t id, int depth) const {
    if (id == ofp::kGroupAny) return true;
    const Group* g = br_.pipeline().groups().find(id);
    if (g == nullptr || depth > kMaxDepth) return false;
    for (const auto& b : g->buckets) {
      if (bucket_live(b, depth + 1)) return true;
    }
    return false;
  }
  bool bucket_live(const msg::Bucket& b, int depth) const {
    return port_live(b.watch_port) && group_live(b.watch_group, depth);
  }

  void group(uint32_t id, int depth) {
    if (depth > kMaxDepth) return;
    const Group* g = br_.pipeline().groups().find(id);
    if (g == nullptr) return;
    std::vector<size_t> chosen;
    switch (g->type) {
      case ofp::kGtAll:
        for (size_t i = 0; i < g->buckets.size(); ++i) chosen.push_back(i);
        break;
      case ofp::kGtIndirect:
        if (!g->buckets.empty()) chosen.push_back(0);
        break;
      case ofp::kGtFastFailover:
        for (size_t i = 0; i < g->buckets.size(); ++i) {
          if (bucket_live(g->buckets[i], depth)) {
            chosen.push_back(i);
            break;
          }
        }
        break;
      case ofp::kGtSelect: {
        std::vector<size_t> live;
        uint64_t total = 0;
        for (size_t i = 0; i < g->buckets.size(); ++i) {
          if (!bucket_live(g->buckets[i], depth)) continue;
          live.push_back(i);
          total += std::max<uint16_t>(1, g->buckets[i].weight);
        }
        if (live.empty()) break;
        uint64_t pick = select_hash() % total;
        for (size_t i : live) {
          const uint64_t w = std::max<uint16_t>(1, g->buckets[i].weight);
          if (pick < w) {
            chosen.push_back(i);
            break;
          }
          pick -= w;
        }
        break;
      }
    }
    for (size_t i : chosen) {
      out_->buckets.emplace_back(id, static_cast<uint32_t>(i));
      const Frame snapshot = frame_;
      apply(g->buckets[i].actions, depth + 1);
      restore_to(snapshot);
    }
  }

  // The select hash: addresses, protocol and ports of the current frame.
  uint64_t select_hash() {
    static constexpr FieldId kFields[] = {FieldId::kEthSrc, FieldId::kEthDst, FieldId::kEthType, FieldId::kIpProto,
                                          FieldId::kIpv4Src, FieldId::kIpv4Dst, FieldId::kIpv6Src, FieldId::kIpv6Dst,
                                          FieldId::kTcpSrc, FieldId::kTcpDst};
    uint64_t h = 0xcbf29ce484222325ull;
    for (FieldId id : kFields) {
      consult_field(id);
      const FieldValue v = field_read(field_info(id), frame_.cur);
      for (int i = 0; i < field_info(id).wire_len; ++i) {
        h ^= v.bytes[static_cast<size_t>(i)];
        h *= 0x100000001b3ull;
      }
    }
    return h ^ (h >> 32);
  }

  // After a bucket: the frame must look as it did before, for whatever the
  // pipeline does next. The datapath ops that get there are queued and
  // emitted only if another action follows.
  void restore_to(const Frame& to) {
    if (dead_) return;
    const Frame& from = frame_;
    datapath::ActionBuilder ops;
    const int K = std::max(from.n_popped, to.n_popped);
    const int pops = from.n_pushed + (K - from.n_popped);
    const int pushes = to.n_pushed + (K - to.n_popped);
    for (int i = 0; i < pops; ++i) ops.pop_tag();
    for (int j = pushes - 1; j >= 0; --j) {
      const datapath::KeyTag t = to.cur.f.tags[j];
      if (j >= to.n_pushed) {  // an original tag: its value comes from the frame
        const int k = j - to.n_pushed + to.n_popped;
        out_->mask.tags[k].tpid = 0xffff;
        out_->mask.tags[k].tci |= static_cast<uint16_t>(~to.tci_fixed[k]);
      }
      ops.push_tag(l2tags::Tag::from_tci(t.tpid, t.tci));
    }
    for (int k = K; k < kMaxTags; ++k) {
      const int jf = from.n_pushed + k - from.n_popped;
      const int jt = to.n_pushed + k - to.n_popped;
      if (jf >= kMaxTags || jt >= kMaxTags) continue;
      if (from.tci_fixed[k] == to.tci_fixed[k] && from.cur.f.tags[jf].tci == to.cur.f.tags[jt].tci) continue;
      if (((from.cur.tag_present >> jf) & 1) == 0) continue;
      out_->mask.tags[k].tci |= static_cast<uint16_t>(~to.tci_fixed[k] & 0xefff);
      ops.set_vid(pushes + k - K, to.cur.f.tags[jt].tci & 0x0fff);
      ops.set_pcp(pushes + k - K, static_cast<uint8_t>(to.cur.f.tags[jt].tci >> 13));
    }
    // A MAC the bucket rewrote goes back to what it was; when that was the
    // frame's own value, the megaflow must pin it to write it back.
    auto restore_mac = [&](const uint8_t* f_mac, const uint8_t* f_fixed, const uint8_t* t_mac, const uint8_t* t_fixed,
                           uint8_t* mask, bool src) {
      if (std::memcmp(f_mac, t_mac, 6) == 0 && std::memcmp(f_fixed, t_fixed, 6) == 0) return;
      for (int i = 0; i < 6; ++i) mask[i] |= static_cast<uint8_t>(~t_fixed[i]);
      if (src) {
        ops.set_eth_src(t_mac);
      } else {
        ops.set_eth_dst(t_mac);
      }
    };
    restore_mac(from.cur.f.eth_src, from.fixed.f.eth_src, to.cur.f.eth_src, to.fixed.f.eth_src, out_->mask.eth_src,
                true);
    restore_mac(from.cur.f.eth_dst, from.fixed.f.eth_dst, to.cur.f.eth_dst, to.fixed.f.eth_dst, out_->mask.eth_dst,
                false);
    append_pending(ops);
    frame_ = to;
  }

  Bridge& br_;                        // the bridge whose pipeline runs
  const XlateIn& in_;                 // the frame
  XlateOut* out_;                     // the result
  Frame frame_;                       // the frame now
  std::vector<OfAction> action_set_;  // write-actions accumulated in this pipeline pass
  datapath::ActionBuilder pending_;   // restoration ops not yet emitted
  const Rule* rule_ = nullptr;        // the entry whose actions run now
  uint8_t table_ = 0;                 // its table
  bool packet_out_ = false;           // running packet-out actions
  bool dead_ = false;                 // the datapath will have dropped the frame
};

}  // namespace

void xlate(Bridge& bridge, const XlateIn& in, XlateOut* out) {
  out->mask.clear();
  Translator(bridge, in, out).run();
}

}  // namespace strata::ofproto
