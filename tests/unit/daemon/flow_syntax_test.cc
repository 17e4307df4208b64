#include <catch2/catch.hpp>

#include "daemon/stratactl/flow_syntax.h"

using namespace strata;
using namespace strata::ctl;

TEST_CASE("flow syntax: the issue's example parses into the native flow", "[stratactl][flows]") {
  auto f = parse_flow("table=0,priority=100,in_port=1,tags=88a8:100/8100:*,actions=pop_tag,output:2");
  REQUIRE(f);
  CHECK(f->table() == 0);
  CHECK(f->priority() == 100);
  CHECK(f->match().in_port() == 1);
  REQUIRE(f->match().tags().tags_size() == 2);
  CHECK(f->match().tags().tags(0).tpid() == 0x88a8);
  CHECK(f->match().tags().tags(0).vid() == 100);
  CHECK_FALSE(f->match().tags().tags(1).has_vid());
  CHECK_FALSE(f->match().tags().outer_only());
  REQUIRE(f->actions_size() == 2);
  CHECK(f->actions(0).has_pop_tag());
  CHECK(f->actions(1).output() == 2);
}

TEST_CASE("flow syntax: format(parse(text)) is canonical and parses back to the same flow", "[stratactl][flows]") {
  const char* texts[] = {
      "table=0,priority=100,in_port=1,tags=88a8:100/8100:*,actions=pop_tag,output:2",
      ("table=1,priority=32768,cookie=0x2a,idle_timeout=10,tags=88a8:100/...,dl_dst=02:00:00:00:00:01,"
       "actions=push_tag:9100:7:3,set_vid:1:200,set_pcp:0:5,normal"),  // one text, two lines
      "table=0,priority=5,tags=none,dl_type=0x0800,nw_src=10.0.0.0/24,nw_proto=6,tp_dst=80,actions=controller:128",
      "table=2,priority=1,metadata=0x5/0xff,actions=group:3,goto_table:4",
      "table=0,priority=0,actions=drop",
      "table=0,priority=9,in_port=3,actions=flood,in_port,set_eth_src:02:00:00:00:00:09,output:1",
  };
  for (const char* text : texts) {
    INFO(text);
    auto f = parse_flow(text);
    REQUIRE(f);
    const std::string canonical = format_flow(*f);
    auto again = parse_flow(canonical);
    REQUIRE(again);
    CHECK(again->SerializeAsString() == f->SerializeAsString());
    CHECK(format_flow(*again) == canonical);
  }
}

TEST_CASE("flow syntax: shorthands and defaults", "[stratactl][flows]") {
  auto f = parse_flow("tcp,tp_dst=22,actions=drop");
  REQUIRE(f);
  CHECK(f->priority() == kDefaultPriority);
  CHECK(f->match().eth_type() == 0x0800);
  CHECK(f->match().ip_proto() == 6);
  CHECK(f->actions_size() == 0);
}

TEST_CASE("flow syntax: malformed flows are one clear error", "[stratactl][flows]") {
  const std::pair<const char*, const char*> cases[] = {
      {"in_port=1", "no actions="},
      {"in_port=x,actions=drop", "in_port=x: \"x\" is not a number"},
      {"table=300,actions=drop", "out of range"},
      {"priority=70000,actions=drop", "out of range"},
      {"bogus=1,actions=drop", "\"bogus\" is not a flow field"},
      {"tags=88a8:4096,actions=drop", "4096"},
      {"tags=zz,actions=drop", "tags=zz"},
      {"actions=", "actions= is empty"},
      {"actions=fly", "action \"fly\""},
      {"actions=drop,output:1", "drop cannot be combined"},
      {"actions=goto_table:2,output:1", "goto_table must be the last"},
      {"actions=push_tag:88a8", "action \"push_tag:88a8\""},
      {"actions=output:x", "not a number"},
      {"ip,nw_src,actions=drop", "not a field"},
  };
  for (const auto& [text, want] : cases) {
    INFO(text);
    auto f = parse_flow(text);
    REQUIRE_FALSE(f);
    CHECK_THAT(f.status().message(), Catch::Contains(want));
  }
}

TEST_CASE("flow syntax: selectors for del-flows and dump-flows", "[stratactl][flows]") {
  auto s = parse_selector("table=3,priority=7,cookie=0x10/0xf0,out_port=2,in_port=1,tags=88a8:*/...");
  REQUIRE(s);
  CHECK(*s->table == 3);
  CHECK(*s->priority == 7);
  CHECK(*s->cookie == 0x10);
  CHECK(s->cookie_mask == 0xf0);
  CHECK(*s->out_port == 2);
  CHECK(s->match.in_port() == 1);
  CHECK(s->match.tags().outer_only());
  auto all = parse_selector("");
  REQUIRE(all);
  CHECK_FALSE(all->table);
  CHECK_FALSE(all->match.has_in_port());
  CHECK_FALSE(parse_selector("in_port=1,actions=drop"));
  CHECK_FALSE(parse_selector("idle_timeout=3"));
}
