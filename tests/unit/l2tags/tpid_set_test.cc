#include "l2tags/tpid_set.h"

#include <algorithm>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "frame_builder.h"

using namespace strata::l2tags;

namespace {

// Asks contains() about every 16-bit value and compares with the list.
void require_exact_membership(const TpidSet& set, const std::vector<uint16_t>& members) {
  uint32_t wrong = 0x10000;  // first value contains() gets wrong, if any
  for (uint32_t v = 0; v <= 0xffff && wrong == 0x10000; ++v) {
    const bool expected = std::find(members.begin(), members.end(), v) != members.end();
    if (set.contains(static_cast<uint16_t>(v)) != expected) wrong = v;
  }
  INFO("contains() is wrong for 0x" << std::hex << wrong);
  REQUIRE(wrong == 0x10000);
}

}  // namespace

TEST_CASE("tpid set: the default holds exactly 88a8, 8100, 9100, 9200, 9300", "[l2tags][tpid]") {
  const TpidSet set;
  require_exact_membership(set, {0x88a8, 0x8100, 0x9100, 0x9200, 0x9300});
  CHECK(set.size() == 5);
  CHECK(std::vector<uint16_t>(set.values().begin(), set.values().end()) ==
        std::vector<uint16_t>{0x88a8, 0x8100, 0x9100, 0x9200, 0x9300});
}

TEST_CASE("tpid set: the hot lookup data fits in one cache line", "[l2tags][tpid]") {
  STATIC_REQUIRE(alignof(TpidSet) == 64);
  // contains() reads the multiplier and the 16 slots, the first 36 bytes.
  STATIC_REQUIRE(sizeof(TpidSet) == 64);
}

TEST_CASE("tpid set: make builds a custom set", "[l2tags][tpid]") {
  auto set = TpidSet::make({0x8100, 0x88a8});
  REQUIRE(set.is_ok());
  require_exact_membership(*set, {0x8100, 0x88a8});
  CHECK(set->size() == 2);
}

TEST_CASE("tpid set: the empty set recognises nothing, not even 0", "[l2tags][tpid]") {
  auto set = TpidSet::make(std::span<const uint16_t>{});
  REQUIRE(set.is_ok());
  require_exact_membership(*set, {});
}

TEST_CASE("tpid set: a set of kMaxTpids adjacent values has no false hits", "[l2tags][tpid]") {
  // Adjacent keys and keys that differ only in high bits are what a weak hash
  // would collide on.
  std::vector<uint16_t> adjacent;
  for (uint16_t v = 0x8100; v < 0x8100 + kMaxTpids; ++v) adjacent.push_back(v);
  auto a = TpidSet::make(adjacent);
  REQUIRE(a.is_ok());
  require_exact_membership(*a, adjacent);

  std::vector<uint16_t> high;
  for (int i = 0; i < kMaxTpids; ++i) high.push_back(static_cast<uint16_t>(0x0700 + (i << 12)));
  auto h = TpidSet::make(high);
  REQUIRE(h.is_ok());
  require_exact_membership(*h, high);
}

TEST_CASE("tpid set: random sets of up to kMaxTpids have exact membership", "[l2tags][tpid]") {
  const uint64_t seed = testing::test_seed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 40; ++round) {
    std::vector<uint16_t> members;
    const size_t n = std::uniform_int_distribution<size_t>(0, kMaxTpids)(rng);
    while (members.size() < n) {
      const auto v = static_cast<uint16_t>(std::uniform_int_distribution<uint32_t>(0x0600, 0xffff)(rng));
      if (std::find(members.begin(), members.end(), v) == members.end()) members.push_back(v);
    }
    auto set = TpidSet::make(members);
    INFO("round " << round);
    REQUIRE(set.is_ok());
    require_exact_membership(*set, members);
  }
}

TEST_CASE("tpid set: make refuses more than kMaxTpids", "[l2tags][tpid]") {
  std::vector<uint16_t> many;
  for (int i = 0; i <= kMaxTpids; ++i) many.push_back(static_cast<uint16_t>(0x9000 + i));
  auto set = TpidSet::make(many);
  REQUIRE_FALSE(set.is_ok());
  CHECK(set.status().code() == strata::StatusCode::kInvalidArgument);
  CHECK(set.status().message() == "a TPID set holds at most 8 TPIDs, got 9");
}

TEST_CASE("tpid set: make refuses an 802.3 length as a TPID", "[l2tags][tpid]") {
  auto set = TpidSet::make({0x8100, 0x05dc});
  REQUIRE_FALSE(set.is_ok());
  CHECK(set.status().message() == "TPID 0x05dc is below 0x0600: that is an 802.3 length, not an EtherType");
}

TEST_CASE("tpid set: make refuses a duplicate", "[l2tags][tpid]") {
  auto set = TpidSet::make({0x8100, 0x88a8, 0x8100});
  REQUIRE_FALSE(set.is_ok());
  CHECK(set.status().message() == "TPID 0x8100 is listed twice");
}

TEST_CASE("tpid set: equality compares membership, not order", "[l2tags][tpid]") {
  CHECK(*TpidSet::make({0x9300, 0x9200, 0x9100, 0x8100, 0x88a8}) == TpidSet{});
  CHECK(*TpidSet::make({0x8100, 0x88a8}) == *TpidSet::make({0x88a8, 0x8100}));
  CHECK_FALSE(*TpidSet::make({0x8100, 0x9100}) == *TpidSet::make({0x8100, 0x88a8}));
  CHECK_FALSE(*TpidSet::make({0x8100}) == TpidSet{});
}
