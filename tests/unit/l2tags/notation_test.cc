#include "l2tags/notation.h"

#include <string>

#include <catch2/catch.hpp>

using namespace strata::l2tags;

namespace {

// The message of the error that parsing `text` as a stack must produce.
std::string stack_error(std::string_view text) {
  auto s = parse_stack(text);
  REQUIRE_FALSE(s.is_ok());
  REQUIRE(s.status().code() == strata::StatusCode::kInvalidArgument);
  return s.status().message();
}

std::string pattern_error(std::string_view text) {
  auto p = parse_pattern(text);
  REQUIRE_FALSE(p.is_ok());
  REQUIRE(p.status().code() == strata::StatusCode::kInvalidArgument);
  return p.status().message();
}

}  // namespace

TEST_CASE("notation: parses outermost first with TPID in hex, VID and PCP in decimal", "[l2tags][notation]") {
  auto s = parse_stack("88a8:100/8100:200:5");
  REQUIRE(s.is_ok());
  REQUIRE(s->size() == 2);
  CHECK((*s)[0] == Tag{0x88a8, 0, false, 100});
  CHECK((*s)[1] == Tag{0x8100, 5, false, 200});
}

TEST_CASE("notation: accepts the extremes and hex spellings of a TPID", "[l2tags][notation]") {
  auto s = parse_stack("0x88A8:0/8100:4095:7/9100:1:0/600:1/ffff:2");
  REQUIRE(s.is_ok());
  REQUIRE(s->size() == 5);
  CHECK((*s)[0] == Tag{0x88a8, 0, false, 0});
  CHECK((*s)[1] == Tag{0x8100, 7, false, 4095});
  CHECK((*s)[2] == Tag{0x9100, 0, false, 1});
  CHECK((*s)[3].tpid == 0x0600);
  CHECK((*s)[4].tpid == 0xffff);
}

TEST_CASE("notation: the empty string is the empty stack", "[l2tags][notation]") {
  auto s = parse_stack("");
  REQUIRE(s.is_ok());
  CHECK(s->empty());
  CHECK(format(TagStack{}) == "");
}

TEST_CASE("notation: eight tags parse, nine are too deep", "[l2tags][notation]") {
  CHECK(parse_stack("8100:1/8100:2/8100:3/8100:4/8100:5/8100:6/8100:7/8100:8")->size() == 8);
  CHECK(stack_error("8100:1/8100:2/8100:3/8100:4/8100:5/8100:6/8100:7/8100:8/8100:9") ==
        "tag stack \"8100:1/8100:2/8100:3/8100:4/8100:5/8100:6/8100:7/8100:8/8100:9\": "
        "has 9 tags, more than the maximum 8");
}

TEST_CASE("notation: a bad TPID is named with its tag", "[l2tags][notation]") {
  CHECK(stack_error("88a8:100/81g0:200") == "tag stack \"88a8:100/81g0:200\": tag 2 \"81g0:200\": "
                                            "TPID \"81g0\" is not hexadecimal");
  CHECK(stack_error("18100:1") == "tag stack \"18100:1\": tag 1 \"18100:1\": TPID \"18100\" does not fit in 16 bits");
  CHECK(stack_error("5dc:1") == "tag stack \"5dc:1\": tag 1 \"5dc:1\": "
                                "TPID 05dc is below 0600: that is an 802.3 length, not an EtherType");
  CHECK(stack_error(":1") == "tag stack \":1\": tag 1 \":1\": TPID is empty");
  CHECK(stack_error("0x:1") == "tag stack \"0x:1\": tag 1 \"0x:1\": TPID is empty");
  CHECK(stack_error(" 8100:1") == "tag stack \" 8100:1\": tag 1 \" 8100:1\": TPID \" 8100\" is not hexadecimal");
}

TEST_CASE("notation: a VID above 4095 or not a number is refused", "[l2tags][notation]") {
  CHECK(stack_error("88a8:100/8100:4096") ==
        "tag stack \"88a8:100/8100:4096\": tag 2 \"8100:4096\": VID 4096 is out of range 0-4095");
  CHECK(stack_error("8100:99999999999999") ==
        "tag stack \"8100:99999999999999\": tag 1 \"8100:99999999999999\": VID 99999999999999 is out of range 0-4095");
  CHECK(stack_error("8100:-1") == "tag stack \"8100:-1\": tag 1 \"8100:-1\": VID \"-1\" is not a decimal number");
  CHECK(stack_error("8100:0x10") == "tag stack \"8100:0x10\": tag 1 \"8100:0x10\": VID \"0x10\" is not a decimal number");
  CHECK(stack_error("8100:") == "tag stack \"8100:\": tag 1 \"8100:\": VID is empty");
  CHECK(stack_error("8100") == "tag stack \"8100\": tag 1 \"8100\": has no VID; expected TPID:VID[:PCP]");
}

