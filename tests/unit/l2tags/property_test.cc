// Properties over random stacks and payloads, from one fixed seed that is
// printed (see test_seed()) so that any failure can be replayed.
#include <cstdio>
#include <vector>

#include <catch2/catch.hpp>

#include "frame_builder.h"
#include "l2tags/frame_ops.h"
#include "l2tags/frame_parse.h"
#include "l2tags/notation.h"

using namespace strata::l2tags;
using strata::l2tags::testing::Buffer;
using strata::l2tags::testing::build_frame;
using strata::l2tags::testing::Random;
using strata::l2tags::testing::test_seed;

namespace {

constexpr int kRounds = 2000;

// One random case: a stack, an inner ethertype, a payload and MACs.
struct Case {
  TagStack stack;                 // the tags the frame is built with
  uint16_t ethertype;             // not a TPID
  std::vector<uint8_t> payload;   // random bytes, may be empty
  std::array<uint8_t, 12> macs;   // random, so a MAC move that drops a byte shows
  std::vector<uint8_t> frame() const { return build_frame(stack, ethertype, payload, macs); }
};

Case random_case(Random& rnd, const TpidSet& tpids, int min_depth = 0, int max_depth = kMaxTags) {
  Case c;
  c.stack = rnd.stack(tpids, min_depth, max_depth);
  c.ethertype = rnd.inner_ethertype(tpids);
  c.payload = rnd.bytes(0, 100);
  c.macs = rnd.macs();
  return c;
}

// Printed once per run, so the seed is in the CTest log of every property test.
uint64_t logged_seed() {
  static const uint64_t seed = [] {
    std::printf("l2tags property tests: seed %llu (set STRATA_TEST_SEED to change)\n",
                static_cast<unsigned long long>(test_seed()));
    return test_seed();
  }();
  return seed;
}

}  // namespace

TEST_CASE("property: parse(build(s)) == s for random stacks and payloads", "[l2tags][property]") {
  const uint64_t seed = logged_seed();
  INFO("seed " << seed);
  Random rnd(seed);
  const TpidSet tpids;
  for (int round = 0; round < kRounds; ++round) {
    const Case c = random_case(rnd, tpids);
    const auto frame = c.frame();
    INFO("round " << round << " stack " << format(c.stack));
    const ParsedFrame p = parse_frame(frame.data(), frame.size(), tpids);
    REQUIRE(p.ok());
    REQUIRE(p.tags == c.stack);
    REQUIRE(p.ethertype == c.ethertype);
    REQUIRE(p.l3_offset == header_len(c.stack.size()));
  }
}

TEST_CASE("property: push then pop is the identity, byte for byte", "[l2tags][property]") {
  const uint64_t seed = logged_seed();
  INFO("seed " << seed);
  Random rnd(seed + 1);
  const TpidSet tpids;
  for (int round = 0; round < kRounds; ++round) {
    const Case c = random_case(rnd, tpids, 0, kMaxTags - 1);
    const Tag pushed = rnd.tag(tpids);
    const auto original = c.frame();
    INFO("round " << round << " stack " << format(c.stack) << " push " << format(pushed));
    Buffer b(original, rnd.uniform(4, 64));
    const FrameView before = b.view();
    const int depth = c.stack.size();

    REQUIRE(push_tag(b.view(), depth, pushed) == OpError::kOk);
    TagStack expect = c.stack;
    expect.push_outer(pushed);
    const ParsedFrame mid = parse_frame(b.view().data, b.view().len, tpids);
    REQUIRE(mid.ok());
    REQUIRE(mid.tags == expect);
    REQUIRE(b.frame() == build_frame(expect, c.ethertype, c.payload, c.macs));

    REQUIRE(pop_tag(b.view(), depth + 1) == OpError::kOk);
    REQUIRE(b.frame() == original);
    REQUIRE(b.view().data == before.data);
    REQUIRE(b.view().len == before.len);
    REQUIRE(b.view().headroom == before.headroom);
  }
}

