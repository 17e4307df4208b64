// Ports come and go while traffic flows on others: no crash, no stall of
// the other ports, no leaked mbufs. Uses pcap and null vdevs (real DPDK
// drivers) and ring ports.
#include <catch2/catch.hpp>

#include <rte_mempool.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "dpdk_test_env.h"

using namespace strata;
using namespace strata::testing;

namespace {

const uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
const uint8_t kHostA[6] = {0x02, 0, 0, 0, 0, 0x0a};

// A classic pcap file with `n` copies of `frame`.
std::string write_pcap(const std::vector<uint8_t>& frame, int n) {
  char path[] = "/tmp/strata-test-XXXXXX.pcap";
  int fd = mkstemps(path, 5);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream out(path, std::ios::binary);
  const uint32_t ghdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
  out.write(reinterpret_cast<const char*>(ghdr), sizeof(ghdr));
  for (int i = 0; i < n; ++i) {
    const uint32_t rec[4] = {0, static_cast<uint32_t>(i), static_cast<uint32_t>(frame.size()),
                             static_cast<uint32_t>(frame.size())};
    out.write(reinterpret_cast<const char*>(rec), sizeof(rec));
    out.write(reinterpret_cast<const char*>(frame.data()), static_cast<std::streamsize>(frame.size()));
  }
  return path;
}

}  // namespace

TEST_CASE("ports added and removed under traffic: the other pair never stops, nothing leaks",
          "[datapath][integration]") {
  const std::string pcap = write_pcap(make_frame(kBroadcast, kHostA, stack_of({{0x88a8, 5}})), 64);
  struct Cleanup {
    std::string path;
    ~Cleanup() { std::remove(path.c_str()); }
  } cleanup{pcap};

  Switch sw;
  // The steady pair: a pcap source replaying forever into a null sink.
  sw.add_port("src", "pcap", {}, {{"rx", pcap}, {"infinite_rx", "1"}});
  const uint32_t sink = sw.add_port("sink", "null", {}, {{"no-rx", "1"}});
  sw.run_for(std::chrono::milliseconds(200));
  REQUIRE(sw.dp->port_stats(sink)->tx_packets > 0);

  for (int round = 0; round < 20; ++round) {
    const uint64_t before = sw.dp->port_stats(sink)->tx_packets;
    // Ports of several types appear and disappear on the same bridge.
    const std::string ring = "churn_r" + std::to_string(round);
    const std::string null = "churn_n" + std::to_string(round);
    sw.add_port(ring, "ring", {});
    sw.add_port(null, "null", {}, {{"no-rx", "1"}});
    sw.run_for(std::chrono::milliseconds(10));
    REQUIRE(sw.ofp->del_port("br0", ring));
    REQUIRE(sw.ofp->del_port("br0", null));
    sw.run_for(std::chrono::milliseconds(10));
    const uint64_t after = sw.dp->port_stats(sink)->tx_packets;
    INFO("round " << round);
    CHECK(after > before);  // the pair kept forwarding through the churn
  }

  // Stop the traffic and count: every mbuf is back in the pool except those
  // the pcap source holds for its replay (infinite_rx keeps its frames).
  REQUIRE(sw.ofp->del_port("br0", "src"));
  REQUIRE(sw.ofp->del_port("br0", "sink"));
  sw.run_for(std::chrono::milliseconds(50));
  CHECK(sw.dp->mbufs_in_use() == 0);
}

TEST_CASE("bad port specs are refused with a reason and change nothing", "[datapath][integration]") {
  Switch sw;
  sw.add_port("ok", "ring", {});
  const auto before = sw.dp->port_list().size();
  auto bad_type = sw.ofp->add_port("br0", {"x1", "bogus", {}}, {});
  CHECK_FALSE(bad_type);
  CHECK_THAT(bad_type.status().message(), Catch::Contains("unknown port type 'bogus'"));
  auto no_iface = sw.ofp->add_port("br0", {"x2", "afpacket", {{"iface", "does-not-exist0"}}}, {});
  CHECK_FALSE(no_iface);
  CHECK_THAT(no_iface.status().message(), Catch::Contains("does-not-exist0"));
  auto no_file = sw.ofp->add_port("br0", {"x3", "pcap", {{"rx", "/nonexistent.pcap"}}}, {});
  CHECK_FALSE(no_file);
  auto dup = sw.ofp->add_port("br0", {"ok", "ring", {}}, {});
  CHECK_FALSE(dup);
  CHECK(dup.status().code() == StatusCode::kAlreadyExists);
  CHECK(sw.dp->port_list().size() == before);
  CHECK(sw.dp->mbufs_in_use() == 0);
}
