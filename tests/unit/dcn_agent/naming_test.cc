#include "container-dcn/agent/naming.h"

#include <catch2/catch.hpp>
#include <set>

using namespace strata::dcn_agent;

TEST_CASE("a container's namespace is sdcn-<dcn>-<container>", "[dcn_agent]") {
  CHECK(namespace_name("dcn1", "web") == "sdcn-dcn1-web");
}

TEST_CASE("a namespace name gives its container back, for its own DCN only", "[dcn_agent]") {
  CHECK(container_of_namespace("dcn1", "sdcn-dcn1-web") == "web");
  CHECK(container_of_namespace("dcn1", "sdcn-dcn1-a-b") == "a-b");
  CHECK_FALSE(container_of_namespace("dcn2", "sdcn-dcn1-web"));
  CHECK_FALSE(container_of_namespace("dcn1", "sdcn-dcn1-"));
  CHECK_FALSE(container_of_namespace("dcn1", "sdcn-dcn10"));
  CHECK_FALSE(container_of_namespace("dcn1", "other"));
  // A name that could not have been made is not the agent's.
  CHECK_FALSE(container_of_namespace("dcn1", "sdcn-dcn1-we b"));
}

TEST_CASE("derived interface names fit IFNAMSIZ and are stable", "[dcn_agent]") {
  const std::string veth = veth_ifname("dcn1", "web");
  CHECK(veth.size() <= 15);
  CHECK(veth.rfind("sd", 0) == 0);
  CHECK(veth == veth_ifname("dcn1", "web"));
  CHECK(vlan_staging_ifname("dcn1", "web").size() <= 15);
  CHECK(vlan_staging_ifname("dcn1", "web").rfind("sv", 0) == 0);
  CHECK(veth_ifname(std::string(64, 'd'), std::string(64, 'c')).size() <= 15);
}

TEST_CASE("derived interface names differ between containers and DCNs", "[dcn_agent]") {
  std::set<std::string> names;
  // (std::string::append, not "dcn" + ...: g++ 12 at -O3 warns falsely there)
  for (int d = 0; d < 4; ++d) {
    std::string dcn = "dcn";
    dcn.append(std::to_string(d));
    for (int c = 0; c < 4094; ++c) {
      std::string container = "c";
      container.append(std::to_string(c));
      names.insert(veth_ifname(dcn, container));
    }
  }
  CHECK(names.size() == 4 * 4094);
  // The separator matters: ("ab", "c") and ("a", "bc") are different containers.
  CHECK(veth_ifname("ab", "c") != veth_ifname("a", "bc"));
}
