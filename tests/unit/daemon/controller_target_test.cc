#include <catch2/catch.hpp>

#include "daemon/controller_target.h"

using namespace strata;
using namespace strata::daemon;

TEST_CASE("controller targets: the DESIGN.md forms parse", "[daemon][controller]") {
  auto p = parse_controller_target("ptcp:6653", "t");
  REQUIRE(p);
  CHECK(p->passive);
  CHECK(p->port == 6653);
  CHECK(p->host == "127.0.0.1");
  p = parse_controller_target("ptcp:6654:0.0.0.0", "t");
  REQUIRE(p);
  CHECK(p->host == "0.0.0.0");
  p = parse_controller_target("tcp:ctl.example:6633", "t");
  REQUIRE(p);
  CHECK_FALSE(p->passive);
  CHECK(p->host == "ctl.example");
  CHECK(p->port == 6633);
  CHECK(parse_controller_target("tcp:[::1]:6653", "t"));
}

TEST_CASE("controller targets: malformed ones are refused naming the field", "[daemon][controller]") {
  for (const char* bad : {"", "6653", "ptcp:", "ptcp:0", "ptcp:65536", "ptcp:66x", "ptcp:6653:notanip", "tcp:",
                          "tcp:host", "tcp::6653", "tcp:host:0", "tcp:bad host:1", "udp:1.2.3.4:5"}) {
    auto r = parse_controller_target(bad, "targets[2]");
    INFO(bad);
    REQUIRE_FALSE(r);
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::StartsWith("targets[2]: "));
  }
}
