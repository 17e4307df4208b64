// The slow path's contracts: idle megaflows expire; one port's flood of new
// flows cannot starve another port of flow setups; a miss wakes a control
// thread that sleeps instead of polling.
#include <catch2/catch.hpp>

#include <poll.h>

#include <cstring>

#include "dpdk_test_env.h"

using namespace strata;
using namespace strata::testing;

namespace {
const uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
const uint8_t kSrcA[6] = {0x02, 0, 0, 0, 0, 0x0a};
const uint8_t kSrcB[6] = {0x02, 0, 0, 0, 0, 0x0b};
}

TEST_CASE("megaflows carry counters and expire when idle", "[datapath][integration]") {
  auto options = Switch::default_options();
  options.megaflow_idle_ms = 300;
  Switch sw(options);
  sw.add_port("a", "ring");
  sw.add_port("b", "ring");
  const uint8_t src[6] = {0x02, 0, 0, 0, 0, 1};
  inject(sw, "a", make_frame(kBroadcast, src, {}), 1);
  sw.run_until([&] { return !drain("b").empty(); });
  inject(sw, "a", make_frame(kBroadcast, src, {}), 9);
  size_t got = 0;
  sw.run_until([&] {
    got += drain("b").size();
    return got == 9;
  });
  REQUIRE(sw.dp->megaflow_count() == 1);
  const auto flows = sw.dp->flow_dump();
  REQUIRE(flows.size() == 1);
  CHECK(flows[0].packets == 9);  // the first frame went through the slow path
  CHECK(flows[0].bytes == 9 * 60);
  // Idle for longer than 300 ms (expiry runs once a second): gone.
  CHECK(sw.run_until([&] { return sw.dp->megaflow_count() == 0; }, std::chrono::seconds(4)));
}

TEST_CASE("a port flooding new flows cannot starve another port's flow setups", "[datapath][integration]") {
  auto options = Switch::default_options();
  options.upcall_ring_size = 256;
  Switch sw(options);
  const uint32_t flood = sw.add_port("flood", "ring");
  const uint32_t quiet = sw.add_port("quiet", "ring");
  sw.add_port("sink", "ring");

  // 4000 frames from 4000 new source MACs arrive in one go on "flood",
  // while "quiet" brings 20 frames of 20 new flows.
  for (int i = 0; i < 4000; ++i) {
    const uint8_t src[6] = {0x02, 0x10, 0, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    inject(sw, "flood", make_frame(kBroadcast, src, {}), 1);
  }
  for (int i = 0; i < 20; ++i) {
    const uint8_t src[6] = {0x02, 0x20, 0, 0, 0, static_cast<uint8_t>(i)};
    inject(sw, "quiet", make_frame(kBroadcast, src, {}), 1);
  }
  size_t from_quiet = 0;
  const uint8_t quiet_prefix[2] = {0x02, 0x20};
  sw.run_until(
      [&] {
        for (const auto& f : drain("sink")) from_quiet += std::memcmp(f.data() + 6, quiet_prefix, 2) == 0;
        drain("flood");
        drain("quiet");
        return false;
      },
      std::chrono::seconds(3));
  CHECK(from_quiet == 20);  // every quiet flow was set up and delivered
  CHECK(sw.dp->port_stats(quiet)->upcall_dropped == 0);
  CHECK(sw.dp->port_stats(flood)->upcall_dropped > 0);  // the flood paid for itself
}

TEST_CASE("a PMD that queues an upcall wakes a control thread sleeping on the upcall eventfd",
          "[datapath][integration]") {
  Switch sw;
  sw.add_port("p1", "ring");
  sw.add_port("p2", "ring");
  datapath::Datapath& dp = *sw.dp;
  pollfd pfd{dp.upcall_wake_fd(), POLLIN, 0};

  // Nothing queued: the sleep may begin, and nothing wakes it.
  REQUIRE(dp.prepare_upcall_sleep());
  CHECK(poll(&pfd, 1, 200) == 0);

  // A new flow's first frame is a miss: the PMD writes the eventfd.
  inject(sw, "p1", make_frame(kBroadcast, kSrcA, {}));
  REQUIRE(poll(&pfd, 1, 5000) == 1);
  dp.end_upcall_sleep();
  CHECK(poll(&pfd, 1, 0) == 0);  // end_upcall_sleep consumed the wake-up

  // With the miss still queued, no sleep may begin (it would wait for a
  // wake-up that already happened).
  CHECK_FALSE(dp.prepare_upcall_sleep());

  // The control thread's turn handles it; the frame is flooded to p2, and
  // a sleep is possible again.
  size_t out = 0;
  REQUIRE(sw.run_until([&] {
    out += drain("p2").size();
    return out == 1;
  }));
  REQUIRE(dp.prepare_upcall_sleep());
  dp.end_upcall_sleep();

  // No sleeper: a miss writes nothing.
  inject(sw, "p1", make_frame(kBroadcast, kSrcB, {}));
  REQUIRE(sw.run_until([&] {
    out += drain("p2").size();
    return out == 2;
  }));
  CHECK(poll(&pfd, 1, 0) == 0);
}
