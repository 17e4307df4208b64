// Translation: datapath actions for a frame through the pipeline, and the
// megaflow mask in terms of the ORIGINAL frame even after push/pop/set_field
// changed what later tables see.
#include <catch2/catch.hpp>

#include "bridge_fixture.h"

using namespace strata;
using namespace strata::testing;

TEST_CASE("pushing a 2-tag stack on an untagged frame", "[ofproto][xlate]") {
  BridgeFixture f;
  f.add(0, 10, Match{}.set_in_port(1),
        apply({OfAction::push_vlan(0x8100), set_vid(200), OfAction::push_vlan(0x88a8), set_vid(100),
               OfAction::output(2)}));
  const auto r = f.run(BridgeFixture::key(1, {}));
  // The second push copies VID 200 from the tag below, then set_field sets 100.
  CHECK(r.actions == "push_tag:8100:0:0,set_vid:0:200,push_tag:88a8:200:0,set_vid:0:100,output:12");
  CHECK(r.mask.in_port == 0xffffffff);
  CHECK(r.mask.tags[0].tpid == 0xffff);  // whether a tag was there decided what push copies
  CHECK(r.mask.tags[0].tci == 0);
  const uint8_t zero[6] = {};
  CHECK(std::memcmp(r.mask.eth_src, zero, 6) == 0);
  CHECK(std::memcmp(r.mask.eth_dst, zero, 6) == 0);
  CHECK(r.mask.eth_type == 0);
}

TEST_CASE("pop in table 0, match the next tag in table 1: both original tags are consulted", "[ofproto][xlate]") {
  BridgeFixture f;
  f.add(0, 10, Match{}.set_in_port(1).set_uint(FieldId::kVlanVid, ofp::kVidPresent | 100),
        apply_goto({OfAction::pop_vlan()}, 1));
  f.add(1, 10, vid_is(200), apply({OfAction::pop_vlan(), OfAction::output(2)}));
  auto r = f.run(BridgeFixture::key(1, {{0x88a8, 100}, {0x8100, 200}}));
  CHECK(r.actions == "pop_tag,pop_tag,output:12");
  CHECK(r.mask.tags[0].tci == 0x0fff);
  CHECK(r.mask.tags[0].tpid == 0xffff);
  CHECK(r.mask.tags[1].tci == 0x0fff);  // table 1's vlan_vid is the ORIGINAL second tag
  CHECK(r.mask.tags[1].tpid == 0xffff);
  CHECK(r.mask.tags[2].tci == 0);
  REQUIRE(r.out.tables.size() == 2);
  CHECK(r.out.tables[1] == std::make_pair(uint8_t{1}, true));
  // Another inner VID misses table 1: popped, then dropped.
  r = f.run(BridgeFixture::key(1, {{0x88a8, 100}, {0x8100, 201}}));
  CHECK(r.actions == "pop_tag");
  CHECK(r.out.tables[1] == std::make_pair(uint8_t{1}, false));
}

TEST_CASE("deeper tags match through the experimenter fields", "[ofproto][xlate]") {
  BridgeFixture f;
  l2tags::StackPattern p;
  p.push_inner({0x88a8, 100, {}});
  p.push_inner({0x8100, 200, {}});
  p.push_inner({0x8100, {}, {}});
  f.add(0, 10, Match{}.set_tag_stack(p), apply({OfAction::set_field(tag_field(TagAttr::kVid, 3), ofp::kVidPresent | 7),
                                                OfAction::output(3)}));
  auto r = f.run(BridgeFixture::key(1, {{0x88a8, 100}, {0x8100, 200}, {0x8100, 55}}));
  CHECK(r.actions == "set_vid:2:7,output:13");
  CHECK(r.mask.tags[3].tpid == 0xffff);  // "exactly three tags" reads the fourth slot
  r = f.run(BridgeFixture::key(1, {{0x88a8, 100}, {0x8100, 200}, {0x8100, 55}, {0x8100, 1}}));
  CHECK(r.actions == "drop");
}

TEST_CASE("a field an action wrote is not consulted when a later table matches it", "[ofproto][xlate]") {
  BridgeFixture f;
  Match dst;
  dst.set_eth_dst(kMacA);
  FieldValue mac;
  std::memcpy(mac.bytes.data(), kMacA, 6);
  f.add(0, 10, Match{}.set_in_port(1), apply_goto({OfAction::set_field_bytes(FieldId::kEthDst, mac), set_vid(5)}, 1));
  f.add(1, 10, Match{}.set_eth_dst(kMacA).set_uint(FieldId::kVlanVid, ofp::kVidPresent | 5), apply({OfAction::output(2)}));
  auto r = f.run(BridgeFixture::key(1, {{0x8100, 9}}, kMacB, kMacB));
  CHECK(r.actions == "set_eth_dst:02:00:00:00:00:0a,set_vid:0:5,output:12");
  const uint8_t zero[6] = {};
  CHECK(std::memcmp(r.mask.eth_dst, zero, 6) == 0);
  CHECK((r.mask.tags[0].tci & 0x0fff) == 0);  // the VID was written, not read
  CHECK(r.mask.tags[0].tpid == 0xffff);       // but whether a tag existed was read
  // Untagged: set_field on the VID is a no-op and table 1 misses.
  r = f.run(BridgeFixture::key(1, {}, kMacB, kMacB));
  CHECK(r.actions == "set_eth_dst:02:00:00:00:00:0a");
}

