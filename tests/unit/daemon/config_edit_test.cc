// Request validation of the management API, without a switch: every bad
// request gets its code and a message starting with the request field,
// and the configuration it was checked against is never changed.
#include <catch2/catch.hpp>
#include <google/protobuf/text_format.h>

#include "daemon/config_edit.h"

using namespace strata;
using namespace strata::daemon;

namespace {

v1::Config base() {
  v1::Config c;
  google::protobuf::TextFormat::ParseFromString(R"pb(
    bridges {
      name: "br0"
      ports { name: "p1" type: "null" ofport: 1 }
      ports { name: "p2" type: "ring" ofport: 5 trunk { allowed { tags { tpid: 0x88a8 vid: 100 } } } }
    }
    bridges { name: "br1" datapath_id: 77 ports { name: "q1" type: "null" ofport: 1 } }
  )pb", &c);
  return c;
}

v1::Port port_text(const std::string& text) {
  v1::Port p;
  REQUIRE(google::protobuf::TextFormat::ParseFromString(text, &p));
  return p;
}

v1::Bridge bridge_text(const std::string& text) {
  v1::Bridge b;
  REQUIRE(google::protobuf::TextFormat::ParseFromString(text, &b));
  return b;
}

template <typename R>
void expect_error(const R& r, StatusCode code, const std::string& prefix) {
  REQUIRE_FALSE(r);
  INFO(r.status().to_string());
  CHECK(r.status().code() == code);
  CHECK_THAT(r.status().message(), Catch::StartsWith(prefix));
}

}  // namespace

