// One writer inserting and removing megaflows while reader threads look up
// without locks, memory recycled through a DeferredReclaimer that frees only
// after the readers pass a quiescent point. Readers check that every flow
// they get is whole (its actions token agrees with its words) and matches
// their key. A use after free is what the sanitizer build of this test
// catches; a torn or recycled flow fails the checks in any build.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "datapath/classifier.h"

namespace strata::datapath {
namespace {

// The token a flow's actions carry: a function of its masked words that a
// reader can recompute from the flow alone.
uintptr_t token_of(const uint64_t* words, int n) {
  uint64_t t = 0x51;
  for (int i = 0; i < n; ++i) t = (t ^ words[i]) * 0x100000001b3ull;
  return static_cast<uintptr_t>(t | 1);
}

// Four masks over different words, keys from a small space so that readers
// hit often and the writer's inserts collide with live flows.
struct Space {
  FlowMask masks[4];  // the masks the writer installs flows under; fixed before the threads start

  Space() {
    for (auto& m : masks) m.clear();
    masks[0].in_port = 0xffffffff;
    masks[1].in_port = 0xffffffff;
    masks[1].tags[0] = KeyTag{0xffff, 0x0fff};
    masks[2].eth_type = 0xffff;
    masks[2].nw_dst = 0xffffffff;
    masks[3].tp_dst = 0xffff;
    masks[3].ipv6_dst[15] = 0xff;
  }

  template <typename Rng>
  FlowKey key(Rng& rng) const {
    FlowKey k;
    k.clear();
    k.in_port = static_cast<uint32_t>(rng() % 64);
    k.eth_type = static_cast<uint16_t>(rng() % 4);
    k.tags[0] = KeyTag{0x8100, static_cast<uint16_t>(rng() % 16)};
    k.nw_dst = static_cast<uint32_t>(rng() % 256);
    k.tp_dst = static_cast<uint16_t>(rng() % 32);
    k.ipv6_dst[15] = static_cast<uint8_t>(rng() % 32);
    return k;
  }
};

struct ReaderStats {
  std::atomic<uint64_t> lookups{0};  // keys looked up
  std::atomic<uint64_t> hits{0};     // keys that found a flow
  std::atomic<uint64_t> errors{0};   // flows that were torn or did not match
};

// Checks one result; counts an error if the flow is not whole or not a match.
void check_result(const Megaflow* f, const FlowKey& key, ReaderStats& stats) {
  if (f == nullptr) return;
  stats.hits.fetch_add(1, std::memory_order_relaxed);
  const auto actions = reinterpret_cast<uintptr_t>(f->actions.load(std::memory_order_acquire));
  if (actions != token_of(f->words(), f->subtable->n_words) || !megaflow_matches(*f, key)) {
    stats.errors.fetch_add(1, std::memory_order_relaxed);
  }
}

void reader(int id, const Classifier& cls, DeferredReclaimer& reclaimer, const Space& space,
            const std::atomic<bool>& stop, ReaderStats& stats) {
  std::mt19937_64 rng(1000 + static_cast<uint64_t>(id));
  reclaimer.online(id);
  FlowKey keys[32];
  const FlowKey* ptrs[32];
  const Megaflow* out[32];
  for (int i = 0; i < 32; ++i) ptrs[i] = &keys[i];
  while (!stop.load(std::memory_order_relaxed)) {
    // A burst: a batch lookup, then a few single ones, as a PMD does.
    for (auto& k : keys) k = space.key(rng);
    cls.lookup_batch(ptrs, 32, out);
    for (int i = 0; i < 32; ++i) check_result(out[i], keys[i], stats);
    for (int i = 0; i < 8; ++i) check_result(cls.lookup(keys[i]), keys[i], stats);
    stats.lookups.fetch_add(40, std::memory_order_relaxed);
    // Between bursts: nothing held.
    reclaimer.quiescent(id);
  }
  reclaimer.offline(id);
}

TEST_CASE("classifier: readers never see a torn or freed flow while the writer churns",
          "[classifier][concurrency]") {
  constexpr int kReaders = 2;
  DeferredReclaimer reclaimer(kReaders);
  Classifier cls(reclaimer);
  const Space space;
  std::atomic<bool> stop{false};
  ReaderStats stats;
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back(reader, r, std::cref(cls), std::ref(reclaimer), std::cref(space), std::cref(stop),
                         std::ref(stats));
  }

  std::mt19937_64 rng(7);
  std::vector<Megaflow*> live;
  size_t inserts = 0;
  size_t removes = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  // The live-flow target swings between 0 and 3000, so tables grow and
  // shrink and subtables come and go.
  size_t target = 3000;
  for (uint64_t op = 0; std::chrono::steady_clock::now() < deadline; ++op) {
    if (live.size() >= target) target = 0;
    if (live.empty()) target = 1 + rng() % 3000;
    if (live.size() < target && (rng() % 4) != 0) {
      const FlowMask& mask = space.masks[rng() % 4];
      const FlowKey key = space.key(rng);
      uint64_t masked[kFlowKeyWords];
      int n = 0;
      for (int w = 0; w < kFlowKeyWords; ++w) {
        if (key_words(mask)[w] != 0) masked[n++] = key_words(key)[w] & key_words(mask)[w];
      }
      auto r = cls.insert(key, mask, reinterpret_cast<const void*>(token_of(masked, n)));
      if (r.is_ok()) {
        live.push_back(*r);
        ++inserts;
      } else {
        REQUIRE(r.status().code() == StatusCode::kAlreadyExists);
      }
    } else if (!live.empty()) {
      const size_t i = rng() % live.size();
      cls.remove(live[i]);
      live[i] = live.back();
      live.pop_back();
      ++removes;
    }
    if (op % 64 == 0) cls.rank_subtables();
    reclaimer.reclaim();
  }
  stop.store(true);
  for (auto& t : readers) t.join();

  INFO("inserts " << inserts << ", removes " << removes << ", lookups " << stats.lookups.load() << ", hits "
                  << stats.hits.load() << ", freed " << reclaimer.freed());
  CHECK(stats.errors.load() == 0);
  CHECK(stats.lookups.load() > 1000);
  CHECK(stats.hits.load() > 100);
  CHECK(removes > 1000);
  CHECK(reclaimer.freed() > 1000);  // memory really was recycled under the readers
  REQUIRE(cls.size() == live.size());
}

}  // namespace
}  // namespace strata::datapath
