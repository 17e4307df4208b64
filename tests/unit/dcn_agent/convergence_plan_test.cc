#include "container-dcn/agent/convergence_plan.h"

#include <catch2/catch.hpp>

#include "container-dcn/agent/naming.h"

using namespace strata;
using namespace strata::dcn_agent;

namespace {

ContainerRecord rec(const std::string& name, uint16_t vid, Mechanism m = Mechanism::kEbpf,
                    const std::string& dcn = "d1") {
  ContainerRecord r;
  r.dcn = dcn;
  r.spec.name = name;
  r.spec.vid = vid;
  r.mechanism = m;
  return r;
}

FoundContainer found(const ContainerRecord& r) {
  return {namespace_name(r.dcn, r.spec.name), r};
}

FoundContainer incomplete(const std::string& netns) {
  return {netns, std::nullopt};
}

std::vector<std::string> names(const std::vector<ContainerRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.spec.name);
  return out;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("from nothing, every desired container is made", "[dcn_agent]") {
  auto plan = plan_convergence("d1", {rec("a", 1), rec("b", 2)}, {});
  REQUIRE(plan);
  CHECK(plan->remove.empty());
  CHECK(names(plan->create) == Names{"a", "b"});
  CHECK(plan->keep.empty());
}

TEST_CASE("what is right stays, what is extra goes, what is missing is made", "[dcn_agent]") {
  auto plan = plan_convergence("d1", {rec("a", 1), rec("c", 3)}, {found(rec("a", 1)), found(rec("b", 2))});
  REQUIRE(plan);
  CHECK(plan->remove == Names{"sdcn-d1-b"});
  CHECK(names(plan->create) == Names{"c"});
  CHECK(names(plan->keep) == Names{"a"});
}

TEST_CASE("converging twice changes nothing the second time", "[dcn_agent]") {
  const std::vector<ContainerRecord> desired = {rec("a", 1), rec("b", 2)};
  auto plan = plan_convergence("d1", desired, {found(desired[0]), found(desired[1])});
  REQUIRE(plan);
  CHECK(plan->empty());
  CHECK(names(plan->keep) == Names{"a", "b"});
}

TEST_CASE("a changed tag, address or mechanism makes the container again", "[dcn_agent]") {
  ContainerRecord moved = rec("a", 1);
  moved.spec.address = "10.0.0.1/24";
  auto plan = plan_convergence("d1", {rec("a", 2), moved, rec("a2", 3, Mechanism::kVlan)},
                               {});  // names checked below with found ones
  REQUIRE_FALSE(plan);               // "a" twice
  plan = plan_convergence("d1", {moved, rec("b", 2, Mechanism::kVlan)}, {found(rec("a", 1)), found(rec("b", 2))});
  REQUIRE(plan);
  CHECK(plan->remove == Names{"sdcn-d1-a", "sdcn-d1-b"});
  CHECK(names(plan->create) == Names{"a", "b"});
}

TEST_CASE("an interrupted creation (no record) is removed and made again", "[dcn_agent]") {
  // The agent was killed after `ip netns add`, before the record.
  auto plan = plan_convergence("d1", {rec("a", 1)}, {incomplete("sdcn-d1-a"), incomplete("sdcn-d1-zombie")});
  REQUIRE(plan);
  CHECK(plan->remove == Names{"sdcn-d1-a", "sdcn-d1-zombie"});
  CHECK(names(plan->create) == Names{"a"});
}

TEST_CASE("another DCN's namespaces are never touched", "[dcn_agent]") {
  // DCN "d1-x"'s container "y" has the namespace sdcn-d1-x-y, which also
  // reads as DCN "d1"'s container "x-y": its record says whose it is.
  auto plan = plan_convergence("d1", {}, {found(rec("y", 1, Mechanism::kEbpf, "d1-x")), found(rec("a", 1, Mechanism::kEbpf, "d2")),
                                          incomplete("sdcn-d2-b"), incomplete("unrelated")});
  REQUIRE(plan);
  CHECK(plan->remove.empty());
  CHECK(plan->create.empty());
  CHECK(complete_containers("d1", {found(rec("y", 1, Mechanism::kEbpf, "d1-x")), found(rec("a", 1))}).size() == 1);
}

TEST_CASE("a desired list with two containers of one name or VID changes nothing", "[dcn_agent]") {
  auto plan = plan_convergence("d1", {rec("a", 1), rec("a", 2)}, {found(rec("z", 9))});
  REQUIRE_FALSE(plan);
  CHECK(plan.status().code() == StatusCode::kAlreadyExists);
  CHECK(plan.status().message() == "container 'a' is listed twice");
  ContainerRecord other_tpid = rec("b", 1);
  other_tpid.spec.tpid = kTpid8021ad;  // VIDs are unique per DCN whatever the TPID
  plan = plan_convergence("d1", {rec("a", 1), other_tpid}, {});
  REQUIRE_FALSE(plan);
  CHECK(plan.status().message() == "container 'b': --tag: 1 is already the tag of container 'a'");
}

TEST_CASE("a desired container that is invalid changes nothing", "[dcn_agent]") {
  auto plan = plan_convergence("d1", {rec("a", 1), rec("b", 0)}, {found(rec("z", 9))});
  REQUIRE_FALSE(plan);
  CHECK(plan.status().message() == "container 'b': --tag: 0 is out of range 1..4094");
  plan = plan_convergence("d1", {rec("a", 1, Mechanism::kEbpf, "d2")}, {});
  REQUIRE_FALSE(plan);
  CHECK_THAT(plan.status().message(), Catch::Contains("is of DCN 'd2'"));
  plan = plan_convergence("bad name", {}, {});
  REQUIRE_FALSE(plan);
  CHECK_THAT(plan.status().message(), Catch::StartsWith("--dcn: "));
}
