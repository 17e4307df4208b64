// Pipeline transactions (bundles): a rollback puts back every entry and
// group exactly as it was, ids and counters included; a commit keeps all.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ofproto/pipeline.h"

using namespace strata::ofproto;

namespace {

FlowMod flow(FlowCommand cmd, uint16_t prio, uint32_t in_port, OfActions acts, uint16_t flags = 0) {
  FlowMod fm;
  fm.command = cmd;
  fm.priority = prio;
  fm.match.set_in_port(in_port);
  fm.instructions = Instructions::apply_actions(std::move(acts));
  fm.flags = flags;
  return fm;
}

msg::GroupMod group(uint16_t command, uint32_t id, uint32_t out) {
  msg::GroupMod g;
  g.command = command;
  g.type = ofp::kGtAll;
  g.group_id = id;
  g.buckets.push_back(msg::Bucket{0, ofp::kPortAny, ofp::kGroupAny, {OfAction::output(out)}});
  return g;
}

// Everything a rollback must restore, as text: id, table, priority,
// where it sends frames, counters; then the groups.
std::string state(const Pipeline& p) {
  std::string s;
  for (const Rule* r : p.select(FlowFilter{})) {
    s += std::to_string(r->id) + "/" + std::to_string(r->table_id) + "/" + std::to_string(r->priority) + ":";
    if (r->instructions.apply) {
      for (const OfAction& a : *r->instructions.apply) s += std::to_string(static_cast<int>(a.kind)) + "-" + std::to_string(a.port) + ",";
    }
    s += " pk=" + std::to_string(r->packets) + " by=" + std::to_string(r->bytes) + "\n";
  }
  for (const auto& [id, g] : p.groups().groups()) {
    s += "group " + std::to_string(id) + ":" + std::to_string(g.buckets.size()) + ":" +
         std::to_string(g.buckets[0].actions[0].port) + "\n";
  }
  return s;
}

void set_counters(Pipeline& p, uint64_t packets) {
  for (const Rule* r : p.select(FlowFilter{})) {
    p.rule(r->id)->packets = packets + r->id;
    p.rule(r->id)->bytes = 64 * (packets + r->id);
  }
}

}  // namespace

TEST_CASE("a rolled-back transaction leaves entries and groups as they were", "[ofproto][pipeline][bundle]") {
  Pipeline p;
  REQUIRE(p.group_mod(group(ofp::kGcAdd, 1, 2), 0, nullptr));
  REQUIRE(p.flow_mod(flow(FlowCommand::kAdd, 10, 1, {OfAction::output(2)}), 0, nullptr));
  REQUIRE(p.flow_mod(flow(FlowCommand::kAdd, 10, 2, {OfAction::output(3)}), 0, nullptr));
  REQUIRE(p.flow_mod(flow(FlowCommand::kAdd, 10, 3, {OfAction::group(1)}), 0, nullptr));
  set_counters(p, 100);
  const std::string before = state(p);
  const size_t flows_before = p.flow_count();

  p.begin_transaction();
  REQUIRE(p.in_transaction());
  // One change of every kind the undo log knows.
  REQUIRE(p.flow_mod(flow(FlowCommand::kAdd, 20, 4, {OfAction::output(1)}), 0, nullptr));                // new entry
  REQUIRE(p.flow_mod(flow(FlowCommand::kAdd, 10, 1, {OfAction::output(4)}, ofp::kFfResetCounts), 0, nullptr));  // replaces one
  REQUIRE(p.flow_mod(flow(FlowCommand::kModifyStrict, 10, 2, {OfAction::output(9)}, ofp::kFfResetCounts), 0, nullptr));
  REQUIRE(p.flow_mod(flow(FlowCommand::kDeleteStrict, 20, 4, {}), 0, nullptr));                           // deletes the new one
  REQUIRE(p.group_mod(group(ofp::kGcModify, 1, 7), 0, nullptr));
  REQUIRE(p.group_mod(group(ofp::kGcDelete, 1, 0), 0, nullptr));  // takes the flow that uses it along
  REQUIRE(p.group_mod(group(ofp::kGcAdd, 2, 5), 0, nullptr));
  CHECK(state(p) != before);
  const uint64_t gen = p.generation();
  p.rollback_transaction();

  CHECK_FALSE(p.in_transaction());
  CHECK(state(p) == before);
  CHECK(p.flow_count() == flows_before);
  // The megaflows translated during the transaction are stale now.
  CHECK(p.generation() > gen);
  CHECK(p.dirty_tables().test(0));
  CHECK(p.groups_dirty());
  // The restored entries are the ones lookups find.
  Match m;
  m.set_in_port(1);
  CHECK(p.table(0)->find_strict(m, 10) != nullptr);
}

TEST_CASE("a committed transaction keeps every change; the next change is not logged", "[ofproto][pipeline][bundle]") {
  Pipeline p;
  REQUIRE(p.flow_mod(flow(FlowCommand::kAdd, 10, 1, {OfAction::output(2)}), 0, nullptr));
  p.begin_transaction();
  for (uint32_t port = 2; port < 100; ++port) {
    REQUIRE(p.flow_mod(flow(FlowCommand::kAdd, 10, port, {OfAction::output(1)}), 0, nullptr));
  }
  p.commit_transaction();
  CHECK_FALSE(p.in_transaction());
  CHECK(p.flow_count() == 99);
  p.rollback_transaction();  // nothing to roll back: a no-op
  CHECK(p.flow_count() == 99);
}

TEST_CASE("a failing change inside a transaction changes nothing itself", "[ofproto][pipeline][bundle]") {
  Pipeline p(3);  // room for three entries
  REQUIRE(p.flow_mod(flow(FlowCommand::kAdd, 10, 1, {OfAction::output(2)}), 0, nullptr));
  const std::string before = state(p);
  p.begin_transaction();
  REQUIRE(p.flow_mod(flow(FlowCommand::kAdd, 10, 2, {OfAction::output(1)}), 0, nullptr));
  REQUIRE(p.flow_mod(flow(FlowCommand::kAdd, 10, 3, {OfAction::output(1)}), 0, nullptr));
  const OfStatus full = p.flow_mod(flow(FlowCommand::kAdd, 10, 4, {OfAction::output(1)}), 0, nullptr);
  CHECK(full.code() == ofp::kFmfcTableFull);
  p.rollback_transaction();
  CHECK(state(p) == before);
}