TEST_CASE("notation: a PCP above 7 or not a number is refused", "[l2tags][notation]") {
  CHECK(stack_error("8100:1:8") == "tag stack \"8100:1:8\": tag 1 \"8100:1:8\": PCP 8 is out of range 0-7");
  CHECK(stack_error("8100:1:x") == "tag stack \"8100:1:x\": tag 1 \"8100:1:x\": PCP \"x\" is not a decimal number");
  CHECK(stack_error("8100:1:") == "tag stack \"8100:1:\": tag 1 \"8100:1:\": PCP is empty");
  CHECK(stack_error("8100:1:2:3") ==
        "tag stack \"8100:1:2:3\": tag 1 \"8100:1:2:3\": has more than 3 fields; expected TPID:VID[:PCP]");
}

TEST_CASE("notation: an empty element is named by position", "[l2tags][notation]") {
  CHECK(stack_error("88a8:1//8100:2") == "tag stack \"88a8:1//8100:2\": tag 2 is empty");
  CHECK(stack_error("/8100:2") == "tag stack \"/8100:2\": tag 1 is empty");
  CHECK(stack_error("8100:2/") == "tag stack \"8100:2/\": tag 2 is empty");
}

TEST_CASE("notation: a stack has no wildcard, a pattern does", "[l2tags][notation]") {
  CHECK(stack_error("88a8:100/8100:*") ==
        "tag stack \"88a8:100/8100:*\": tag 2 \"8100:*\": VID * (any) is only allowed in a match pattern");
  auto p = parse_pattern("88a8:100/8100:*/8100:7:3");
  REQUIRE(p.is_ok());
  REQUIRE(p->size() == 3);
  CHECK((*p)[0] == TagPattern{0x88a8, 100, std::nullopt});
  CHECK((*p)[1] == TagPattern{0x8100, std::nullopt, std::nullopt});
  CHECK((*p)[2] == TagPattern{0x8100, 7, 3});
}

TEST_CASE("notation: pattern errors say it is a pattern", "[l2tags][notation]") {
  CHECK(pattern_error("8100:*:9") == "tag stack pattern \"8100:*:9\": tag 1 \"8100:*:9\": PCP 9 is out of range 0-7");
  CHECK(pattern_error("8100:**") == "tag stack pattern \"8100:**\": tag 1 \"8100:**\": VID \"**\" is not a decimal number");
  CHECK(pattern_error("8100:1/8100:2/8100:3/8100:4/8100:5/8100:6/8100:7/8100:8/8100:*") ==
        "tag stack pattern \"8100:1/8100:2/8100:3/8100:4/8100:5/8100:6/8100:7/8100:8/8100:*\": "
        "has 9 tags, more than the maximum 8");
}

TEST_CASE("notation: with a TPID set, unrecognised TPIDs are refused", "[l2tags][notation]") {
  const TpidSet defaults;
  CHECK(parse_stack("88a8:1/9300:2", defaults).is_ok());
  auto s = parse_stack("88a8:1/9400:2", defaults);
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.status().message() == "tag stack \"88a8:1/9400:2\": tag 2 \"9400:2\": "
                                "TPID 9400 is not a recognised TPID (recognised: 88a8, 8100, 9100, 9200, 9300)");
  auto none = TpidSet::make(std::span<const uint16_t>{});
  REQUIRE(none.is_ok());
  auto p = parse_pattern("8100:*", *none);
  REQUIRE_FALSE(p.is_ok());
  CHECK(p.status().message() ==
        "tag stack pattern \"8100:*\": tag 1 \"8100:*\": TPID 8100 is not recognised: no TPIDs are configured");
}

TEST_CASE("notation: format is canonical", "[l2tags][notation]") {
  CHECK(format(*parse_stack("0x88A8:0100/8100:200:0/9100:3:5")) == "88a8:100/8100:200/9100:3:5");
  CHECK(format(Tag{0x0600, 7, false, 4095}) == "0600:4095:7");
  // DEI has no notation.
  CHECK(format(Tag{0x8100, 0, true, 1}) == "8100:1");
}

TEST_CASE("notation: pattern format shows wildcards and every given PCP", "[l2tags][notation]") {
  CHECK(format(*parse_pattern("88a8:100/8100:*/8100:*:0/8100:5:0")) == "88a8:100/8100:*/8100:*:0/8100:5:0");
  CHECK(format(StackPattern{}) == "");
}
