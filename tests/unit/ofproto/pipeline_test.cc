// FLOW_MOD and GROUP_MOD semantics of OpenFlow 1.3 (6.4, 6.5) and timeouts.
#include <catch2/catch.hpp>

#include "ofproto/pipeline.h"

using namespace strata::ofproto;

namespace {

FlowMod add(uint8_t table, uint16_t prio, const Match& m, OfActions acts, uint64_t cookie = 0) {
  FlowMod fm;
  fm.table_id = table;
  fm.priority = prio;
  fm.match = m;
  fm.cookie = cookie;
  fm.instructions = Instructions::apply_actions(std::move(acts));
  return fm;
}

Match port(uint32_t p) {
  Match m;
  m.set_in_port(p);
  return m;
}

}  // namespace

TEST_CASE("add replaces an identical entry, keeping counters unless RESET_COUNTS", "[ofproto][pipeline]") {
  Pipeline p;
  REQUIRE(p.flow_mod(add(0, 5, port(1), {OfAction::output(2)}), 0, nullptr));
  Rule* r = const_cast<Rule*>(p.select(FlowFilter{})[0]);
  r->packets = 7;
  REQUIRE(p.flow_mod(add(0, 5, port(1), {OfAction::output(3)}), 0, nullptr));
  REQUIRE(p.flow_count() == 1);
  CHECK(p.select(FlowFilter{})[0]->packets == 7);
  CHECK((*p.select(FlowFilter{})[0]->instructions.apply)[0].port == 3);
  FlowMod reset = add(0, 5, port(1), {OfAction::output(4)});
  reset.flags = ofp::kFfResetCounts;
  REQUIRE(p.flow_mod(reset, 0, nullptr));
  CHECK(p.select(FlowFilter{})[0]->packets == 0);
}

TEST_CASE("CHECK_OVERLAP refuses an overlapping entry of the same priority", "[ofproto][pipeline]") {
  Pipeline p;
  REQUIRE(p.flow_mod(add(0, 5, port(1), {}), 0, nullptr));
  FlowMod fm = add(0, 5, Match{}.set_eth_type(0x0800), {});
  fm.flags = ofp::kFfCheckOverlap;
  const OfStatus st = p.flow_mod(fm, 0, nullptr);
  CHECK(st.type() == ofp::kEtFlowModFailed);
  CHECK(st.code() == ofp::kFmfcOverlap);
  fm.priority = 6;
  CHECK(p.flow_mod(fm, 0, nullptr));
}

TEST_CASE("modify and delete: loose, strict, cookie mask, out_port, all tables", "[ofproto][pipeline]") {
  Pipeline p;
  REQUIRE(p.flow_mod(add(0, 5, port(1), {OfAction::output(2)}, 0x10), 0, nullptr));
  REQUIRE(p.flow_mod(add(0, 6, Match{}.set_in_port(1).set_eth_type(0x0800), {OfAction::output(3)}, 0x20), 0, nullptr));
  REQUIRE(p.flow_mod(add(1, 5, port(2), {OfAction::output(3)}, 0x11), 0, nullptr));

  FlowMod mod;
  mod.command = FlowCommand::kModifyStrict;
  mod.match = port(1);
  mod.priority = 5;
  mod.instructions = Instructions::apply_actions({OfAction::output(9)});
  REQUIRE(p.flow_mod(mod, 0, nullptr));
  FlowFilter t0;
  t0.table_id = 0;
  t0.out_port = 9;
  CHECK(p.select(t0).size() == 1);

  FlowMod del;
  del.command = FlowCommand::kDelete;
  del.table_id = ofp::kTableAll;
  del.out_port = 3;
  del.cookie = 0x10;
  del.cookie_mask = 0xf0;
  REQUIRE(p.flow_mod(del, 0, nullptr));  // cookie 0x11 in table 1 outputs to 3: gone
  CHECK(p.flow_count() == 2);
  FlowFilter t1;
  t1.table_id = 1;
  CHECK(p.select(t1).empty());

  del = FlowMod{};
  del.command = FlowCommand::kDeleteStrict;
  del.match = port(1);
  del.priority = 6;  // no entry has exactly this: nothing happens
  REQUIRE(p.flow_mod(del, 0, nullptr));
  CHECK(p.flow_count() == 2);
  del.command = FlowCommand::kDelete;  // loose: both table-0 entries are covered by in_port=1
  del.table_id = 0;
  REQUIRE(p.flow_mod(del, 0, nullptr));
  CHECK(p.flow_count() == 0);
  CHECK(p.dirty_tables().test(0));
  CHECK(p.dirty_tables().test(1));
}

