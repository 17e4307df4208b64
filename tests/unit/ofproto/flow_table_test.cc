// One flow table: priorities decide, and a lookup reports exactly the masks
// of the rule groups it had to look at.
#include <catch2/catch.hpp>

#include <memory>

#include "ofproto/flow_table.h"

using namespace strata::ofproto;

namespace {

struct Rules {
  std::vector<std::unique_ptr<Rule>> owned;  // the table holds raw pointers
  Rule* make(uint16_t prio, const Match& m) {
    owned.push_back(std::make_unique<Rule>());
    owned.back()->id = owned.size();
    owned.back()->priority = prio;
    owned.back()->match = m;
    return owned.back().get();
  }
};

MatchKey frame(uint32_t in_port, uint16_t eth_type) {
  MatchKey k = MatchKey::zero();
  k.f.in_port = in_port;
  k.f.eth_type = eth_type;
  return k;
}

}  // namespace

TEST_CASE("the highest priority matching rule wins", "[ofproto][flow_table]") {
  Rules rs;
  FlowTable t;
  Match by_port, by_type, both;
  by_port.set_in_port(1);
  by_type.set_eth_type(0x0800);
  both.set_in_port(1).set_eth_type(0x0800);
  t.insert(rs.make(10, by_port));
  t.insert(rs.make(20, by_type));
  t.insert(rs.make(5, both));
  MatchMask m = MatchKey::zero();
  CHECK(t.lookup(frame(1, 0x0800), &m)->priority == 20);
  CHECK(t.lookup(frame(1, 0x0806), &m)->priority == 10);
  CHECK(t.lookup(frame(2, 0x0806), &m) == nullptr);
  CHECK(t.lookups == 3);
  CHECK(t.matches == 2);
}

TEST_CASE("a lookup consults only the groups that could still win", "[ofproto][flow_table]") {
  Rules rs;
  FlowTable t;
  Match by_type, by_port;
  by_type.set_eth_type(0x0800);
  by_port.set_in_port(1);
  t.insert(rs.make(100, by_type));
  t.insert(rs.make(10, by_port));
  // An IPv4 frame is decided by the priority-100 group alone: in_port is
  // never read.
  MatchMask m = MatchKey::zero();
  REQUIRE(t.lookup(frame(1, 0x0800), &m)->priority == 100);
  CHECK(m.f.eth_type == 0xffff);
  CHECK(m.f.in_port == 0);
  // An ARP frame misses the first group (so eth_type mattered) and hits the
  // second (so in_port mattered too).
  m = MatchKey::zero();
  REQUIRE(t.lookup(frame(1, 0x0806), &m)->priority == 10);
  CHECK(m.f.eth_type == 0xffff);
  CHECK(m.f.in_port == 0xffffffff);
}

TEST_CASE("strict find, overlap, loose selection and removal", "[ofproto][flow_table]") {
  Rules rs;
  FlowTable t;
  Match a, b;
  a.set_in_port(1);
  b.set_in_port(1).set_eth_type(0x0800);
  Rule* ra = rs.make(10, a);
  Rule* rb = rs.make(10, b);
  t.insert(ra);
  t.insert(rb);
  CHECK(t.find_strict(a, 10) == ra);
  CHECK(t.find_strict(a, 11) == nullptr);
  CHECK(t.overlaps(b, 10));
  Match other;
  other.set_in_port(2);
  CHECK_FALSE(t.overlaps(other, 10));
  CHECK(t.select_loose(a).size() == 2);
  CHECK(t.select_loose(b).size() == 1);
  t.remove(ra);
  CHECK(t.size() == 1);
  MatchMask m = MatchKey::zero();
  CHECK(t.lookup(frame(1, 0x0806), &m) == nullptr);
  t.remove(rb);
  CHECK(t.size() == 0);
}
