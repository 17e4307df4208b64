// The flow hashes: deterministic, sensitive to every word, and the masked
// hash of a key equals the hash of its stored masked words.
#include "datapath/flow_hash.h"

#include <catch2/catch.hpp>
#include <random>
#include <set>

namespace strata::datapath {
namespace {

TEST_CASE("flow_hash: every bit of every word changes the hash", "[flow_hash]") {
  FlowKey k;
  k.clear();
  const uint32_t base = flow_hash(k);
  CHECK(flow_hash(k) == base);
  std::set<uint32_t> seen{base};
  for (int w = 0; w < kFlowKeyWords; ++w) {
    for (int b = 0; b < 64; ++b) {
      FlowKey m = k;
      key_words(m)[w] ^= uint64_t{1} << b;
      seen.insert(flow_hash(m));
    }
  }
  // 1024 single-bit flips, all distinct from each other and from the base.
  CHECK(seen.size() == 1 + kFlowKeyWords * 64);
}

TEST_CASE("flow_hash: sequential keys spread over the low bits", "[flow_hash]") {
  // What an EMC or a subtable indexes with: 64k keys that differ in a port
  // and a VID should fill 4096 buckets evenly.
  std::vector<int> buckets(4096);
  FlowKey k;
  k.clear();
  for (uint32_t i = 0; i < 65536; ++i) {
    k.in_port = i & 0xff;
    k.tags[0].tci = static_cast<uint16_t>(i >> 8);
    ++buckets[flow_hash(k) & 4095];
  }
  int max = 0;
  for (int n : buckets) max = std::max(max, n);
  CHECK(max < 40);  // mean 16; a poor hash piles up hundreds
}

TEST_CASE("hash_masked_key equals hash_words of the masked words", "[flow_hash]") {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    FlowKey key;
    for (int i = 0; i < kFlowKeyWords; ++i) key_words(key)[i] = rng();
    const int n = static_cast<int>(rng() % (kFlowKeyWords + 1));
    uint8_t idx[kFlowKeyWords];
    uint64_t mask[kFlowKeyWords];
    uint64_t masked[kFlowKeyWords];
    for (int i = 0; i < n; ++i) {
      idx[i] = static_cast<uint8_t>(i);
      mask[i] = rng();
      masked[i] = key_words(key)[i] & mask[i];
    }
    REQUIRE(hash_masked_key(key, idx, mask, n) == hash_words(masked, n));
  }
  // Bits outside the mask do not count.
  FlowKey a;
  a.clear();
  FlowKey b = a;
  key_words(b)[1] = 0xffff000000000000ull;
  const uint8_t idx[1] = {1};
  const uint64_t mask[1] = {0x0000ffffffffffffull};
  CHECK(hash_masked_key(a, idx, mask, 1) == hash_masked_key(b, idx, mask, 1));
}

}  // namespace
}  // namespace strata::datapath