TEST_CASE("add-port: a good port is appended with the lowest free ofport", "[daemon][edit]") {
  const v1::Config before = base();
  auto e = edit_add_port(before, "br0", port_text(R"pb(name: "p3" type: "null"
                                                       access { stack { tags { tpid: 0x88a8 vid: 7 } } })pb"));
  REQUIRE(e);
  CHECK(e->bridge == "br0");
  CHECK(e->plan.bridge.ofport == 2);
  CHECK(e->config.bridges(0).ports(2).ofport() == 2);
  CHECK(e->plan.bridge.mode == ofproto::TagMode::kAccess);
  CHECK(before.SerializeAsString() == base().SerializeAsString());
}

TEST_CASE("add-port: each bad request gets its code and names its field", "[daemon][edit]") {
  const v1::Config c = base();
  auto add = [&](const std::string& bridge, const std::string& text) { return edit_add_port(c, bridge, port_text(text)); };
  expect_error(add("br9", R"pb(name: "x" type: "null")pb"), StatusCode::kNotFound, "bridge: no bridge 'br9'");
  expect_error(add("", R"pb(name: "x" type: "null")pb"), StatusCode::kInvalidArgument, "bridge:");
  expect_error(add("br0", R"pb(name: "p1" type: "null")pb"), StatusCode::kAlreadyExists, "port.name:");
  expect_error(add("br0", R"pb(name: "q1" type: "null")pb"), StatusCode::kAlreadyExists, "port.name:");
  expect_error(add("br0", R"pb(name: "" type: "null")pb"), StatusCode::kInvalidArgument, "port.name:");
  expect_error(add("br0", R"pb(name: "a b" type: "null")pb"), StatusCode::kInvalidArgument, "port.name:");
  expect_error(add("br0", R"pb(name: "x" type: "")pb"), StatusCode::kInvalidArgument, "port.type:");
  expect_error(add("br0", R"pb(name: "x" type: "bogus")pb"), StatusCode::kInvalidArgument, "port.type:");
  expect_error(add("br0", R"pb(name: "x" type: "null" ofport: 5)pb"), StatusCode::kAlreadyExists, "port.ofport:");
  expect_error(add("br0", R"pb(name: "x" type: "null" ofport: 4294967040)pb"), StatusCode::kInvalidArgument,
               "port.ofport:");
  expect_error(add("br0", R"pb(name: "x" type: "null" options { key: "a,b" value: "1" })pb"),
               StatusCode::kInvalidArgument, "port.options");
  expect_error(add("br0", R"pb(name: "x" type: "null" access { stack { tags { tpid: 0x88a8 vid: 4096 } } })pb"),
               StatusCode::kInvalidArgument, "port.access.stack.tags[0].vid: 4096");
  expect_error(add("br0", R"pb(name: "x" type: "null" access { stack { tags { tpid: 0x1234 vid: 1 } } })pb"),
               StatusCode::kInvalidArgument, "port.access.stack.tags[0].tpid:");
  expect_error(add("br0", R"pb(name: "x" type: "null" access { stack { tags { tpid: 0x8100 vid: 1 pcp: 8 } } })pb"),
               StatusCode::kInvalidArgument, "port.access.stack.tags[0].pcp:");
  expect_error(add("br0", R"pb(name: "x" type: "null" access { stack { } })pb"), StatusCode::kInvalidArgument,
               "port.access.stack:");
  expect_error(add("br0", R"pb(name: "x" type: "null" access { stack { tags { tpid: 0x8100 any_vid: true } } })pb"),
               StatusCode::kInvalidArgument, "port.access.stack.tags[0].any_vid:");
  std::string nine = R"pb(name: "x" type: "null" access { stack { )pb";
  for (int i = 0; i < 9; ++i) nine += "tags { tpid: 0x8100 vid: 1 } ";
  expect_error(add("br0", nine + "} }"), StatusCode::kInvalidArgument, "port.access.stack:");
  expect_error(add("br0", R"pb(name: "x" type: "null" trunk { allowed { tags { tpid: 0x88a8 vid: 5000 } } })pb"),
               StatusCode::kInvalidArgument, "port.trunk.allowed[0].tags[0].vid:");
  expect_error(add("br0", R"pb(name: "x" type: "null" trunk { allowed { } })pb"), StatusCode::kInvalidArgument,
               "port.trunk.allowed[0]:");
}

TEST_CASE("add-bridge: ports and controllers are validated together, ofports assigned", "[daemon][edit]") {
  const v1::Config c = base();
  auto e = edit_add_bridge(c, bridge_text(R"pb(name: "br2" fail_mode: FAIL_MODE_SECURE controllers: "ptcp:6653"
                                               ports { name: "a" type: "null" ofport: 1 }
                                               ports { name: "b" type: "null" })pb"));
  REQUIRE(e);
  CHECK(e->config.bridges_size() == 3);
  CHECK(e->config.bridges(2).ports(1).ofport() == 2);
  CHECK(e->plan.secure);
  CHECK(e->plan.controllers == std::vector<std::string>{"ptcp:6653"});

  auto add = [&](const std::string& text) { return edit_add_bridge(c, bridge_text(text)); };
  expect_error(add(R"pb(name: "br0")pb"), StatusCode::kAlreadyExists, "bridge.name:");
  expect_error(add(R"pb(name: "")pb"), StatusCode::kInvalidArgument, "bridge.name:");
  expect_error(add(R"pb(name: "br/2")pb"), StatusCode::kInvalidArgument, "bridge.name:");
  expect_error(add(R"pb(name: "br2" datapath_id: 77)pb"), StatusCode::kAlreadyExists, "bridge.datapath_id:");
  expect_error(add(R"pb(name: "br2" fail_mode: 7)pb"), StatusCode::kInvalidArgument, "bridge.fail_mode:");
  expect_error(add(R"pb(name: "br2" controllers: "ptcp:0")pb"), StatusCode::kInvalidArgument,
               "bridge.controllers[0]:");
  expect_error(add(R"pb(name: "br2" controllers: "ptcp:1" controllers: "ptcp:1")pb"), StatusCode::kInvalidArgument,
               "bridge.controllers[1]:");
  expect_error(add(R"pb(name: "br2" ports { name: "a" type: "null" } ports { name: "a" type: "null" })pb"),
               StatusCode::kInvalidArgument, "bridge.ports[1].name:");
  expect_error(add(R"pb(name: "br2" ports { name: "a" type: "null" } ports { name: "p1" type: "null" })pb"),
               StatusCode::kAlreadyExists, "bridge.ports[1].name:");
  expect_error(add(R"pb(name: "br2" ports { name: "a" type: "null" ofport: 3 } ports { name: "b" type: "null" ofport: 3 })pb"),
               StatusCode::kInvalidArgument, "bridge.ports[1].ofport:");
  expect_error(add(R"pb(name: "br2" ports { name: "a" type: "null" }
                        ports { name: "b" type: "null" access { stack { tags { vid: 4096 } } } })pb"),
               StatusCode::kInvalidArgument, "bridge.ports[1].access.stack.tags[0].vid:");
}

TEST_CASE("del-br, del-port, set-controller: missing names are NOT_FOUND, nothing else changes",
          "[daemon][edit]") {
  const v1::Config c = base();
  expect_error(edit_del_bridge(c, "br9"), StatusCode::kNotFound, "bridge:");
  expect_error(edit_del_port(c, "br9", "p1"), StatusCode::kNotFound, "bridge:");
  expect_error(edit_del_port(c, "br0", "zz"), StatusCode::kNotFound, "port: bridge 'br0' has no port 'zz'");
  expect_error(edit_del_port(c, "br0", "q1"), StatusCode::kNotFound, "port: port 'q1' is on bridge 'br1'");
  expect_error(edit_set_controller(c, "br9", {}), StatusCode::kNotFound, "bridge:");
  expect_error(edit_set_controller(c, "br0", {"ptcp:1", "bogus"}), StatusCode::kInvalidArgument, "targets[1]:");

  auto d = edit_del_bridge(c, "br0");
  REQUIRE(d);
  REQUIRE(d->bridges_size() == 1);
  CHECK(d->bridges(0).name() == "br1");
  auto p = edit_del_port(c, "br0", "p1");
  REQUIRE(p);
  CHECK(p->bridges(0).ports_size() == 1);
  auto s = edit_set_controller(c, "br1", {"tcp:10.0.0.1:6653", "ptcp:6653"});
  REQUIRE(s);
  CHECK(s->bridges(1).controllers_size() == 2);
  CHECK(c.SerializeAsString() == base().SerializeAsString());
}
