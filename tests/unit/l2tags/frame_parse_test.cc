#include "l2tags/frame_parse.h"

#include <vector>

#include <catch2/catch.hpp>

#include "frame_builder.h"
#include "l2tags/notation.h"

using namespace strata::l2tags;
using strata::l2tags::testing::build_frame;

namespace {

TagStack stack_of(std::string_view text) {
  auto s = parse_stack(text);
  REQUIRE(s.is_ok());
  return *s;
}

// Parses a copy of `frame` cut to exactly `len` bytes, so that a read past
// the end is a heap overflow under AddressSanitizer, not a silent pass.
ParsedFrame parse_prefix(const std::vector<uint8_t>& frame, size_t len, const TpidSet& tpids = TpidSet{}) {
  const std::vector<uint8_t> cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(len));
  return parse_frame(cut.data(), cut.size(), tpids);
}

}  // namespace

TEST_CASE("parse: an untagged frame has an empty stack and L3 at 14", "[l2tags][parse]") {
  const auto frame = build_frame(TagStack{}, 0x0800, {0x45, 0x00});
  const ParsedFrame p = parse_frame(frame.data(), frame.size(), TpidSet{});
  REQUIRE(p.ok());
  CHECK(p.tags.empty());
  CHECK(p.ethertype == 0x0800);
  CHECK(p.l3_offset == 14);
}

TEST_CASE("parse: reads a QinQ stack, the inner ethertype and the L3 offset", "[l2tags][parse]") {
  // 88a8:100 / 8100:200 with PCP 5 and DEI on the inner tag, then IPv6.
  const std::vector<uint8_t> frame = {
      0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2,  // MACs
      0x88, 0xa8, 0x00, 0x64,                    // S-tag, VID 100
      0x81, 0x00, 0xb0, 0xc8,                    // C-tag, PCP 5, DEI 1, VID 200
      0x86, 0xdd,                                // IPv6
      0x60, 0x00};
  const ParsedFrame p = parse_frame(frame.data(), frame.size(), TpidSet{});
  REQUIRE(p.ok());
  REQUIRE(p.tags.size() == 2);
  CHECK(p.tags[0] == Tag{0x88a8, 0, false, 100});
  CHECK(p.tags[1] == Tag{0x8100, 5, true, 200});
  CHECK(p.ethertype == 0x86dd);
  CHECK(p.l3_offset == 22);
}

TEST_CASE("parse: every default TPID announces a tag", "[l2tags][parse]") {
  const TagStack s = stack_of("9300:1/9200:2/9100:3/8100:4/88a8:5");
  const auto frame = build_frame(s, 0x0806);
  const ParsedFrame p = parse_frame(frame.data(), frame.size(), TpidSet{});
  REQUIRE(p.ok());
  CHECK(p.tags == s);
  CHECK(p.ethertype == 0x0806);
  CHECK(p.l3_offset == 14 + 5 * 4);
}

TEST_CASE("parse: eight tags is the maximum and parses", "[l2tags][parse]") {
  const TagStack s = stack_of("88a8:1/8100:2/8100:3/8100:4/8100:5/8100:6/8100:7/8100:8");
  const auto frame = build_frame(s, 0x0800, std::vector<uint8_t>(20, 0xab));
  const ParsedFrame p = parse_frame(frame.data(), frame.size(), TpidSet{});
  REQUIRE(p.ok());
  CHECK(p.tags == s);
  CHECK(p.l3_offset == 14 + 8 * 4);
}

TEST_CASE("parse: a ninth tag is kTooManyTags", "[l2tags][parse]") {
  const TagStack eight = stack_of("88a8:1/8100:2/8100:3/8100:4/8100:5/8100:6/8100:7/8100:8");
  // Claim a 9th tag by making the inner type a TPID, and give it its bytes.
  const auto frame = build_frame(eight, 0x8100, {0x00, 0x09, 0x08, 0x00, 0x45});
  const ParsedFrame p = parse_frame(frame.data(), frame.size(), TpidSet{});
  CHECK(p.error == ParseError::kTooManyTags);
  CHECK(p.tags == eight);  // what was read before giving up, for diagnostics
}

