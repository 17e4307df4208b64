#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "daemon/mgmt_address.h"

using namespace strata;
using namespace strata::daemon;

TEST_CASE("mgmt address: unix paths and tcp addresses", "[daemon][mgmt]") {
  auto a = parse_mgmt_address(kDefaultMgmtAddress);
  REQUIRE(a);
  CHECK(a->is_unix);
  CHECK(a->path == "/run/strata/stratad.sock");
  CHECK(a->grpc_target == "unix:/run/strata/stratad.sock");
  a = parse_mgmt_address("/tmp/x.sock");
  REQUIRE(a);
  CHECK(a->grpc_target == "unix:/tmp/x.sock");
  a = parse_mgmt_address("tcp:127.0.0.1:50051");
  REQUIRE(a);
  CHECK_FALSE(a->is_unix);
  CHECK(a->grpc_target == "127.0.0.1:50051");
  a = parse_mgmt_address("tcp:[::1]:50051");
  REQUIRE(a);
  CHECK(a->grpc_target == "[::1]:50051");
}

TEST_CASE("mgmt address: malformed addresses are refused", "[daemon][mgmt]") {
  const std::vector<std::string> bads = {"",        "unix:",   "tcp:",     "tcp:1.2.3.4", "tcp::5",
                                         "tcp:h:99999", "tcp:h:x", "http://x", std::string("unix:/") + std::string(200, 'a')};
  for (const std::string& bad : bads) {
    INFO(bad);
    auto a = parse_mgmt_address(bad);
    REQUIRE_FALSE(a);
    CHECK_THAT(a.status().message(), Catch::Contains("--mgmt"));
  }
}
