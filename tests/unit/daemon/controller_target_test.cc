#include <catch2/catch.hpp>

#include "daemon/controller_target.h"

using namespace strata;
using namespace strata::daemon;

TEST_CASE("controller targets: what the connection manager can open is accepted", "[daemon][controller]") {
  for (const char* good : {"ptcp:6653", "ptcp:6654:0.0.0.0", "tcp:ctl.example:6633", "tcp:10.0.0.1",
                           "punix:/run/strata/br0.mgmt"}) {
    INFO(good);
    CHECK(check_controller_target(good, "t"));
  }
}

TEST_CASE("controller targets: malformed ones are refused naming the field", "[daemon][controller]") {
  for (const char* bad : {"", "6653", "ptcp:", "ptcp:0", "ptcp:65536", "ptcp:66x", "ptcp:6653:notanip", "tcp:",
                          "tcp::6653", "tcp:host:0", "tcp:bad host:1", "udp:1.2.3.4:5", "tcp:[::1]:6653",
                          "ptcp:6653:[::1]", "punix:"}) {
    const Status st = check_controller_target(bad, "targets[2]");
    INFO(bad);
    REQUIRE_FALSE(st);
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(st.message(), Catch::StartsWith("targets[2]: "));
  }
}
