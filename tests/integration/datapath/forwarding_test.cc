// The datapath and the NORMAL pipeline on real DPDK ring ports, in process:
// tag stacks pushed and popped byte-exactly, tenant isolation, counters,
// malformed frames, megaflow installation.
#include <catch2/catch.hpp>

#include <cstring>

#include "dpdk_test_env.h"
#include "l2tags/frame_parse.h"

using namespace strata;
using namespace strata::testing;

namespace {

const uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
const uint8_t kHostA[6] = {0x02, 0, 0, 0, 0, 0x0a};
const uint8_t kHostB[6] = {0x02, 0, 0, 0, 0, 0x0b};
const uint8_t kHostC[6] = {0x02, 0, 0, 0, 0, 0x0c};

ofproto::BridgePort access(const l2tags::TagStack& s) {
  ofproto::BridgePort p;
  p.mode = ofproto::TagMode::kAccess;
  p.access = s;
  return p;
}

ofproto::BridgePort trunk() { return ofproto::BridgePort{}; }

}  // namespace

TEST_CASE("access port pushes its 2-tag stack towards a trunk and pops it back", "[datapath][integration]") {
  Switch sw;
  const auto tenant = stack_of({{0x88a8, 100}, {0x8100, 200}});
  sw.add_port("acc", "ring", access(tenant));
  sw.add_port("trk", "ring", trunk());

  const auto untagged = make_frame(kBroadcast, kHostA, {});
  inject(sw, "acc", untagged);
  std::vector<std::vector<uint8_t>> got;
  REQUIRE(sw.run_until([&] {
    auto d = drain("trk");
    got.insert(got.end(), d.begin(), d.end());
    return !got.empty();
  }));
  REQUIRE(got.size() == 1);
  // Exactly the original frame with 88a8:100/8100:200 after the MACs.
  const auto expected = make_frame(kBroadcast, kHostA, tenant);
  CHECK(got[0] == expected);

  // The reply comes back on the trunk with the stack and leaves untagged.
  const auto reply = make_frame(kHostA, kHostB, tenant);
  inject(sw, "trk", reply);
  got.clear();
  REQUIRE(sw.run_until([&] {
    auto d = drain("acc");
    got.insert(got.end(), d.begin(), d.end());
    return !got.empty();
  }));
  CHECK(got[0] == make_frame(kHostA, kHostB, {}));
}

TEST_CASE("tenants with different stacks never see each other's frames", "[datapath][integration]") {
  Switch sw;
  sw.add_port("a1", "ring", access(stack_of({{0x88a8, 100}, {0x8100, 200}})));
  sw.add_port("a2", "ring", access(stack_of({{0x88a8, 100}, {0x8100, 200}})));
  sw.add_port("b1", "ring", access(stack_of({{0x88a8, 101}, {0x8100, 200}})));
  sw.add_port("trk", "ring", trunk());

  // A broadcast from tenant A reaches A's other port and the trunk only.
  inject(sw, "a1", make_frame(kBroadcast, kHostA, {}), 10);
  size_t a2 = 0, b1 = 0, trk = 0;
  sw.run_until([&] {
    a2 += drain("a2").size();
    b1 += drain("b1").size();
    trk += drain("trk").size();
    return a2 == 10 && trk == 10;
  });
  CHECK(a2 == 10);
  CHECK(trk == 10);
  sw.run_for(std::chrono::milliseconds(50));
  b1 += drain("b1").size();
  CHECK(b1 == 0);

  // On the trunk, tenant B's stack reaches b1 only.
  inject(sw, "trk", make_frame(kBroadcast, kHostC, stack_of({{0x88a8, 101}, {0x8100, 200}})), 5);
  size_t got_b = 0, got_a = 0;
  sw.run_until([&] {
    got_b += drain("b1").size();
    got_a += drain("a1").size() + drain("a2").size();
    return got_b == 5;
  });
  sw.run_for(std::chrono::milliseconds(50));
  got_a += drain("a1").size() + drain("a2").size();
  CHECK(got_b == 5);
  CHECK(got_a == 0);
}

TEST_CASE("learned unicast goes to one port, megaflows take over from upcalls", "[datapath][integration]") {
  Switch sw;
  const uint32_t p1 = sw.add_port("p1", "ring", trunk());
  sw.add_port("p2", "ring", trunk());
  sw.add_port("p3", "ring", trunk());
  const auto tags = stack_of({{0x8100, 7}});

  // B speaks first so the switch learns it behind p2.
  inject(sw, "p2", make_frame(kBroadcast, kHostB, tags));
  sw.run_until([&] { return drain("p1").size() + drain("p3").size() >= 1; });
  sw.run_for(std::chrono::milliseconds(20));
  drain("p1");
  drain("p3");

  // The first frame sets the megaflow up; the next 199 should find it.
  inject(sw, "p1", make_frame(kHostB, kHostA, tags), 1);
  size_t to_b = 0, to_c = 0;
  sw.run_until([&] {
    to_b += drain("p2").size();
    return to_b == 1;
  });
  inject(sw, "p1", make_frame(kHostB, kHostA, tags), 199);
  sw.run_until([&] {
    to_b += drain("p2").size();
    to_c += drain("p3").size();
    return to_b == 200;
  });
  CHECK(to_b == 200);
  CHECK(to_c == 0);

  // Most of those 200 never left the fast path.
  auto st = sw.dp->port_stats(p1);
  REQUIRE(st);
  CHECK(st->rx_packets == 200);
  CHECK(st->upcalls <= 2);
  bool found = false;
  for (const auto& f : sw.dp->flow_dump()) {
    if (f.key.in_port == p1 && std::memcmp(f.key.eth_dst, kHostB, 6) == 0) {
      found = true;
      CHECK(f.packets + st->upcalls >= 200);
      CHECK(f.actions == "output:1");
    }
  }
  CHECK(found);
}

