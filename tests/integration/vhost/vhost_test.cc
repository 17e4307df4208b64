// vhost-user, vhost-user client and virtio-user ports against a real peer:
// DPDK's testpmd in macswap mode, a separate process that returns every
// frame with its MACs swapped and its tag stack untouched. The peer is
// killed and restarted: the port must reconnect, traffic resume, and the
// switch never crash.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "child_process.h"
#include "dpdk_test_env.h"

using namespace strata;
using namespace strata::testing;

namespace {

const uint8_t kHostA[6] = {0x02, 0, 0, 0, 0, 0x0a};  // behind the ring port
const uint8_t kHostB[6] = {0x02, 0, 0, 0, 0, 0x0b};  // "inside the VM" (testpmd swaps it back)

bool sw_wait_file(const std::string& path) {
  for (int i = 0; i < 200; ++i) {
    if (std::filesystem::exists(path)) return true;
    usleep(50000);
  }
  return false;
}

std::string scratch(const std::string& what) {
  return "/tmp/strata-vhost-" + std::to_string(getpid()) + "-" + what;
}

std::string testpmd_prefix(const std::string& tag) { return "tp" + std::to_string(getpid()) + tag; }

// The EAL runtime directory testpmd `tag` leaves behind when it is killed
// (RemoveOnExit removes it once the process is gone).
std::string testpmd_runtime_dir(const std::string& tag) { return "/var/run/dpdk/" + testpmd_prefix(tag); }

// testpmd with one virtio-user (or vhost) port, macswap, polling on CPU 0
// so it never shares a core with the switch's PMD (CPU 1).
std::unique_ptr<ChildProcess> start_testpmd(const std::string& vdev, const std::string& tag) {
  std::vector<std::string> argv = {"dpdk-testpmd", "--no-pci", "--no-huge", "-m", "512",
                                   "--file-prefix=" + testpmd_prefix(tag), "--lcores=0@0,1@0",
                                   "--vdev=" + vdev, "--log-level=error", "--",
                                   "--forward-mode=macswap", "--auto-start", "--stats-period=1",
                                   "--total-num-mbufs=4096", "--nb-cores=1", "--rxq=1", "--txq=1"};
  auto p = std::make_unique<ChildProcess>(argv, scratch("testpmd" + tag + ".log"));
  return p;
}

// Sends `n` tagged frames A->B into the switch, a burst of 16 at a time
// (a virtio ring has no backpressure towards the switch: a flood would
// overrun the peer, which is not what this test is about), and counts
// those that come back B->A with the same stack.
size_t round_trip(Switch& sw, int n, std::chrono::milliseconds per_burst = std::chrono::seconds(5)) {
  const auto tags = stack_of({{0x88a8, 100}, {0x8100, 200}});
  const auto sent = make_frame(kHostB, kHostA, tags);
  const auto expected = make_frame(kHostA, kHostB, tags);
  size_t back = 0;
  for (int done = 0; done < n;) {
    const int burst = std::min(16, n - done);
    inject(sw, "gen", sent, burst);
    done += burst;
    const size_t want = back + static_cast<size_t>(burst);
    sw.run_until(
        [&] {
          for (const auto& f : drain("gen")) back += f == expected ? 1 : 0;
          return back >= want;
        },
        per_burst);
  }
  return back;
}

// The link comes up when the peer's driver negotiates; its forwarding loop
// starts a moment later. Probe one frame at a time until one comes back.
bool wait_path(Switch& sw, std::chrono::seconds timeout = std::chrono::seconds(15)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (round_trip(sw, 1, std::chrono::milliseconds(200)) == 1) return true;
  }
  return false;
}

bool wait_link(Switch& sw, uint32_t port, bool up, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  return sw.run_until(
      [&] {
        for (const auto& p : sw.dp->port_list()) {
          if (p.port_no == port) return p.link_up == up;
        }
        return false;
      },
      timeout);
}

// Declared before the processes whose files it names, so it runs after
// they are stopped.
struct RemoveOnExit {
  std::vector<std::string> paths;
  ~RemoveOnExit() {
    if (getenv("STRATA_KEEP_LOGS") != nullptr) return;
    std::error_code ignored;
    for (const auto& p : paths) std::filesystem::remove_all(p, ignored);
  }
};

}  // namespace

