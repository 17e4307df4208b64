#include <arpa/inet.h>
#include <catch2/catch.hpp>

#include <cstring>

#include "daemon/megaflow_text.h"

using namespace strata;
using namespace strata::daemon;

namespace {

std::optional<uint32_t> ofport_plus_ten(uint32_t dp) { return dp + 10; }

}  // namespace

TEST_CASE("megaflow text: only consulted fields appear, in_port as the OpenFlow number", "[daemon][megaflow]") {
  datapath::FlowKey k{};
  datapath::FlowMask m{};
  k.clear();
  m.clear();
  k.in_port = 2;
  m.in_port = 0xffffffff;
  k.tag_depth = 2;
  m.tag_depth = 0xff;
  k.tags[0] = {0x88a8, 100};
  k.tags[1] = {0x8100, 200};
  for (int i = 0; i < 8; ++i) m.tags[i] = {0xffff, 0x0fff};
  const uint8_t dst[6] = {2, 0, 0, 0, 0, 1};
  std::memcpy(k.eth_dst, dst, 6);
  std::memset(m.eth_dst, 0xff, 6);
  k.eth_type = 0x0800;  // not in the mask: must not show
  CHECK(format_megaflow_match(k, m, ofport_plus_ten) ==
        "in_port=12,tags=88a8:100/8100:200,dl_dst=02:00:00:00:00:01");
}

TEST_CASE("megaflow text: untagged, prefix tag matches, IPv4 prefixes, unknown ports", "[daemon][megaflow]") {
  datapath::FlowKey k{};
  datapath::FlowMask m{};
  k.clear();
  m.clear();
  m.tag_depth = 0xff;  // depth consulted, none there
  m.in_port = 0xffffffff;
  k.in_port = 4;
  auto unknown = [](uint32_t) -> std::optional<uint32_t> { return std::nullopt; };
  CHECK(format_megaflow_match(k, m, unknown) == "dp_port=4,tags=none");

  m.clear();
  k.tags[0] = {0x88a8, 7};
  m.tags[0] = {0xffff, 0};  // TPID only, any VID, and inner tags not consulted
  k.nw_dst = htonl(0x0a000000);
  m.nw_dst = htonl(0xffffff00);
  CHECK(format_megaflow_match(k, m, unknown) == "tags=88a8:*/...,nw_dst=10.0.0.0/24");
  m.clear();
  CHECK(format_megaflow_match(k, m, unknown) == "any");
}