TEST_CASE("write-actions run at the end in the action-set order", "[ofproto][xlate]") {
  BridgeFixture f;
  Instructions ins;
  ins.write = OfActions{OfAction::output(2), set_vid(9), OfAction::push_vlan(0x88a8)};
  ins.goto_table = 1;
  f.add(0, 10, Match{}, ins);
  Instructions clear;
  clear.clear_actions = true;
  clear.write = OfActions{OfAction::output(3)};
  f.add(1, 10, Match{}.set_in_port(2), clear);
  f.add(1, 5, Match{}, Instructions{});
  auto r = f.run(BridgeFixture::key(1, {}));
  CHECK(r.actions == "push_tag:88a8:0:0,set_vid:0:9,output:12");  // push, set, then output
  r = f.run(BridgeFixture::key(2, {}));
  CHECK(r.actions == "output:13");  // cleared and replaced in table 1
}

TEST_CASE("write-metadata feeds later matches without consulting the frame", "[ofproto][xlate]") {
  BridgeFixture f;
  Instructions ins;
  ins.metadata = 0x5;
  ins.metadata_mask = 0xff;
  ins.goto_table = 2;
  f.add(0, 10, Match{}.set_in_port(1), ins);
  f.add(2, 10, Match{}.set_metadata(0x5, 0xff), apply({OfAction::output(3)}));
  const auto r = f.run(BridgeFixture::key(1, {}));
  CHECK(r.actions == "output:13");
}

TEST_CASE("ALL group buckets act on copies: the frame is restored between them", "[ofproto][xlate][groups]") {
  BridgeFixture f;
  msg::GroupMod g;
  g.type = ofp::kGtAll;
  g.group_id = 1;
  g.buckets.push_back(msg::Bucket{0, ofp::kPortAny, ofp::kGroupAny,
                                  {OfAction::push_vlan(0x8100), set_vid(5), OfAction::output(2)}});
  g.buckets.push_back(msg::Bucket{0, ofp::kPortAny, ofp::kGroupAny, {OfAction::output(3)}});
  REQUIRE(f.br.group_mod(g));
  f.add(0, 10, Match{}, apply({OfAction::group(1)}));
  const auto r = f.run(BridgeFixture::key(1, {}));
  CHECK(r.actions == "push_tag:8100:0:0,set_vid:0:5,output:12,pop_tag,output:13");
  CHECK(r.out.buckets.size() == 2);
}

TEST_CASE("a bucket that popped an original tag pushes it back, pinning its value", "[ofproto][xlate][groups]") {
  BridgeFixture f;
  msg::GroupMod g;
  g.type = ofp::kGtAll;
  g.group_id = 1;
  g.buckets.push_back(msg::Bucket{0, ofp::kPortAny, ofp::kGroupAny, {OfAction::pop_vlan(), OfAction::output(2)}});
  g.buckets.push_back(msg::Bucket{0, ofp::kPortAny, ofp::kGroupAny, {OfAction::output(3)}});
  REQUIRE(f.br.group_mod(g));
  f.add(0, 10, Match{}, apply({OfAction::group(1)}));
  const auto r = f.run(BridgeFixture::key(1, {{0x8100, 0x2007}}));
  CHECK(r.actions == "pop_tag,output:12,push_tag:8100:7:1,output:13");
  CHECK(r.mask.tags[0].tpid == 0xffff);
  CHECK(r.mask.tags[0].tci == 0xffff);
}

