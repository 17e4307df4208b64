#include <catch2/catch.hpp>
#include <vector>

#include "hv/options.h"

using namespace strata::hv;

namespace {
strata::Result<CommandLine> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "strata-hv");
  return parse_command_line(int(args.size()), args.data());
}
}  // namespace

TEST_CASE("options: an ELF guest with defaults", "[hv][options]") {
  auto cl = parse({"--elf", "g.elf"});
  REQUIRE(cl.is_ok());
  CHECK(cl->options.elf == "g.elf");
  CHECK(cl->options.memory_mib == 128);
  CHECK(cl->options.vcpus == 1);
  CHECK(cl->options.nets.empty());
  CHECK_FALSE(cl->options.cmdline_given);
}

TEST_CASE("options: every option of the command contract", "[hv][options]") {
  auto cl = parse({"--kernel", "bz", "--initrd", "rd", "--cmdline", "console=ttyS0", "--memory", "512", "--vcpus",
                   "2", "--net", "vhost-user=/run/a.sock,mac=02:00:00:00:00:01", "--net", "vhost-user=/run/b.sock",
                   "--console", "out.log"});
  REQUIRE(cl.is_ok());
  const HvOptions& o = cl->options;
  CHECK(o.kernel == "bz");
  CHECK(o.initrd == "rd");
  CHECK(o.cmdline == "console=ttyS0");
  CHECK(o.cmdline_given);
  CHECK(o.memory_mib == 512);
  CHECK(o.vcpus == 2);
  REQUIRE(o.nets.size() == 2);
  CHECK(o.nets[0].socket == "/run/a.sock");
  CHECK(format_mac(o.nets[0].mac) == "02:00:00:00:00:01");
  CHECK(o.nets[1].socket == "/run/b.sock");
  CHECK(o.nets[1].mac == default_mac("/run/b.sock"));
  CHECK(o.console == "out.log");
}

TEST_CASE("options: errors name the problem", "[hv][options]") {
  auto msg = [](std::vector<const char*> a) { return parse(a).status().message(); };
  CHECK_THAT(msg({}), Catch::Contains("exactly one of --kernel FILE, --elf FILE, --restore DIR and --incoming ADDR"));
  CHECK_THAT(msg({"--kernel", "a", "--elf", "b"}), Catch::Contains("exactly one"));
  CHECK_THAT(msg({"--elf", "a", "--initrd", "r"}), Catch::Contains("--initrd needs --kernel"));
  CHECK_THAT(msg({"--elf", "a", "--memory", "lots"}), Catch::Contains("not a whole number"));
  CHECK_THAT(msg({"--elf", "a", "--memory", "1"}), Catch::Contains("out of range"));
  CHECK_THAT(msg({"--elf", "a", "--vcpus", "0"}), Catch::Contains("out of range"));
  CHECK_THAT(msg({"--elf", "a", "--net", "tap=x"}), Catch::Contains("vhost-user=SOCKET"));
  CHECK_THAT(msg({"--elf", "a", "--net", "vhost-user="}), Catch::Contains("socket path is empty"));
  CHECK_THAT(msg({"--elf", "a", "--net", "vhost-user=/s,mac=01:00:00:00:00:01"}), Catch::Contains("multicast"));
  CHECK_THAT(msg({"--elf", "a", "--net", "vhost-user=/s,speed=10"}), Catch::Contains("unknown key 'speed=10'"));
  CHECK_THAT(msg({"--elf", "a", "--bogus"}), Catch::Contains("bogus"));
  CHECK(parse({"--elf", "a", "--memory", "-5"}).status().code() == strata::StatusCode::kInvalidArgument);
}

TEST_CASE("options: a restored, cloned or incoming guest brings its own shape", "[hv][options][state]") {
  auto cl = parse({"--restore", "/snap", "--net", "vhost-user=/s,mac=02:00:00:00:00:07", "--clone", "--control", "/c.sock"});
  REQUIRE(cl.is_ok());
  CHECK(cl->options.restore == "/snap");
  CHECK(cl->options.clone);
  CHECK(cl->options.control == "/c.sock");
  REQUIRE(cl->options.nets.size() == 1);
  CHECK(cl->options.nets[0].mac_given);
  auto in = parse({"--incoming", "tcp:0.0.0.0:7000"});
  REQUIRE(in.is_ok());
  CHECK(in->options.incoming == "tcp:0.0.0.0:7000");
  auto msg = [](std::vector<const char*> a) { return parse(a).status().message(); };
  CHECK_THAT(msg({"--restore", "/snap", "--elf", "a"}), Catch::Contains("exactly one"));
  CHECK_THAT(msg({"--restore", "/snap", "--incoming", "unix:/x"}), Catch::Contains("exactly one"));
  CHECK_THAT(msg({"--restore", "/snap", "--memory", "64"}), Catch::Contains("--memory cannot change a restored"));
  CHECK_THAT(msg({"--incoming", "unix:/x", "--vcpus", "2"}), Catch::Contains("--vcpus cannot change"));
  CHECK_THAT(msg({"--elf", "a", "--clone"}), Catch::Contains("--clone needs --restore"));
  auto plain = parse({"--elf", "a", "--net", "vhost-user=/s"});
  REQUIRE(plain.is_ok());
  CHECK_FALSE(plain->options.nets[0].mac_given);
}

TEST_CASE("options: --help asks for usage", "[hv][options]") {
  auto cl = parse({"--help"});
  REQUIRE(cl.is_ok());
  CHECK(cl->help);
  CHECK_THAT(cl->usage, Catch::Contains("--net"));
}

TEST_CASE("options: MAC parsing and printing round-trip", "[hv][options]") {
  auto mac = parse_mac("52:54:AB:cd:00:ff");
  REQUIRE(mac.is_ok());
  CHECK(format_mac(*mac) == "52:54:ab:cd:00:ff");
  CHECK_FALSE(parse_mac("52:54:ab:cd:00").is_ok());
  CHECK_FALSE(parse_mac("52-54-ab-cd-00-ff").is_ok());
  CHECK_FALSE(parse_mac("zz:54:ab:cd:00:ff").is_ok());
}

TEST_CASE("options: default MACs are unicast, local, stable and differ per socket", "[hv][options]") {
  MacAddress a = default_mac("/tmp/a.sock"), b = default_mac("/tmp/b.sock");
  CHECK(a == default_mac("/tmp/a.sock"));
  CHECK(a != b);
  CHECK((a[0] & 1) == 0);  // unicast
  CHECK((a[0] & 2) == 2);  // locally administered
}
