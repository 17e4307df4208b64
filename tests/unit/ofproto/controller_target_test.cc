#include <catch2/catch.hpp>

#include "ofproto/controller_target.h"

using namespace strata::ofproto;

TEST_CASE("controller targets: ptcp defaults to 127.0.0.1, tcp needs a host", "[ofproto][connmgr]") {
  auto p = parse_controller_target("ptcp:6653");
  REQUIRE(p);
  CHECK(p->passive);
  CHECK(p->host == "127.0.0.1");
  CHECK(p->port == 6653);
  p = parse_controller_target("ptcp:6000:0.0.0.0");
  REQUIRE(p);
  CHECK(p->host == "0.0.0.0");
  auto t = parse_controller_target("tcp:10.0.0.1:6633");
  REQUIRE(t);
  CHECK_FALSE(t->passive);
  CHECK(t->host == "10.0.0.1");
  CHECK(t->port == 6633);
  t = parse_controller_target("tcp:localhost");
  REQUIRE(t);
  CHECK(t->port == 6653);
  CHECK_FALSE(parse_controller_target("tcp::6653"));
  CHECK_FALSE(parse_controller_target("ptcp:0"));
  CHECK_FALSE(parse_controller_target("ptcp:70000"));
  CHECK_FALSE(parse_controller_target("unix:/tmp/x"));
}