TEST_CASE("flow_mod validation errors change nothing", "[ofproto][pipeline]") {
  Pipeline p;
  FlowMod bad = add(ofp::kTableAll, 1, Match{}, {});
  CHECK(p.flow_mod(bad, 0, nullptr).code() == ofp::kFmfcBadTableId);
  bad = add(3, 1, Match{}, {});
  bad.instructions.goto_table = 2;
  OfStatus st = p.flow_mod(bad, 0, nullptr);
  CHECK(st.type() == ofp::kEtBadInstruction);
  CHECK(st.code() == ofp::kBicBadTableId);
  st = p.flow_mod(add(0, 1, Match{}, {OfAction::group(5)}), 0, nullptr);
  CHECK(st.type() == ofp::kEtBadAction);
  CHECK(st.code() == ofp::kBacBadOutGroup);
  st = p.flow_mod(add(0, 1, Match{}, {OfAction::output(0)}), 0, nullptr);
  CHECK(st.code() == ofp::kBacBadOutPort);
  st = p.flow_mod(add(0, 1, Match{}, {OfAction::output(ofp::kPortTable)}), 0, nullptr);
  CHECK(st.code() == ofp::kBacBadOutPort);
  Pipeline small(1);
  REQUIRE(small.flow_mod(add(0, 1, port(1), {}), 0, nullptr));
  CHECK(small.flow_mod(add(0, 1, port(2), {}), 0, nullptr).code() == ofp::kFmfcTableFull);
  CHECK(p.flow_count() == 0);
  CHECK_FALSE(p.dirty());
}

TEST_CASE("idle and hard timeouts remove entries with their reasons", "[ofproto][pipeline]") {
  Pipeline p;
  FlowMod idle = add(0, 1, port(1), {});
  idle.idle_timeout = 2;
  idle.flags = ofp::kFfSendFlowRem;
  FlowMod hard = add(0, 1, port(2), {});
  hard.hard_timeout = 5;
  hard.flags = ofp::kFfSendFlowRem;
  FlowMod quiet = add(0, 1, port(3), {});
  quiet.hard_timeout = 1;  // no SEND_FLOW_REM: removed silently
  REQUIRE(p.flow_mod(idle, 1000, nullptr));
  REQUIRE(p.flow_mod(hard, 1000, nullptr));
  REQUIRE(p.flow_mod(quiet, 1000, nullptr));
  CHECK(p.expire(1500).empty());
  p.rule(1)->used_ms = 2500;  // traffic keeps the idle one alive
  auto gone = p.expire(3900);
  CHECK(gone.empty());
  CHECK(p.flow_count() == 2);  // the quiet one left
  gone = p.expire(4600);
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].reason == ofp::kRrIdleTimeout);
  gone = p.expire(6000);
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].reason == ofp::kRrHardTimeout);
  CHECK(p.flow_count() == 0);
}

TEST_CASE("groups: add, exists, modify unknown, loops, delete takes its flows along", "[ofproto][pipeline][groups]") {
  Pipeline p;
  msg::GroupMod g;
  g.command = ofp::kGcAdd;
  g.type = ofp::kGtAll;
  g.group_id = 1;
  g.buckets.push_back(msg::Bucket{0, ofp::kPortAny, ofp::kGroupAny, {OfAction::output(2)}});
  REQUIRE(p.group_mod(g, 0, nullptr));
  CHECK(p.group_mod(g, 0, nullptr).code() == ofp::kGmfcGroupExists);
  msg::GroupMod m = g;
  m.command = ofp::kGcModify;
  m.group_id = 2;
  CHECK(p.group_mod(m, 0, nullptr).code() == ofp::kGmfcUnknownGroup);
  msg::GroupMod loop = g;
  loop.command = ofp::kGcModify;
  loop.buckets[0].actions = {OfAction::group(1)};
  CHECK(p.group_mod(loop, 0, nullptr).code() == ofp::kGmfcLoop);
  msg::GroupMod indirect = g;
  indirect.group_id = 3;
  indirect.type = ofp::kGtIndirect;
  indirect.buckets.push_back(indirect.buckets[0]);
  CHECK(p.group_mod(indirect, 0, nullptr).code() == ofp::kGmfcInvalidGroup);
  msg::GroupMod ff = g;
  ff.group_id = 4;
  ff.type = ofp::kGtFastFailover;
  CHECK(p.group_mod(ff, 0, nullptr).code() == ofp::kGmfcBadWatch);

  FlowMod uses = add(0, 1, port(1), {OfAction::group(1)});
  uses.flags = ofp::kFfSendFlowRem;
  REQUIRE(p.flow_mod(uses, 0, nullptr));
  msg::GroupMod del;
  del.command = ofp::kGcDelete;
  del.group_id = ofp::kGroupAll;
  std::vector<RemovedFlow> removed;
  REQUIRE(p.group_mod(del, 0, &removed));
  CHECK(p.groups().groups().empty());
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].reason == ofp::kRrGroupDelete);
  CHECK(p.flow_count() == 0);
}
