#include <catch2/catch.hpp>

#include "daemon/stratactl/tag_text.h"

using namespace strata;
using namespace strata::ctl;

TEST_CASE("tag text: access stacks, trunk stacks and flow matches round-trip", "[stratactl][tags]") {
  auto s = parse_stack_text("88a8:100/8100:200:5");
  REQUIRE(s);
  REQUIRE(s->tags_size() == 2);
  CHECK(s->tags(1).pcp() == 5);
  CHECK(format_stack(*s) == "88a8:100/8100:200:5");

  auto a = parse_allowed_text("88a8:*/8100:7");
  REQUIRE(a);
  CHECK(a->tags(0).any_vid());
  CHECK(format_stack(*a) == "88a8:*/8100:7");

  for (const char* m : {"88a8:100/8100:*", "88a8:100/...", "...", "none", "8100:5:3"}) {
    auto parsed = parse_stack_match(m);
    REQUIRE(parsed);
    CHECK(format_stack_match(*parsed) == m);
  }
}

TEST_CASE("tag text: bad stacks say why", "[stratactl][tags]") {
  CHECK_THAT(parse_stack_text("88a8:4096").status().message(), Catch::Contains("4096"));
  CHECK_THAT(parse_stack_text("88a8:*").status().message(), Catch::Contains("*"));
  CHECK_FALSE(parse_stack_text(""));
  CHECK_FALSE(parse_allowed_text("zz:1"));
  CHECK_FALSE(parse_stack_match(""));
}

TEST_CASE("tag text: port modes read as a person writes them", "[stratactl][tags]") {
  v1::Port p;
  CHECK(port_mode_text(p) == "trunk (every stack)");
  *p.mutable_access()->mutable_stack() = *parse_stack_text("88a8:100/8100:200");
  CHECK(port_mode_text(p) == "access 88a8:100/8100:200");
  v1::Port t;
  *t.mutable_trunk()->add_allowed() = *parse_allowed_text("88a8:100");
  *t.mutable_trunk()->add_allowed() = *parse_allowed_text("88a8:*");
  CHECK(port_mode_text(t) == "trunk 88a8:100,88a8:*");
}
