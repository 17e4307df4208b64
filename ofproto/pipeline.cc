#include "ofproto/pipeline.h"

#include <algorithm>
#include <optional>

namespace strata::ofproto {

namespace {

bool cookie_selects(uint64_t rule_cookie, uint64_t cookie, uint64_t mask) { return (rule_cookie & mask) == (cookie & mask); }

bool valid_out_port(uint32_t port, bool packet_out) {
  if (port == 0 || port == ofp::kPortAny) return false;
  if (port == ofp::kPortTable) return packet_out;
  return port <= ofp::kPortMax || port >= ofp::kPortInPort;
}

bool known_tpid(uint16_t t) { return t == 0x8100 || t == 0x88a8 || t == 0x9100 || t == 0x9200 || t == 0x9300; }

}  // namespace

// What a transaction changed, in order, with what each change replaced.
struct Pipeline::UndoLog {
  enum class Kind : uint8_t { kInserted, kErased, kModified };
  // 24 bytes: an add, the common change, logs only its id.
  struct Step {
    Kind kind;
    uint64_t rule_id;             // the entry
    std::unique_ptr<Rule> before;  // kErased: the entry as it was; kModified: its instructions and counters
  };
  std::vector<Step> steps;
  std::optional<GroupTable> groups;  // the groups before the first group_mod, if any
};

Pipeline::Pipeline(size_t max_flows) : max_flows_(max_flows) {}
Pipeline::~Pipeline() = default;

FlowTable& Pipeline::table_mut(uint8_t id) {
  if (!tables_[id]) tables_[id] = std::make_unique<FlowTable>();
  return *tables_[id];
}

OfStatus Pipeline::check_actions(const OfActions& actions, bool packet_out) const {
  for (const auto& a : actions) {
    switch (a.kind) {
      case ActionKind::kOutput:
        if (!valid_out_port(a.port, packet_out)) {
          return bad_action(ofp::kBacBadOutPort, "output to invalid port " + std::to_string(a.port));
        }
        break;
      case ActionKind::kGroup:
        if (groups_.find(a.port) == nullptr) {
          return bad_action(ofp::kBacBadOutGroup, "group " + std::to_string(a.port) + " does not exist");
        }
        break;
      case ActionKind::kPushVlan:
        if (!known_tpid(a.ethertype)) return bad_action(ofp::kBacBadArgument, "push_vlan TPID is not a tag TPID");
        break;
      case ActionKind::kSetField: {
        const FieldInfo& f = field_info(a.field);
        if (!f.settable) return bad_action(ofp::kBacBadSetType, std::string("set_field of ") + f.name + " is not supported");
        if (!field_value_valid(f, a.value)) return bad_action(ofp::kBacBadSetArgument, "set_field value out of range");
        break;
      }
      case ActionKind::kPopVlan:
      case ActionKind::kSetQueue:
        break;
    }
  }
  return OfStatus::ok();
}

OfStatus Pipeline::check_instructions(const Instructions& ins, uint8_t table_id) const {
  if (ins.goto_table && (*ins.goto_table <= table_id || *ins.goto_table >= kNumTables)) {
    return bad_instruction(ofp::kBicBadTableId, "goto_table " + std::to_string(*ins.goto_table) + " from table " +
                                                    std::to_string(table_id) + " does not go forward");
  }
  if (ins.apply) STRATA_OF_RETURN_IF_ERROR(check_actions(*ins.apply, false));
  if (ins.write) STRATA_OF_RETURN_IF_ERROR(check_actions(*ins.write, false));
  return OfStatus::ok();
}

void Pipeline::erase(Rule* r, uint8_t reason, std::vector<RemovedFlow>* removed) {
  touch_table(r->table_id);
  table_mut(r->table_id).remove(r);
  auto it = rules_.find(r->id);
  if (removed != nullptr && (r->flags & ofp::kFfSendFlowRem)) removed->push_back(RemovedFlow{*r, reason});
  if (undo_) undo_->steps.push_back({UndoLog::Kind::kErased, r->id, std::move(it->second)});
  rules_.erase(it);
}

void Pipeline::insert(std::unique_ptr<Rule> rule) {
  touch_table(rule->table_id);
  table_mut(rule->table_id).insert(rule.get());
  if (undo_) undo_->steps.push_back({UndoLog::Kind::kInserted, rule->id, nullptr});
  rules_.emplace(rule->id, std::move(rule));
}

OfStatus Pipeline::add(const FlowMod& fm, uint64_t now_ms) {
  FlowTable& t = table_mut(fm.table_id);
  Rule* old = t.find_strict(fm.match, fm.priority);
  if ((fm.flags & ofp::kFfCheckOverlap) && old == nullptr && t.overlaps(fm.match, fm.priority)) {
    return flow_mod_failed(ofp::kFmfcOverlap, "overlaps an entry of the same priority");
  }
  if (old == nullptr && rules_.size() >= max_flows_) {
    return flow_mod_failed(ofp::kFmfcTableFull, "the flow tables hold " + std::to_string(max_flows_) + " entries");
  }
  auto rule = std::make_unique<Rule>();
  rule->id = next_rule_id_++;
  rule->table_id = fm.table_id;
  rule->priority = fm.priority;
  rule->match = fm.match;
  rule->cookie = fm.cookie;
  rule->instructions = fm.instructions;
  rule->idle_timeout = fm.idle_timeout;
  rule->hard_timeout = fm.hard_timeout;
  rule->flags = fm.flags;
  rule->created_ms = now_ms;
  rule->used_ms = now_ms;
  if (old != nullptr) {
    // Same match and priority: the new entry replaces it, keeping its
    // counters unless asked to reset them.
    if (!(fm.flags & ofp::kFfResetCounts)) {
      rule->packets = old->packets;
      rule->bytes = old->bytes;
    }
    erase(old, ofp::kRrDelete, nullptr);
  }
  insert(std::move(rule));
  return OfStatus::ok();
}

std::vector<Rule*> Pipeline::select_for_mod(const FlowMod& fm, bool strict) const {
  std::vector<Rule*> out;
  const bool deleting = fm.command == FlowCommand::kDelete || fm.command == FlowCommand::kDeleteStrict;
  for (int t = 0; t < kNumTables; ++t) {
    if (fm.table_id != ofp::kTableAll && fm.table_id != t) continue;
    if (!tables_[static_cast<size_t>(t)]) continue;
    std::vector<Rule*> found;
    if (strict) {
      if (Rule* r = tables_[static_cast<size_t>(t)]->find_strict(fm.match, fm.priority)) found.push_back(r);
    } else {
      found = tables_[static_cast<size_t>(t)]->select_loose(fm.match);
    }
    for (Rule* r : found) {
      if (!cookie_selects(r->cookie, fm.cookie, fm.cookie_mask)) continue;
      if (deleting && (!instructions_output_to(r->instructions, fm.out_port) ||
                       !instructions_use_group(r->instructions, fm.out_group))) {
        continue;
      }
      out.push_back(r);
    }
  }
  return out;
}

OfStatus Pipeline::flow_mod(const FlowMod& fm, uint64_t now_ms, std::vector<RemovedFlow>* removed) {
  const auto cmd = static_cast<uint8_t>(fm.command);
  if (cmd > ofp::kFcDeleteStrict) return flow_mod_failed(ofp::kFmfcBadCommand, "unknown command " + std::to_string(cmd));
  constexpr uint16_t kKnownFlags =
      ofp::kFfSendFlowRem | ofp::kFfCheckOverlap | ofp::kFfResetCounts | ofp::kFfNoPktCounts | ofp::kFfNoBytCounts;
  if (fm.flags & ~kKnownFlags) return flow_mod_failed(ofp::kFmfcBadFlags, "unknown flags");
  const bool all_tables = fm.table_id == ofp::kTableAll;
  if (fm.command == FlowCommand::kAdd && all_tables) {
    return flow_mod_failed(ofp::kFmfcBadTableId, "cannot add to every table at once");
  }
  if (!all_tables && fm.table_id >= kNumTables) return flow_mod_failed(ofp::kFmfcBadTableId, "no such table");
  STRATA_OF_RETURN_IF_ERROR(check_prerequisites(fm.match));

  switch (fm.command) {
    case FlowCommand::kAdd:
      STRATA_OF_RETURN_IF_ERROR(check_instructions(fm.instructions, fm.table_id));
      return add(fm, now_ms);
    case FlowCommand::kModify:
    case FlowCommand::kModifyStrict: {
      const bool strict = fm.command == FlowCommand::kModifyStrict;
      const std::vector<Rule*> rules = select_for_mod(fm, strict);
      for (Rule* r : rules) STRATA_OF_RETURN_IF_ERROR(check_instructions(fm.instructions, r->table_id));
      for (Rule* r : rules) {
        if (undo_) {
          auto before = std::make_unique<Rule>();
          before->instructions = r->instructions;
          before->packets = r->packets;
          before->bytes = r->bytes;
          undo_->steps.push_back({UndoLog::Kind::kModified, r->id, std::move(before)});
        }
        r->instructions = fm.instructions;
        if (fm.flags & ofp::kFfResetCounts) {
          r->packets = 0;
          r->bytes = 0;
        }
        touch_table(r->table_id);
      }
      return OfStatus::ok();
    }
    case FlowCommand::kDelete:
    case FlowCommand::kDeleteStrict: {
      for (Rule* r : select_for_mod(fm, fm.command == FlowCommand::kDeleteStrict)) erase(r, ofp::kRrDelete, removed);
      return OfStatus::ok();
    }
  }
  return OfStatus::ok();
}

OfStatus Pipeline::group_mod(const msg::GroupMod& gm, uint64_t now_ms, std::vector<RemovedFlow>* removed) {
  std::vector<uint32_t> deleted;
  if (undo_ && !undo_->groups) undo_->groups = groups_;  // groups are few: the first change copies them
  STRATA_OF_RETURN_IF_ERROR(groups_.apply(gm, now_ms, &deleted));
  touch_groups();
  for (uint32_t g : deleted) {
    std::vector<Rule*> users;
    for (auto& [id, r] : rules_) {
      if (instructions_use_group(r->instructions, g)) users.push_back(r.get());
    }
    for (Rule* r : users) erase(r, ofp::kRrGroupDelete, removed);
  }
  return OfStatus::ok();
}

std::vector<const Rule*> Pipeline::select(const FlowFilter& f) const {
  std::vector<const Rule*> out;
  for (int t = 0; t < kNumTables; ++t) {
    if (f.table_id != ofp::kTableAll && f.table_id != t) continue;
    if (!tables_[static_cast<size_t>(t)]) continue;
    std::vector<Rule*> found = f.match.is_catchall() ? std::vector<Rule*>{}
                                                      : tables_[static_cast<size_t>(t)]->select_loose(f.match);
    if (f.match.is_catchall()) tables_[static_cast<size_t>(t)]->for_each([&](Rule* r) { found.push_back(r); });
    std::sort(found.begin(), found.end(), [](const Rule* a, const Rule* b) {
      return a->priority != b->priority ? a->priority > b->priority : a->id < b->id;
    });
    for (const Rule* r : found) {
      if (!cookie_selects(r->cookie, f.cookie, f.cookie_mask)) continue;
      if (!instructions_output_to(r->instructions, f.out_port)) continue;
      if (!instructions_use_group(r->instructions, f.out_group)) continue;
      out.push_back(r);
    }
  }
  return out;
}

std::vector<RemovedFlow> Pipeline::expire(uint64_t now_ms) {
  std::vector<RemovedFlow> removed;
  std::vector<std::pair<Rule*, uint8_t>> doomed;
  for (auto& [id, r] : rules_) {
    if (r->hard_timeout != 0 && now_ms >= r->created_ms + uint64_t{r->hard_timeout} * 1000) {
      doomed.emplace_back(r.get(), ofp::kRrHardTimeout);
    } else if (r->idle_timeout != 0 && now_ms >= r->used_ms + uint64_t{r->idle_timeout} * 1000) {
      doomed.emplace_back(r.get(), ofp::kRrIdleTimeout);
    }
  }
  for (auto [r, reason] : doomed) erase(r, reason, &removed);
  return removed;
}

void Pipeline::begin_transaction() { undo_ = std::make_unique<UndoLog>(); }

void Pipeline::commit_transaction() { undo_.reset(); }

void Pipeline::rollback_transaction() {
  if (!undo_) return;
  std::unique_ptr<UndoLog> log = std::move(undo_);  // undoing is not itself logged
  for (auto step = log->steps.rbegin(); step != log->steps.rend(); ++step) {
    switch (step->kind) {
      case UndoLog::Kind::kInserted:
        erase(rules_.at(step->rule_id).get(), ofp::kRrDelete, nullptr);  // no FLOW_REMOVED: it never was
        break;
      case UndoLog::Kind::kErased:
        insert(std::move(step->before));
        break;
      case UndoLog::Kind::kModified: {
        Rule* r = rules_.at(step->rule_id).get();
        r->instructions = std::move(step->before->instructions);
        r->packets = step->before->packets;
        r->bytes = step->before->bytes;
        touch_table(r->table_id);
        break;
      }
    }
  }
  if (log->groups) {
    groups_ = std::move(*log->groups);
    touch_groups();
  }
}

void Pipeline::clear() {
  for (auto& t : tables_) t.reset();
  rules_.clear();
  groups_.clear();
  mark_all_dirty();
}

}  // namespace strata::ofproto
