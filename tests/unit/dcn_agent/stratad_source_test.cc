#include "container-dcn/agent/stratad_source.h"

#include <catch2/catch.hpp>

using namespace strata;
using namespace strata::dcn_agent;

TEST_CASE("stratad's containers become the agent's specs", "[dcn_agent]") {
  v1::DcnStatus dcn;
  dcn.set_name("d1");
  auto* a = dcn.add_containers()->mutable_container();
  a->set_name("a");
  a->mutable_tag()->set_vid(10);  // tpid 0 means 0x8100
  a->set_ofport(7);               // the switch's business, not the agent's
  a->set_address("10.1.0.2/24");
  auto* b = dcn.add_containers()->mutable_container();
  b->set_name("b");
  b->mutable_tag()->set_tpid(0x88a8);
  b->mutable_tag()->set_vid(20);
  b->set_mac("02:00:00:00:01:02");
  auto specs = specs_from_dcn(dcn);
  REQUIRE(specs.size() == 2);
  CHECK(specs[0] == ContainerSpec{"a", 0x8100, 10, "10.1.0.2/24", ""});
  CHECK(specs[1] == ContainerSpec{"b", 0x88a8, 20, "", "02:00:00:00:01:02"});
}

TEST_CASE("a bad --mgmt address is refused before anything is tried", "[dcn_agent]") {
  auto source = StratadSource::connect("ftp:nowhere");
  REQUIRE_FALSE(source);
  CHECK_THAT(source.status().message(), Catch::StartsWith("--mgmt: "));
}

TEST_CASE("gRPC errors keep their code and name stratad's address", "[dcn_agent]") {
  Status st = status_from_grpc(grpc::Status(grpc::StatusCode::NOT_FOUND, "dcn: no DCN 'x'"), "unix:/s");
  CHECK(st.code() == StatusCode::kNotFound);
  CHECK(st.message() == "stratad at unix:/s: dcn: no DCN 'x'");
  st = status_from_grpc(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connect failed"), "unix:/s");
  CHECK(st.code() == StatusCode::kUnavailable);
  CHECK(st.message() == "cannot reach stratad at unix:/s: connect failed");
}