TEST_CASE("property: a rewrite changes only the target tag's field", "[l2tags][property]") {
  const uint64_t seed = logged_seed();
  INFO("seed " << seed);
  Random rnd(seed + 2);
  const TpidSet tpids;
  for (int round = 0; round < kRounds; ++round) {
    const Case c = random_case(rnd, tpids, 1, kMaxTags);
    const auto original = c.frame();
    const int depth = c.stack.size();
    const int index = static_cast<int>(rnd.uniform(0, static_cast<uint32_t>(depth - 1)));
    const uint32_t field = rnd.uniform(0, 2);
    Buffer b(original, 0);
    TagStack expect = c.stack;
    OpError e;
    if (field == 0) {
      const auto vid = static_cast<uint16_t>(rnd.uniform(0, 4095));
      expect[index].vid = vid;
      e = set_vid(b.view(), depth, index, vid);
    } else if (field == 1) {
      const auto pcp = static_cast<uint8_t>(rnd.uniform(0, 7));
      expect[index].pcp = pcp;
      e = set_pcp(b.view(), depth, index, pcp);
    } else {
      const bool dei = rnd.coin();
      expect[index].dei = dei;
      e = set_dei(b.view(), depth, index, dei);
    }
    INFO("round " << round << " stack " << format(c.stack) << " field " << field << " of tag " << index);
    REQUIRE(e == OpError::kOk);

    // Only the two TCI bytes of the target tag may differ...
    const auto after = b.frame();
    REQUIRE(after.size() == original.size());
    const size_t tci = tag_offset(index) + 2;
    for (size_t i = 0; i < after.size(); ++i) {
      if (i == tci || i == tci + 1) continue;
      INFO("byte " << i);
      REQUIRE(after[i] == original[i]);
    }
    // ...and within them only the target field.
    const ParsedFrame p = parse_frame(after.data(), after.size(), tpids);
    REQUIRE(p.ok());
    REQUIRE(p.tags == expect);
  }
}

TEST_CASE("property: replace_stack gives the frame built with the new stack", "[l2tags][property]") {
  const uint64_t seed = logged_seed();
  INFO("seed " << seed);
  Random rnd(seed + 3);
  const TpidSet tpids;
  for (int round = 0; round < kRounds; ++round) {
    const Case c = random_case(rnd, tpids);
    const TagStack replacement = rnd.stack(tpids);
    INFO("round " << round << " " << format(c.stack) << " -> " << format(replacement));
    Buffer b(c.frame(), 4 * kMaxTags);
    REQUIRE(replace_stack(b.view(), c.stack.size(), replacement) == OpError::kOk);
    REQUIRE(b.frame() == build_frame(replacement, c.ethertype, c.payload, c.macs));
  }
}

TEST_CASE("property: notation round trip, format then parse and parse then format", "[l2tags][property]") {
  const uint64_t seed = logged_seed();
  INFO("seed " << seed);
  Random rnd(seed + 4);
  const TpidSet tpids;
  for (int round = 0; round < kRounds; ++round) {
    TagStack s = rnd.stack(tpids);
    for (int i = 0; i < s.size(); ++i) s[i].dei = false;  // DEI has no notation
    const std::string text = format(s);
    INFO("round " << round << " text " << text);
    auto parsed = parse_stack(text);
    REQUIRE(parsed.is_ok());
    REQUIRE(*parsed == s);
    REQUIRE(format(*parsed) == text);

    // The same stack as a pattern, with some VIDs and PCPs made wildcards.
    StackPattern p;
    for (const Tag& t : s) {
      TagPattern tp{t.tpid, t.vid, t.pcp};
      if (rnd.coin()) tp.vid.reset();
      if (rnd.coin()) tp.pcp.reset();
      p.push_inner(tp);
    }
    const std::string ptext = format(p);
    INFO("pattern " << ptext);
    auto pparsed = parse_pattern(ptext);
    REQUIRE(pparsed.is_ok());
    REQUIRE(*pparsed == p);
    REQUIRE(p.matches(s));
  }
}
