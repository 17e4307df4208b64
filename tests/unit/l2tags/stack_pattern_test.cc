#include "l2tags/stack_pattern.h"

#include <catch2/catch.hpp>

#include "l2tags/notation.h"

using namespace strata::l2tags;

namespace {

TagStack stack_of(std::string_view text) {
  auto s = parse_stack(text);
  REQUIRE(s.is_ok());
  return *s;
}

StackPattern pattern_of(std::string_view text) {
  auto p = parse_pattern(text);
  REQUIRE(p.is_ok());
  return *p;
}

}  // namespace

TEST_CASE("pattern: a tag pattern matches TPID exactly, VID and PCP when given", "[l2tags][pattern]") {
  const TagPattern exact{0x8100, 100, 5};
  CHECK(exact.matches(Tag{0x8100, 5, false, 100}));
  CHECK(exact.matches(Tag{0x8100, 5, true, 100}));  // DEI is never matched
  CHECK_FALSE(exact.matches(Tag{0x88a8, 5, false, 100}));
  CHECK_FALSE(exact.matches(Tag{0x8100, 4, false, 100}));
  CHECK_FALSE(exact.matches(Tag{0x8100, 5, false, 101}));

  const TagPattern any_vid{0x8100, std::nullopt, std::nullopt};
  CHECK(any_vid.matches(Tag{0x8100, 7, false, 4095}));
  CHECK(any_vid.matches(Tag{0x8100, 0, false, 0}));
  CHECK_FALSE(any_vid.matches(Tag{0x9100, 0, false, 0}));
}

TEST_CASE("pattern: matches requires the same depth", "[l2tags][pattern]") {
  const StackPattern p = pattern_of("88a8:100/8100:*");
  CHECK(p.matches(stack_of("88a8:100/8100:1")));
  CHECK(p.matches(stack_of("88a8:100/8100:4095:7")));
  CHECK_FALSE(p.matches(stack_of("88a8:101/8100:1")));
  CHECK_FALSE(p.matches(stack_of("88a8:100")));
  CHECK_FALSE(p.matches(stack_of("88a8:100/8100:1/8100:2")));
  CHECK_FALSE(p.matches(stack_of("8100:100/8100:1")));
}

TEST_CASE("pattern: matches_outer accepts any inner remainder", "[l2tags][pattern]") {
  const StackPattern p = pattern_of("88a8:100");
  CHECK(p.matches_outer(stack_of("88a8:100")));
  CHECK(p.matches_outer(stack_of("88a8:100/8100:1/8100:2")));
  CHECK_FALSE(p.matches_outer(stack_of("8100:1/88a8:100")));
  CHECK_FALSE(p.matches_outer(TagStack{}));
}

TEST_CASE("pattern: the empty pattern matches only untagged frames, or any as a prefix", "[l2tags][pattern]") {
  const StackPattern empty;
  CHECK(empty.matches(TagStack{}));
  CHECK_FALSE(empty.matches(stack_of("8100:1")));
  CHECK(empty.matches_outer(stack_of("8100:1")));
}

TEST_CASE("pattern: holds kMaxTags tag patterns and refuses one more", "[l2tags][pattern]") {
  StackPattern p;
  for (int i = 0; i < kMaxTags; ++i) REQUIRE(p.push_inner(TagPattern{0x8100, std::nullopt, std::nullopt}));
  CHECK_FALSE(p.push_inner(TagPattern{0x8100, 1, std::nullopt}));
  CHECK(p.size() == kMaxTags);
}

TEST_CASE("pattern: equality tells any VID from VID 0", "[l2tags][pattern]") {
  CHECK(pattern_of("8100:*") == pattern_of("8100:*"));
  CHECK_FALSE(pattern_of("8100:*") == pattern_of("8100:0"));
  CHECK_FALSE(pattern_of("8100:5") == pattern_of("8100:5:0"));
}
