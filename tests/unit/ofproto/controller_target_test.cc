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
  CHECK_FALSE(parse_controller_target("ptcp:6653:[::1]"));
}

TEST_CASE("controller targets: punix names a socket path", "[ofproto][connmgr]") {
  auto u = parse_controller_target("punix:/run/strata/br0.mgmt");
  REQUIRE(u);
  CHECK(u->passive);
  CHECK(u->unix_path == "/run/strata/br0.mgmt");
  CHECK_FALSE(parse_controller_target("punix:"));
  auto too_long = parse_controller_target("punix:/" + std::string(200, 'x'));
  REQUIRE_FALSE(too_long);
  CHECK_THAT(too_long.status().message(), Catch::Contains("longer than a Unix socket"));
}
