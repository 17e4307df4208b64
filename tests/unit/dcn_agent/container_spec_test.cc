#include "container-dcn/agent/container_spec.h"

#include <catch2/catch.hpp>

using namespace strata;
using namespace strata::dcn_agent;

namespace {

ContainerSpec spec(std::string name, uint16_t vid) {
  ContainerSpec s;
  s.name = std::move(name);
  s.vid = vid;
  return s;
}

std::string error_of(const ContainerSpec& s) {
  Status st = validate_spec(s);
  return st.is_ok() ? "" : st.message();
}

}  // namespace

TEST_CASE("names: letters, digits, '_', '.', '-', 1..64, not starting with '-' or '.'", "[dcn_agent]") {
  CHECK(validate_name("web-1_a.b", "name").is_ok());
  CHECK(validate_name(std::string(64, 'a'), "name").is_ok());
  CHECK(validate_name("", "--dcn").message() == "--dcn: empty");
  CHECK_THAT(validate_name(std::string(65, 'a'), "name").message(), Catch::Contains("longer than 64"));
  CHECK_THAT(validate_name("a/b", "name").message(), Catch::Contains("has '/'"));
  CHECK_THAT(validate_name("a b", "name").message(), Catch::Contains("has ' '"));
  CHECK_THAT(validate_name("-a", "name").message(), Catch::Contains("starts with '-'"));
  CHECK_THAT(validate_name("..", "name").message(), Catch::Contains("starts with '.'"));
}

TEST_CASE("the container tag: VID 1..4094, TPID 0x8100 or 0x88a8", "[dcn_agent]") {
  CHECK(error_of(spec("a", 1)).empty());
  CHECK(error_of(spec("a", 4094)).empty());
  CHECK(error_of(spec("a", 0)) == "container 'a': --tag: 0 is out of range 1..4094");
  CHECK(error_of(spec("a", 4095)) == "container 'a': --tag: 4095 is out of range 1..4094");
  auto s = spec("a", 5);
  s.tpid = 0x88a8;
  CHECK(error_of(s).empty());
  s.tpid = 0x9100;
  CHECK_THAT(error_of(s), Catch::Contains("--tpid: 0x9100 is not one the kernel can push or pop"));
}

TEST_CASE("the address is IPv4 or IPv6 with a prefix length", "[dcn_agent]") {
  auto s = spec("a", 5);
  for (const char* good : {"10.1.0.2/24", "10.1.0.2/32", "10.1.0.2/0", "fd00::2/64", "fd00::2/128"}) {
    s.address = good;
    CHECK(error_of(s).empty());
  }
  s.address = "10.1.0.2";
  CHECK_THAT(error_of(s), Catch::Contains("--addr: '10.1.0.2' has no /PREFIX"));
  s.address = "10.1.0.2/33";
  CHECK_THAT(error_of(s), Catch::Contains("--addr: prefix length 33 is out of range 0..32"));
  s.address = "fd00::2/129";
  CHECK_THAT(error_of(s), Catch::Contains("out of range 0..128"));
  s.address = "10.1.0.300/24";
  CHECK_THAT(error_of(s), Catch::Contains("--addr: '10.1.0.300' is not an IPv4 or IPv6 address"));
  s.address = "10.1.0.2/x";
  CHECK_THAT(error_of(s), Catch::Contains("is not a prefix length"));
}

TEST_CASE("the MAC is a unicast, non-zero xx:xx:xx:xx:xx:xx", "[dcn_agent]") {
  auto s = spec("a", 5);
  s.mac = "02:00:00:00:01:02";
  CHECK(error_of(s).empty());
  s.mac = "03:00:00:00:01:02";
  CHECK_THAT(error_of(s), Catch::Contains("--mac: '03:00:00:00:01:02' is a multicast address"));
  s.mac = "00:00:00:00:00:00";
  CHECK_THAT(error_of(s), Catch::Contains("all zeros"));
  for (const char* bad : {"02:00:00:00:01", "02:00:00:00:01:02:03", "02-00-00-00-01-02", "zz:00:00:00:01:02"}) {
    s.mac = bad;
    CHECK_THAT(error_of(s), Catch::Contains("is not a MAC address"));
  }
}

TEST_CASE("TPIDs are written in hex, with or without 0x", "[dcn_agent]") {
  CHECK(*parse_tpid("0x8100") == 0x8100);
  CHECK(*parse_tpid("88a8") == 0x88a8);
  CHECK(*parse_tpid("0X88A8") == 0x88a8);
  CHECK_FALSE(parse_tpid("0x"));
  CHECK_FALSE(parse_tpid("0x18100"));
  CHECK_THAT(parse_tpid("dot1q").status().message(), Catch::Contains("--tpid: 'dot1q' is not a hex TPID"));
  CHECK(tag_text(0x88a8, 7) == "88a8:7");
}