TEST_CASE("malformed frames are counted and dropped, never forwarded", "[datapath][integration]") {
  Switch sw;
  const uint32_t in = sw.add_port("in", "ring", trunk());
  sw.add_port("out", "ring", trunk());

  // A runt, a frame cut inside its second tag, and a frame with 9 tags.
  std::vector<uint8_t> runt(10, 0xab);
  auto cut = make_frame(kBroadcast, kHostA, stack_of({{0x88a8, 1}, {0x8100, 2}}), 0x0800, 0);
  cut.resize(12 + 4 + 2);
  l2tags::TagStack eight = stack_of({{0x88a8, 1}, {0x8100, 2}, {0x8100, 3}, {0x8100, 4},
                                     {0x8100, 5}, {0x8100, 6}, {0x8100, 7}, {0x8100, 8}});
  auto nine = make_frame(kBroadcast, kHostA, eight, 0x8100, 46);  // the 9th TPID where the type goes
  inject(sw, "in", runt, 3);
  inject(sw, "in", cut, 3);
  inject(sw, "in", nine, 3);
  // And one good frame after them, which must still get through.
  inject(sw, "in", make_frame(kBroadcast, kHostA, {}));

  size_t out = 0;
  sw.run_until([&] {
    out += drain("out").size();
    return out >= 1;
  });
  sw.run_for(std::chrono::milliseconds(50));
  out += drain("out").size();
  CHECK(out == 1);
  auto st = sw.dp->port_stats(in);
  REQUIRE(st);
  CHECK(st->malformed == 9);
}

TEST_CASE("malformed frames between good ones: the good ones keep their own keys and leave in order",
          "[datapath][integration]") {
  Switch sw;
  const uint32_t in = sw.add_port("in", "ring", trunk());
  sw.add_port("out", "ring", trunk());
  std::vector<std::vector<uint8_t>> good;
  for (size_t payload : {46, 47, 48}) good.push_back(make_frame(kBroadcast, kHostA, stack_of({{0x8100, 5}}), 0x0800, payload));
  auto collect = [&](size_t want) {
    std::vector<std::vector<uint8_t>> out;
    sw.run_until([&] {
      for (auto& f : drain("out")) out.push_back(std::move(f));
      return out.size() >= want;
    });
    sw.run_for(std::chrono::milliseconds(50));
    for (auto& f : drain("out")) out.push_back(std::move(f));
    return out;
  };
  // The first frame installs the flow's megaflow.
  inject(sw, "in", good[0]);
  CHECK(collect(1) == std::vector<std::vector<uint8_t>>{good[0]});
  const uint64_t upcalls = sw.dp->port_stats(in)->upcalls;

  // Then one burst: runt, good, 9 tags, good. The PMD parses it in one
  // batch and must move each good frame's key down with the frame: a good
  // frame left with a malformed one's key would miss and go up.
  l2tags::TagStack eight = stack_of({{0x88a8, 1}, {0x8100, 2}, {0x8100, 3}, {0x8100, 4},
                                     {0x8100, 5}, {0x8100, 6}, {0x8100, 7}, {0x8100, 8}});
  inject(sw, "in", std::vector<uint8_t>(13, 0xab));
  inject(sw, "in", good[1]);
  inject(sw, "in", make_frame(kBroadcast, kHostA, eight, 0x8100, 46));
  inject(sw, "in", good[2]);
  CHECK(collect(2) == std::vector<std::vector<uint8_t>>{good[1], good[2]});
  auto st = sw.dp->port_stats(in);
  REQUIRE(st);
  CHECK(st->malformed == 2);
  CHECK(st->upcalls == upcalls);  // both hit the megaflow
}

TEST_CASE("an 8-tag frame is forwarded, pushing past 8 tags drops it", "[datapath][integration]") {
  Switch sw;
  sw.add_port("trk", "ring", trunk());
  sw.add_port("acc", "ring", access(stack_of({{0x88a8, 9}})));
  sw.add_port("trk2", "ring", trunk());
  l2tags::TagStack eight = stack_of({{0x88a8, 9}, {0x8100, 2}, {0x8100, 3}, {0x8100, 4},
                                     {0x8100, 5}, {0x8100, 6}, {0x8100, 7}, {0x8100, 8}});
  const auto frame = make_frame(kBroadcast, kHostA, eight);
  inject(sw, "trk", frame);
  std::vector<std::vector<uint8_t>> got_trk2, got_acc;
  sw.run_until([&] {
    for (auto& f : drain("trk2")) got_trk2.push_back(f);
    for (auto& f : drain("acc")) got_acc.push_back(f);
    return got_trk2.size() == 1 && got_acc.size() == 1;
  });
  REQUIRE(got_trk2.size() == 1);
  CHECK(got_trk2[0] == frame);
  // The access port pops its one tag: 7 remain.
  REQUIRE(got_acc.size() == 1);
  l2tags::TagStack seven = eight;
  seven.pop_outer();
  CHECK(got_acc[0] == make_frame(kBroadcast, kHostA, seven));

  // 8 tags entering an access port would become 9: not admitted.
  inject(sw, "acc", make_frame(kBroadcast, kHostB, eight));
  sw.run_for(std::chrono::milliseconds(100));
  CHECK(drain("trk").empty());
  CHECK(drain("trk2").empty());
}