TEST_CASE("vhostuser: a virtio-user peer exchanges tagged frames, it restarts and traffic resumes",
          "[vhost][integration]") {
  const std::string sock = scratch("vh.sock");
  RemoveOnExit cleanup{{sock, scratch("testpmd1.log"), scratch("testpmd2.log"), testpmd_runtime_dir("1"),
                        testpmd_runtime_dir("2")}};
  Switch sw;
  sw.add_port("gen", "ring");
  const uint32_t vh = sw.add_port("vh", "vhostuser", {}, {{"path", sock}});
  CHECK_FALSE(sw.dp->port_list().back().link_up);  // nobody attached yet

  auto peer = start_testpmd("net_virtio_user0,path=" + sock + ",queues=1", "1");
  REQUIRE(wait_link(sw, vh, true));
  REQUIRE(wait_path(sw));
  CHECK(round_trip(sw, 500) == 500);

  // The peer dies: the port goes down, frames for it are dropped, no crash.
  peer->stop(SIGKILL);
  REQUIRE(wait_link(sw, vh, false));
  CHECK(round_trip(sw, 20, std::chrono::milliseconds(100)) == 0);

  // It comes back on the same socket: traffic resumes by itself.
  peer = start_testpmd("net_virtio_user0,path=" + sock + ",queues=1", "2");
  REQUIRE(wait_link(sw, vh, true));
  REQUIRE(wait_path(sw));
  CHECK(round_trip(sw, 500) == 500);
  auto st = sw.dp->port_stats(vh);
  REQUIRE(st);
  CHECK(st->rx_packets >= 1002);

  // The device's own per-queue counters (DPDK xstats of net_vhost), which
  // port-stats carries as `xstats`, saw the frames too.
  auto xs = sw.dp->port_xstats(vh);
  REQUIRE(xs);
  auto xstat = [&](const std::string& name) -> int64_t {
    for (const auto& x : *xs) {
      if (x.name == name) return static_cast<int64_t>(x.value);
    }
    return -1;  // not reported at all
  };
  INFO("xstats: " << xs->size());
  CHECK(xstat("rx_q0_good_packets") >= 500);
  CHECK(xstat("tx_q0_good_packets") >= 500);
  CHECK(xstat("rx_q0_size_64_packets") + xstat("rx_q0_size_65_127_packets") >= 500);
}

TEST_CASE("vhostuserclient: the switch connects to the VMM's socket and reconnects after a restart",
          "[vhost][integration]") {
  const std::string sock = scratch("vhc.sock");
  RemoveOnExit cleanup{{sock, scratch("testpmd3.log"), scratch("testpmd4.log"), testpmd_runtime_dir("3"),
                        testpmd_runtime_dir("4")}};
  // The VMM side (testpmd's virtio-user in server mode) comes first.
  auto peer = start_testpmd("net_virtio_user0,path=" + sock + ",queues=1,server=1", "3");
  REQUIRE(sw_wait_file(sock));
  Switch sw;
  sw.add_port("gen", "ring");
  const uint32_t vh = sw.add_port("vhc", "vhostuserclient", {}, {{"path", sock}});
  REQUIRE(wait_link(sw, vh, true));
  REQUIRE(wait_path(sw));
  CHECK(round_trip(sw, 300) == 300);

  peer->stop(SIGKILL);
  REQUIRE(wait_link(sw, vh, false));
  // A killed VMM leaves its socket file; a restarting one replaces it.
  std::filesystem::remove(sock);
  peer = start_testpmd("net_virtio_user0,path=" + sock + ",queues=1,server=1", "4");
  REQUIRE(wait_link(sw, vh, true, std::chrono::seconds(30)));
  REQUIRE(wait_path(sw));
  CHECK(round_trip(sw, 300) == 300);
}

TEST_CASE("virtio-user: the switch as frontend of a vhost-user backend", "[vhost][integration]") {
  const std::string sock = scratch("vu.sock");
  RemoveOnExit cleanup{{sock, scratch("testpmd5.log"), testpmd_runtime_dir("5")}};
  auto peer = start_testpmd("net_vhost0,iface=" + sock + ",queues=1", "5");
  REQUIRE(sw_wait_file(sock));
  Switch sw;
  sw.add_port("gen", "ring");
  const uint32_t vu = sw.add_port("vu", "virtio-user", {}, {{"path", sock}});
  REQUIRE(wait_link(sw, vu, true));
  REQUIRE(wait_path(sw));
  CHECK(round_trip(sw, 300) == 300);
}

TEST_CASE("vhost-user ports come and go in a loop while another pair forwards", "[vhost][integration]") {
  Switch sw;
  sw.add_port("gen", "ring");
  const uint32_t out = sw.add_port("out", "ring");
  const auto frame = make_frame(kHostB, kHostA, {});
  // B is learned behind "out" so the pair's traffic is unicast.
  inject(sw, "out", make_frame(kHostA, kHostB, {}));
  sw.run_until([&] { return !drain("gen").empty(); });
  const unsigned baseline = sw.dp->mbufs_in_use();

  for (int round = 0; round < 15; ++round) {
    const std::string sock = scratch("churn" + std::to_string(round) + ".sock");
    RemoveOnExit cleanup{{sock}};
    sw.add_port("churn", "vhostuser", {}, {{"path", sock}});
    const uint64_t before = sw.dp->port_stats(out)->tx_packets;
    inject(sw, "gen", frame, 50);
    size_t got = 0;
    sw.run_until([&] {
      got += drain("out").size();
      return got >= 50;
    });
    INFO("round " << round);
    CHECK(got == 50);
    CHECK(sw.dp->port_stats(out)->tx_packets == before + 50);
    REQUIRE(sw.ofp->del_port("br0", "churn"));
    CHECK_FALSE(std::filesystem::exists(sock));  // the socket goes with the port
  }
  sw.run_for(std::chrono::milliseconds(50));
  CHECK(sw.dp->mbufs_in_use() == baseline);
}