TEST_CASE("select groups hash consulted fields, fast failover follows liveness", "[ofproto][xlate][groups]") {
  BridgeFixture f;
  msg::GroupMod g;
  g.type = ofp::kGtSelect;
  g.group_id = 1;
  g.buckets.push_back(msg::Bucket{1, ofp::kPortAny, ofp::kGroupAny, {OfAction::output(2)}});
  g.buckets.push_back(msg::Bucket{1, ofp::kPortAny, ofp::kGroupAny, {OfAction::output(3)}});
  REQUIRE(f.br.group_mod(g));
  f.add(0, 10, Match{}, apply({OfAction::group(1)}));
  auto r1 = f.run(BridgeFixture::key(1, {}, kMacA));
  auto r2 = f.run(BridgeFixture::key(1, {}, kMacA));
  CHECK(r1.actions == r2.actions);
  const uint8_t ones[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  CHECK(std::memcmp(r1.mask.eth_src, ones, 6) == 0);
  CHECK(r1.mask.eth_type == 0xffff);
  int to2 = 0;
  for (uint8_t i = 0; i < 64; ++i) {
    const uint8_t src[6] = {0x02, 0, 0, 0, 1, i};
    to2 += f.run(BridgeFixture::key(1, {}, src)).actions == "output:12";
  }
  CHECK(to2 > 8);
  CHECK(to2 < 56);

  // Fast failover: no link is up on the fake datapath, so only a bucket
  // watching nothing qualifies.
  msg::GroupMod ff;
  ff.type = ofp::kGtFastFailover;
  ff.group_id = 2;
  ff.buckets.push_back(msg::Bucket{0, 2, ofp::kGroupAny, {OfAction::output(2)}});
  ff.buckets.push_back(msg::Bucket{0, ofp::kPortAny, 1, {OfAction::output(3)}});
  REQUIRE(f.br.group_mod(ff));
  f.add(0, 20, Match{}.set_in_port(2), apply({OfAction::group(2)}));
  CHECK(f.run(BridgeFixture::key(2, {})).actions == "output:13");
}

TEST_CASE("table miss drops, a table-miss entry sends NO_MATCH packet-ins", "[ofproto][xlate]") {
  BridgeFixture f;
  auto r = f.run(BridgeFixture::key(1, {}));
  CHECK(r.actions == "drop");
  CHECK(r.mask.in_port == 0xffffffff);
  f.add(0, 0, Match{}, apply({OfAction::output(ofp::kPortController, 128)}), 0xc0ffee);
  f.add(0, 5, Match{}.set_in_port(2), apply({OfAction::output(ofp::kPortController, 0xffff)}), 0xbeef);
  r = f.run(BridgeFixture::key(1, {}));
  REQUIRE(r.actions.rfind("controller:", 0) == 0);
  const PacketInContext* ctx = f.contexts.find(static_cast<uint32_t>(std::stoul(r.actions.substr(11))));
  REQUIRE(ctx != nullptr);
  CHECK(ctx->reason == ofp::kPrNoMatch);
  CHECK(ctx->cookie == 0xc0ffee);
  CHECK(ctx->bridge == "br0");
  r = f.run(BridgeFixture::key(2, {}));
  ctx = f.contexts.find(static_cast<uint32_t>(std::stoul(r.actions.substr(11))));
  REQUIRE(ctx != nullptr);
  CHECK(ctx->reason == ofp::kPrAction);
}

TEST_CASE("output to IN_PORT, ALL and the ingress port itself", "[ofproto][xlate]") {
  BridgeFixture f;
  f.add(0, 10, Match{}.set_in_port(1), apply({OfAction::output(1), OfAction::output(ofp::kPortInPort)}));
  f.add(0, 10, Match{}.set_in_port(2), apply({OfAction::output(ofp::kPortAll)}));
  CHECK(f.run(BridgeFixture::key(1, {})).actions == "output:11");  // plain output to in_port is dropped
  CHECK(f.run(BridgeFixture::key(2, {})).actions == "output:11,output:13");
}

TEST_CASE("NORMAL inside the pipeline learns and floods like the bridge's NORMAL", "[ofproto][xlate]") {
  BridgeFixture f(true);  // keeps the default priority-0 NORMAL entry
  auto r = f.run(BridgeFixture::key(1, {}, kMacA, kBcast));
  CHECK(r.actions == "output:12,output:13");
  CHECK(r.out.used_normal);
  // B answers A: A was learned on port 1.
  r = f.run(BridgeFixture::key(2, {}, kMacB, kMacA));
  CHECK(r.actions == "output:11");
}

TEST_CASE("a port taken down by PORT_MOD neither receives nor sends", "[ofproto][xlate]") {
  BridgeFixture f;
  f.add(0, 10, Match{}, apply({OfAction::output(ofp::kPortFlood)}));
  REQUIRE(f.br.set_port_config(3, ofp::kPcPortDown, ofp::kPcPortDown));
  CHECK(f.run(BridgeFixture::key(1, {})).actions == "output:12");
  CHECK(f.run(BridgeFixture::key(3, {})).actions == "drop");
  REQUIRE(f.br.set_port_config(3, 0, ofp::kPcPortDown));
  CHECK(f.run(BridgeFixture::key(1, {})).actions == "output:12,output:13");
  CHECK(f.br.set_port_config(9, 0, ofp::kPcPortDown).code() == ofp::kPmfcBadPort);
}

TEST_CASE("a ninth tag cannot be pushed: the frame is dropped there", "[ofproto][xlate]") {
  BridgeFixture f;
  f.add(0, 10, Match{}, apply({OfAction::output(2), OfAction::push_vlan(0x8100), OfAction::output(3)}));
  const auto r = f.run(BridgeFixture::key(1, {{0x8100, 1}, {0x8100, 2}, {0x8100, 3}, {0x8100, 4},
                                              {0x8100, 5}, {0x8100, 6}, {0x8100, 7}, {0x8100, 8}}));
  CHECK(r.actions == "output:12");
  CHECK(r.mask.tags[7].tpid == 0xffff);
}