TEST_CASE("parse: max_tags lowers the limit", "[l2tags][parse]") {
  const auto frame = build_frame(stack_of("88a8:1/8100:2/8100:3"), 0x0800);
  CHECK(parse_frame(frame.data(), frame.size(), TpidSet{}, 3).ok());
  CHECK(parse_frame(frame.data(), frame.size(), TpidSet{}, 2).error == ParseError::kTooManyTags);
  CHECK(parse_frame(frame.data(), frame.size(), TpidSet{}, 0).error == ParseError::kTooManyTags);
  // Above kMaxTags is clamped: still 8.
  const auto nine = build_frame(stack_of("8100:1/8100:2/8100:3/8100:4/8100:5/8100:6/8100:7/8100:8"), 0x8100,
                                {0, 9, 0x08, 0x00});
  CHECK(parse_frame(nine.data(), nine.size(), TpidSet{}, 100).error == ParseError::kTooManyTags);
}

TEST_CASE("parse: fewer than 14 bytes is kTruncatedFrame", "[l2tags][parse]") {
  const auto frame = build_frame(TagStack{}, 0x0800);
  for (size_t len = 0; len < 14; ++len) {
    INFO("length " << len);
    CHECK(parse_prefix(frame, len).error == ParseError::kTruncatedFrame);
  }
  CHECK(parse_prefix(frame, 14).ok());
  CHECK(parse_frame(nullptr, 0, TpidSet{}).error == ParseError::kTruncatedFrame);
}

TEST_CASE("parse: a tag cut anywhere is kTruncatedTag", "[l2tags][parse]") {
  const auto frame = build_frame(stack_of("88a8:100/8100:200/8100:300"), 0x0800);
  // Every cut from just after the first TPID up to, but not including, the
  // full header leaves some tag without its TCI or the type that follows.
  for (size_t len = 14; len < header_len(3); ++len) {
    INFO("length " << len);
    CHECK(parse_prefix(frame, len).error == ParseError::kTruncatedTag);
  }
  const ParsedFrame p = parse_prefix(frame, header_len(3));
  REQUIRE(p.ok());
  CHECK(p.l3_offset == header_len(3));
}

TEST_CASE("parse: an unrecognised TPID is the inner ethertype", "[l2tags][parse]") {
  const auto frame = build_frame(stack_of("88a8:100"), 0x9999, {0x81, 0x00, 0x00, 0x05});
  const ParsedFrame p = parse_frame(frame.data(), frame.size(), TpidSet{});
  REQUIRE(p.ok());
  CHECK(p.tags.size() == 1);
  CHECK(p.ethertype == 0x9999);
  CHECK(p.l3_offset == 18);
}

TEST_CASE("parse: the TPID set decides what is a tag", "[l2tags][parse]") {
  const auto frame = build_frame(stack_of("88a8:100/9100:200"), 0x0800);
  const auto only_88a8 = TpidSet::make({0x88a8});
  REQUIRE(only_88a8.is_ok());
  const ParsedFrame p = parse_frame(frame.data(), frame.size(), *only_88a8);
  REQUIRE(p.ok());
  CHECK(p.tags.size() == 1);
  CHECK(p.ethertype == 0x9100);

  const auto none = TpidSet::make(std::span<const uint16_t>{});
  REQUIRE(none.is_ok());
  const ParsedFrame q = parse_frame(frame.data(), frame.size(), *none);
  REQUIRE(q.ok());
  CHECK(q.tags.empty());
  CHECK(q.ethertype == 0x88a8);

  const auto custom = TpidSet::make({0x88a8, 0x9100, 0x0800});
  REQUIRE(custom.is_ok());
  // 0x0800 is now a TPID too, and the bytes after it are missing.
  CHECK(parse_frame(frame.data(), frame.size(), *custom).error == ParseError::kTruncatedTag);
}

TEST_CASE("parse: errors have names for logs and counters", "[l2tags][parse]") {
  CHECK(std::string(to_string(ParseError::kOk)) == "ok");
  CHECK(std::string(to_string(ParseError::kTruncatedFrame)) == "truncated frame");
  CHECK(std::string(to_string(ParseError::kTruncatedTag)) == "truncated tag");
  CHECK(std::string(to_string(ParseError::kTooManyTags)) == "too many tags");
}
