// The per-PMD exact-match cache: hits verified against the megaflow's mask,
// misses, dead flows, sweeping, eviction and the insertion probability.
#include "datapath/emc.h"

#include <catch2/catch.hpp>

#include "datapath/classifier.h"
#include "datapath/flow_hash.h"

namespace strata::datapath {
namespace {

const void* act(uintptr_t n) { return reinterpret_cast<const void*>(n); }

FlowKey key_of(uint32_t port, uint16_t eth_type) {
  FlowKey k;
  k.clear();
  k.in_port = port;
  k.eth_type = eth_type;
  return k;
}

FlowMask port_mask() {
  FlowMask m;
  m.clear();
  m.in_port = 0xffffffff;
  return m;
}

TEST_CASE("emc: a cached flow hits for its key and misses for others", "[emc]") {
  ImmediateReclaimer reclaimer;
  Classifier cls(reclaimer);
  auto f = cls.insert(key_of(1, 0), port_mask(), act(1));
  REQUIRE(f.is_ok());
  Emc emc(64, 1);

  const FlowKey k = key_of(1, 0x0800);
  const uint32_t h = flow_hash(k);
  CHECK(emc.lookup(k, h) == nullptr);
  emc.insert(h, *f);
  CHECK(emc.lookup(k, h) == *f);
  CHECK(emc.occupied() == 1);

  // Another key under the same hash (forced) fails the masked compare.
  CHECK(emc.lookup(key_of(2, 0x0800), h) == nullptr);
  // The same key under another hash is a miss: the hash selects the entry.
  CHECK(emc.lookup(k, h ^ 0x10000) == nullptr);
  // A key that differs only outside the mask matches the megaflow: a hit.
  CHECK(emc.lookup(key_of(1, 0x86dd), h) == *f);
}

TEST_CASE("emc: a dead flow is a miss and its entry is cleared", "[emc]") {
  DeferredReclaimer reclaimer(1);
  Classifier cls(reclaimer);
  auto f = cls.insert(key_of(1, 0), port_mask(), act(1));
  REQUIRE(f.is_ok());
  Emc emc(64, 1);
  const FlowKey k = key_of(1, 0);
  const uint32_t h = flow_hash(k);
  emc.insert(h, *f);
  reclaimer.online(0);  // the PMD owning the EMC: keeps the flow's memory alive
  cls.remove(*f);
  CHECK(emc.occupied() == 1);
  CHECK(emc.lookup(k, h) == nullptr);
  CHECK(emc.occupied() == 0);
  reclaimer.offline(0);
}

TEST_CASE("emc: sweep_dead clears exactly the entries of dead flows", "[emc]") {
  DeferredReclaimer reclaimer(1);
  Classifier cls(reclaimer);
  Emc emc(1024, 1);
  std::vector<Megaflow*> flows;
  for (uint32_t p = 0; p < 100; ++p) {
    auto f = cls.insert(key_of(p, 0), port_mask(), act(p + 1));
    REQUIRE(f.is_ok());
    flows.push_back(*f);
    emc.insert(flow_hash(key_of(p, 0)), *f);
  }
  const size_t cached = emc.occupied();
  REQUIRE(cached > 90);  // a few may have collided in a 2-way set
  reclaimer.online(0);
  size_t removed_cached = 0;
  for (uint32_t p = 0; p < 100; p += 3) {
    if (emc.lookup(key_of(p, 0), flow_hash(key_of(p, 0))) != nullptr) ++removed_cached;
    cls.remove(flows[p]);
  }
  CHECK(emc.sweep_dead() == removed_cached);
  CHECK(emc.occupied() == cached - removed_cached);
  for (uint32_t p = 0; p < 100; ++p) {
    const Megaflow* got = emc.lookup(key_of(p, 0), flow_hash(key_of(p, 0)));
    if (p % 3 == 0) CHECK(got == nullptr);
    if (got != nullptr) CHECK(got == flows[p]);
  }
  reclaimer.quiescent(0);  // after the sweep the PMD may report quiescent
  reclaimer.reclaim();
  reclaimer.offline(0);

  emc.clear();
  CHECK(emc.occupied() == 0);
}

TEST_CASE("emc: a full set evicts one way and keeps the other", "[emc]") {
  ImmediateReclaimer reclaimer;
  Classifier cls(reclaimer);
  Emc emc(8, 1);  // 4 sets of 2
  std::vector<Megaflow*> flows;
  for (uint32_t p = 0; p < 3; ++p) flows.push_back(*cls.insert(key_of(p, 0), port_mask(), act(p + 1)));
  // Three keys forced into set 0 with distinct hashes.
  const uint32_t hashes[3] = {0x00000, 0x10000, 0x20000};
  for (int i = 0; i < 3; ++i) emc.insert(hashes[i], flows[static_cast<size_t>(i)]);
  int hits = 0;
  for (int i = 0; i < 3; ++i) hits += emc.lookup(key_of(static_cast<uint32_t>(i), 0), hashes[i]) != nullptr;
  CHECK(hits == 2);
  CHECK(emc.lookup(key_of(2, 0), hashes[2]) == flows[2]);  // the newest is always in
  CHECK(emc.occupied() == 2);

  // Re-inserting a hash replaces its entry instead of taking the other way.
  emc.insert(hashes[2], flows[2]);
  CHECK(emc.occupied() == 2);
}

TEST_CASE("emc: inserts happen with probability 1/insert_inv_prob", "[emc]") {
  ImmediateReclaimer reclaimer;
  Classifier cls(reclaimer);
  auto f = cls.insert(key_of(1, 0), port_mask(), act(1));
  REQUIRE(f.is_ok());
  Emc emc(1 << 16, 100);
  REQUIRE(emc.entries() == 1 << 16);
  // 20000 distinct hashes over 32768 sets: about 200 inserts expected.
  for (uint32_t i = 0; i < 20000; ++i) emc.insert(i * 0x9e3779b1u, *f);
  const size_t n = emc.occupied();
  INFO("inserted " << n);
  CHECK(n > 100);
  CHECK(n < 320);
}

TEST_CASE("emc: the size is rounded up to a power of two", "[emc]") {
  CHECK(Emc(1000, 1).entries() == 1024);
  CHECK(Emc().entries() == 8192);
}

}  // namespace
}  // namespace strata::datapath
