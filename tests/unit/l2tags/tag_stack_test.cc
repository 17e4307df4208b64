#include "l2tags/tag_stack.h"

#include <type_traits>

#include <catch2/catch.hpp>

using namespace strata::l2tags;

namespace {

Tag tag(uint16_t vid) { return Tag{0x8100, 0, false, vid}; }

}  // namespace

TEST_CASE("tag stack: is a fixed-size value type", "[l2tags][stack]") {
  STATIC_REQUIRE(std::is_trivially_copyable_v<TagStack>);
  STATIC_REQUIRE(sizeof(TagStack) <= sizeof(Tag) * kMaxTags + 2);
  const TagStack s;
  CHECK(s.empty());
  CHECK(s.size() == 0);
  CHECK(s.begin() == s.end());
}

TEST_CASE("tag stack: push_outer puts the new tag at index 0", "[l2tags][stack]") {
  TagStack s;
  REQUIRE(s.push_outer(tag(2)));
  REQUIRE(s.push_outer(tag(1)));
  REQUIRE(s.size() == 2);
  CHECK(s[0] == tag(1));
  CHECK(s[1] == tag(2));
  CHECK(s.outer() == tag(1));
  CHECK(s.inner() == tag(2));
}

TEST_CASE("tag stack: push_inner appends below the innermost tag", "[l2tags][stack]") {
  TagStack s;
  REQUIRE(s.push_inner(tag(1)));
  REQUIRE(s.push_inner(tag(2)));
  CHECK(s[0] == tag(1));
  CHECK(s[1] == tag(2));
}

TEST_CASE("tag stack: pop_outer removes index 0 and keeps the order", "[l2tags][stack]") {
  TagStack s;
  for (uint16_t v = 1; v <= 3; ++v) s.push_inner(tag(v));
  REQUIRE(s.pop_outer());
  REQUIRE(s.size() == 2);
  CHECK(s[0] == tag(2));
  CHECK(s[1] == tag(3));
}

TEST_CASE("tag stack: holds kMaxTags tags and refuses one more", "[l2tags][stack]") {
  TagStack s;
  for (int i = 0; i < kMaxTags; ++i) REQUIRE(s.push_outer(tag(static_cast<uint16_t>(i))));
  CHECK(s.full());
  const TagStack before = s;
  CHECK_FALSE(s.push_outer(tag(99)));
  CHECK_FALSE(s.push_inner(tag(99)));
  CHECK(s == before);
}

TEST_CASE("tag stack: pop_outer of an empty stack fails", "[l2tags][stack]") {
  TagStack s;
  CHECK_FALSE(s.pop_outer());
  CHECK(s.empty());
}

TEST_CASE("tag stack: equality depends on the tags, not on how the stack was built", "[l2tags][stack]") {
  TagStack fresh;
  fresh.push_inner(tag(2));
  fresh.push_inner(tag(3));

  TagStack shrunk;  // built deeper, then popped: its freed slot must not linger
  shrunk.push_inner(tag(1));
  shrunk.push_inner(tag(2));
  shrunk.push_inner(tag(3));
  CHECK_FALSE(shrunk == fresh);
  shrunk.pop_outer();
  CHECK(shrunk == fresh);

  TagStack other = fresh;
  other[1].pcp = 4;
  CHECK_FALSE(other == fresh);

  TagStack deeper = fresh;
  deeper.push_inner(tag(4));
  CHECK_FALSE(deeper == fresh);

  deeper.clear();
  CHECK(deeper == TagStack{});
}

TEST_CASE("tag stack: iteration visits tags outermost first", "[l2tags][stack]") {
  TagStack s;
  for (uint16_t v = 1; v <= 4; ++v) s.push_inner(tag(v));
  uint16_t expect = 1;
  for (const Tag& t : s) CHECK(t.vid == expect++);
  CHECK(expect == 5);
}
