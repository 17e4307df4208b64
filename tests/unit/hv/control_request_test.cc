#include <catch2/catch.hpp>

#include "hv/control/request.h"

using namespace strata::hv::control;

TEST_CASE("control: requests parse with their arguments", "[hv][control]") {
  auto s = parse_request(R"({"command":"snapshot","dir":"/tmp/snap"})");
  REQUIRE(s.is_ok());
  CHECK(s->command == Command::kSnapshot);
  CHECK(s->dir == "/tmp/snap");
  auto m = parse_request(R"({"command":"migrate","to":"tcp:10.0.0.2:7000","downtime_ms":50})");
  REQUIRE(m.is_ok());
  CHECK(m->to == "tcp:10.0.0.2:7000");
  CHECK(m->downtime_ms == 50);
  auto d = parse_request(R"({"command":"migrate","to":"unix:/x"})");
  REQUIRE(d.is_ok());
  CHECK(d->downtime_ms == 300);
  for (const char* c : {"status", "pause", "resume", "stop"}) {
    auto r = parse_request(std::string(R"({"command":")") + c + "\"}");
    REQUIRE(r.is_ok());
    CHECK(std::string(command_name(r->command)) == c);
  }
}

TEST_CASE("control: bad requests are refused with a reason", "[hv][control]") {
  auto msg = [](std::string_view line) { return parse_request(line).status().message(); };
  CHECK_THAT(msg("pause"), Catch::Contains("not valid JSON"));
  CHECK_THAT(msg("[1,2]"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(msg("{}"), Catch::Contains("missing \"command\""));
  CHECK_THAT(msg(R"({"command":7})"), Catch::Contains("non-empty string"));
  CHECK_THAT(msg(R"({"command":"reboot"})"), Catch::Contains("unknown command \"reboot\""));
  CHECK_THAT(msg(R"({"command":"pause","now":true})"), Catch::Contains("pause takes no argument \"now\""));
  CHECK_THAT(msg(R"({"command":"snapshot"})"), Catch::Contains("snapshot: missing \"dir\""));
  CHECK_THAT(msg(R"({"command":"snapshot","dir":""})"), Catch::Contains("non-empty"));
  CHECK_THAT(msg(R"({"command":"migrate","to":"x","downtime_ms":-1})"), Catch::Contains("downtime_ms"));
  CHECK_THAT(msg(R"({"command":"migrate","to":"x","downtime_ms":0})"), Catch::Contains("downtime_ms"));
  CHECK_THAT(msg(std::string(kMaxRequestBytes + 1, ' ')), Catch::Contains("the limit is"));
  CHECK_THAT(msg(std::string(5000, '[')), Catch::Contains("not valid JSON"));
}

TEST_CASE("control: replies are one JSON line", "[hv][control]") {
  std::string ok = format_reply({{"state", std::string("paused")}, {"ms", 1.5}, {"vcpus", uint64_t(2)}});
  CHECK(ok == "{\"ms\":1.5,\"ok\":true,\"state\":\"paused\",\"vcpus\":2}\n");
  std::string err = format_error(strata::failed_precondition("the guest is running; pause it first"));
  CHECK(err == "{\"error\":\"the guest is running; pause it first\",\"ok\":false}\n");
  std::string odd = format_error(strata::invalid_argument(std::string("bad \xff byte")));
  CHECK(odd.back() == '\n');
}

TEST_CASE("control: what strata-hv-remote writes is what the shim reads", "[hv][control]") {
  Request m;
  m.command = Command::kMigrate;
  m.to = "unix:/tmp/in.sock";
  m.downtime_ms = 120;
  std::string line = format_request(m);
  REQUIRE(line.back() == '\n');
  line.pop_back();
  auto back = parse_request(line);
  REQUIRE(back.is_ok());
  CHECK(back->command == Command::kMigrate);
  CHECK(back->to == "unix:/tmp/in.sock");
  CHECK(back->downtime_ms == 120);
  CHECK(parse_reply("{\"ok\":true,\"ms\":3}").is_ok());
  CHECK_THAT(parse_reply("{\"ok\":false,\"error\":\"pause it first\"}").message(), Catch::Contains("pause it first"));
  CHECK_FALSE(parse_reply("garbage").is_ok());
}
