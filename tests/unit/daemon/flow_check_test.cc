#include <catch2/catch.hpp>
#include <google/protobuf/text_format.h>

#include "daemon/flow_check.h"

using namespace strata;
using namespace strata::daemon;

namespace {

Status check(const std::string& text) {
  v1::Flow f;
  REQUIRE(google::protobuf::TextFormat::ParseFromString(text, &f));
  return check_flow(f, l2tags::TpidSet{}, "flows[0]");
}

}  // namespace

TEST_CASE("flow checks: well-formed flows pass", "[daemon][flows]") {
  CHECK(check(R"pb(table: 0 priority: 100 match { in_port: 1 tags { tags { tpid: 0x88a8 vid: 100 } tags { tpid: 0x8100 } } }
                  actions { pop_tag {} } actions { output: 2 })pb"));
  CHECK(check(R"pb(match { eth_type: 0x0800 ipv4_src: "10.0.0.0/24" ip_proto: 6 tp_dst: 80 eth_dst: "02:00:00:00:00:01/ff:ff:ff:00:00:00" }
                  actions { push_tag { tpid: 0x88a8 vid: 5 pcp: 3 } } actions { set_tag { depth: 1 vid: 9 } }
                  goto_table: 3)pb"));
}

TEST_CASE("flow checks: each malformed field is named", "[daemon][flows]") {
  const std::pair<const char*, const char*> cases[] = {
      {R"pb(table: 255)pb", "flows[0].table:"},
      {R"pb(priority: 70000)pb", "flows[0].priority:"},
      {R"pb(match { in_port: 0 })pb", "flows[0].match.in_port:"},
      {R"pb(match { tags { tags { tpid: 0x88a8 vid: 4096 } } })pb", "flows[0].match.tags.tags[0].vid: 4096"},
      {R"pb(match { tags { tags { tpid: 0x88a8 vid: 1 } tags { tpid: 0x1234 } } })pb", "flows[0].match.tags.tags[1].tpid:"},
      {R"pb(match { tags { tags { tpid: 0x8100 pcp: 9 } } })pb", "flows[0].match.tags.tags[0].pcp:"},
      {R"pb(match { eth_src: "zz" })pb", "flows[0].match.eth_src:"},
      {R"pb(match { ipv4_dst: "10.0.0.1" })pb", "flows[0].match.ipv4_dst: needs eth_type"},
      {R"pb(match { eth_type: 0x0800 ipv4_dst: "10.0.0.1/33" })pb", "flows[0].match.ipv4_dst:"},
      {R"pb(match { eth_type: 0x0800 tp_dst: 80 })pb", "flows[0].match.tp_dst: needs ip_proto"},
      {R"pb(actions { output: 0 })pb", "flows[0].actions[0].output:"},
      {R"pb(actions { pop_tag {} } actions { push_tag { tpid: 0x88a8 vid: 4096 } })pb", "flows[0].actions[1].push_tag.vid:"},
      {R"pb(actions { set_tag { depth: 8 vid: 1 } })pb", "flows[0].actions[0].set_tag.depth:"},
      {R"pb(actions { set_tag { depth: 1 } })pb", "flows[0].actions[0].set_tag:"},
      {R"pb(actions { set_eth_dst: "02:00:00:00:00:01/ff:ff:ff:ff:ff:ff" })pb", "flows[0].actions[0].set_eth_dst:"},
      {R"pb(actions { output_reserved: RESERVED_PORT_UNSPECIFIED })pb", "flows[0].actions[0].output_reserved:"},
      {R"pb(actions {})pb", "flows[0].actions[0]:"},
      {R"pb(table: 3 goto_table: 3)pb", "flows[0].goto_table:"},
  };
  for (const auto& [text, prefix] : cases) {
    INFO(text);
    Status st = check(text);
    REQUIRE_FALSE(st);
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(st.message(), Catch::StartsWith(prefix));
  }
}
