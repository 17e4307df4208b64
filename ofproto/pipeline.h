// Pipeline: the flow tables and groups of one bridge, and the semantics of
// changing them (FLOW_MOD, GROUP_MOD), selecting from them (stats, dumps),
// and retiring entries (timeouts). It knows nothing about frames: running a
// frame through it is translation's job (xlate.h).
//
// Changes are recorded as dirty tables / groups so the bridge can remove
// the megaflows that depended on them (revalidation) before it answers a
// barrier. Control thread only.
#pragma once

#include <array>
#include <bitset>
#include <memory>
#include <unordered_map>
#include <vector>

#include "ofproto/flow_mod.h"
#include "ofproto/flow_table.h"
#include "ofproto/group_table.h"

namespace strata::ofproto {

inline constexpr int kNumTables = 255;  // tables 0..254

class Pipeline {
 public:
  explicit Pipeline(size_t max_flows = 1000000);
  ~Pipeline();

  // Applies one flow_mod; nothing changes on error. Entries deleted with
  // SEND_FLOW_REM are appended to *removed.
  OfStatus flow_mod(const FlowMod& fm, uint64_t now_ms, std::vector<RemovedFlow>* removed);
  // Applies one group_mod; deleting a group deletes the flows that use it.
  OfStatus group_mod(const msg::GroupMod& gm, uint64_t now_ms, std::vector<RemovedFlow>* removed);
  // Checks actions as they would be installed (packet-out allows TABLE).
  OfStatus check_actions(const OfActions& actions, bool packet_out) const;

  // Entries the filter selects, in table order.
  std::vector<const Rule*> select(const FlowFilter& filter) const;
  const FlowTable* table(uint8_t id) const { return id < kNumTables ? tables_[id].get() : nullptr; }
  const GroupTable& groups() const { return groups_; }
  GroupTable& groups_mut() { return groups_; }
  Rule* rule(uint64_t id) {
    auto it = rules_.find(id);
    return it == rules_.end() ? nullptr : it->second.get();
  }
  size_t flow_count() const { return rules_.size(); }

  // Entries whose idle or hard timeout has passed leave; those with
  // SEND_FLOW_REM are returned.
  std::vector<RemovedFlow> expire(uint64_t now_ms);
  // Removes every entry and group (no FLOW_REMOVED), e.g. when the set of
  // controllers changes.
  void clear();

  // Transactions, for bundles: every flow_mod / group_mod between
  // begin_transaction() and commit_transaction() can be undone as one by
  // rollback_transaction(), which puts back the entries (same ids, same
  // counters) and groups exactly as they were. The undo log holds what a
  // change replaced, so a transaction costs a little per change, not a
  // copy of the tables. Timeouts must not run inside one (expire() is not
  // logged); the control thread runs a whole bundle in one call.
  void begin_transaction();
  void commit_transaction();
  void rollback_transaction();
  bool in_transaction() const { return undo_ != nullptr; }

  // Revalidation. Every change bumps a generation number and stamps the
  // tables (or the group table) it touched with it; a megaflow translated
  // at generation G is stale when a table it looked at has a later stamp.
  uint64_t generation() const { return generation_; }
  uint64_t table_generation(uint8_t t) const { return table_gen_[t]; }
  uint64_t groups_generation() const { return groups_gen_; }
  // What changed since the last clear_dirty().
  const std::bitset<256>& dirty_tables() const { return dirty_tables_; }
  bool groups_dirty() const { return groups_dirty_; }
  bool dirty() const { return dirty_tables_.any() || groups_dirty_; }
  void clear_dirty() {
    dirty_tables_.reset();
    groups_dirty_ = false;
  }
  // Forces revalidation of everything (ports changed, mode changed).
  void mark_all_dirty() {
    for (int t = 0; t < 256; ++t) touch_table(static_cast<uint8_t>(t));
    touch_groups();
  }

 private:
  OfStatus check_instructions(const Instructions& ins, uint8_t table_id) const;
  FlowTable& table_mut(uint8_t id);
  void erase(Rule* r, uint8_t reason, std::vector<RemovedFlow>* removed);
  void insert(std::unique_ptr<Rule> rule);
  void touch_table(uint8_t t) {
    dirty_tables_.set(t);
    table_gen_[t] = ++generation_;
  }
  void touch_groups() {
    groups_dirty_ = true;
    groups_gen_ = ++generation_;
  }
  OfStatus add(const FlowMod& fm, uint64_t now_ms);
  std::vector<Rule*> select_for_mod(const FlowMod& fm, bool strict) const;

  struct UndoLog;  // pipeline.cc

  size_t max_flows_;                                            // capacity, all tables together
  std::array<std::unique_ptr<FlowTable>, kNumTables> tables_;   // created on first use
  std::unordered_map<uint64_t, std::unique_ptr<Rule>> rules_;   // every entry, by id
  uint64_t next_rule_id_ = 1;                                   // ids are never reused
  GroupTable groups_;                                           // the groups
  std::bitset<256> dirty_tables_;                               // tables changed since clear_dirty()
  bool groups_dirty_ = false;                                   // groups changed since clear_dirty()
  uint64_t generation_ = 0;                                     // bumped by every change
  std::array<uint64_t, 256> table_gen_{};                       // per table: generation of its last change
  std::unique_ptr<UndoLog> undo_;                               // set inside a transaction
  uint64_t groups_gen_ = 0;                                     // generation of the last group change
};

}  // namespace strata::ofproto
