#include "l2tags/frame_ops.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "frame_builder.h"
#include "l2tags/frame_parse.h"
#include "l2tags/notation.h"

using namespace strata::l2tags;
using strata::l2tags::testing::Buffer;
using strata::l2tags::testing::build_frame;

namespace {

TagStack stack_of(std::string_view text) {
  auto s = parse_stack(text);
  REQUIRE(s.is_ok());
  return *s;
}

const std::vector<uint8_t> kPayload = {0x45, 0x00, 0x00, 0x14, 0xde, 0xad, 0xbe, 0xef};

// The whole block (headroom and frame) and the view, to prove that an op
// which fails changed nothing at all.
struct Snapshot {
  std::vector<uint8_t> block;  // every byte of the buffer
  uint8_t* data;               // view.data before the op
  uint32_t len;                // view.len before the op
  uint32_t headroom;           // view.headroom before the op

  explicit Snapshot(Buffer& b)
      : block(b.start(), b.start() + b.accounted()),
        data(b.view().data),
        len(b.view().len),
        headroom(b.view().headroom) {}

  bool same_as(Buffer& b) const {
    return block == std::vector<uint8_t>(b.start(), b.start() + b.accounted()) && data == b.view().data &&
           len == b.view().len && headroom == b.view().headroom;
  }
};

// Runs `op` on a buffer, requires it to fail with `expected`, and requires
// that it left the buffer and the view exactly as they were.
template <typename Op>
void require_error_without_change(Buffer& b, OpError expected, Op op) {
  const Snapshot before(b);
  const OpError got = op(b.view());
  INFO("got " << to_string(got) << ", expected " << to_string(expected));
  REQUIRE(got == expected);
  REQUIRE(before.same_as(b));
}

}  // namespace

TEST_CASE("ops: write_stack writes TPID and TCI per tag, outermost first", "[l2tags][ops]") {
  uint8_t out[8] = {};
  uint8_t* end = write_stack(out, stack_of("88a8:100/8100:4095:7"));
  CHECK(end == out + 8);
  const std::vector<uint8_t> expect = {0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0xef, 0xff};
  CHECK(std::vector<uint8_t>(out, out + 8) == expect);
}

TEST_CASE("ops: push onto an untagged frame inserts the tag after the MACs", "[l2tags][ops]") {
  Buffer b(build_frame(TagStack{}, 0x0800, kPayload), 16);
  uint8_t* const old_data = b.view().data;
  REQUIRE(push_tag(b.view(), 0, Tag{0x8100, 3, false, 42}) == OpError::kOk);
  CHECK(b.view().data == old_data - 4);
  CHECK(b.view().headroom == 12);
  CHECK(b.frame() == build_frame(stack_of("8100:42:3"), 0x0800, kPayload));
}

TEST_CASE("ops: push onto a tagged frame adds a new outermost tag", "[l2tags][ops]") {
  Buffer b(build_frame(stack_of("8100:200"), 0x86dd, kPayload), 4);
  REQUIRE(push_tag(b.view(), 1, Tag{0x88a8, 0, true, 100}) == OpError::kOk);
  TagStack expect = stack_of("88a8:100/8100:200");
  expect[0].dei = true;
  CHECK(b.frame() == build_frame(expect, 0x86dd, kPayload));
  CHECK(b.view().headroom == 0);
}

TEST_CASE("ops: push moves only the MACs, never the payload", "[l2tags][ops]") {
  Buffer b(build_frame(stack_of("8100:1"), 0x0800, kPayload), 8);
  const uint8_t* const payload = b.view().data + header_len(1);
  REQUIRE(push_tag(b.view(), 1, Tag{0x88a8, 0, false, 7}) == OpError::kOk);
  // Same address, same bytes: the payload stayed where it was.
  CHECK(b.view().data + header_len(2) == payload);
  CHECK(std::vector<uint8_t>(payload, payload + kPayload.size()) == kPayload);
}

TEST_CASE("ops: push errors leave the frame untouched", "[l2tags][ops]") {
  Buffer b(build_frame(stack_of("8100:1"), 0x0800, kPayload), 8);
  const Tag ok{0x8100, 0, false, 1};
  SECTION("kNoHeadroom with 3 bytes of headroom") {
    Buffer tight(build_frame(TagStack{}, 0x0800, kPayload), 3);
    require_error_without_change(tight, OpError::kNoHeadroom, [&](FrameView& f) { return push_tag(f, 0, ok); });
  }
  SECTION("kTooManyTags on a frame that has kMaxTags") {
    Buffer full(build_frame(stack_of("8100:1/8100:2/8100:3/8100:4/8100:5/8100:6/8100:7/8100:8"), 0x0800), 8);
    require_error_without_change(full, OpError::kTooManyTags, [&](FrameView& f) { return push_tag(f, 8, ok); });
  }
  SECTION("kBadField for VID 4096 or PCP 8") {
    require_error_without_change(b, OpError::kBadField,
                                 [&](FrameView& f) { return push_tag(f, 1, Tag{0x8100, 0, false, 4096}); });
    require_error_without_change(b, OpError::kBadField,
                                 [&](FrameView& f) { return push_tag(f, 1, Tag{0x8100, 8, false, 1}); });
  }
  SECTION("kBadDepth outside 0..kMaxTags") {
    require_error_without_change(b, OpError::kBadDepth, [&](FrameView& f) { return push_tag(f, -1, ok); });
    require_error_without_change(b, OpError::kBadDepth, [&](FrameView& f) { return push_tag(f, 9, ok); });
  }
  SECTION("kTruncated when the frame cannot hold the depth it claims") {
    require_error_without_change(b, OpError::kTruncated, [&](FrameView& f) { return push_tag(f, 4, ok); });
    Buffer runt(std::vector<uint8_t>(13, 0xff), 8);
    require_error_without_change(runt, OpError::kTruncated, [&](FrameView& f) { return push_tag(f, 0, ok); });
  }
}

TEST_CASE("ops: pop removes the outermost tag and returns its bytes to the headroom", "[l2tags][ops]") {
  Buffer b(build_frame(stack_of("88a8:100/8100:200:5"), 0x0800, kPayload), 0);
  REQUIRE(pop_tag(b.view(), 2) == OpError::kOk);
  CHECK(b.frame() == build_frame(stack_of("8100:200:5"), 0x0800, kPayload));
  CHECK(b.view().headroom == 4);
  CHECK(b.accounted() == b.view().headroom + b.view().len);
  REQUIRE(pop_tag(b.view(), 1) == OpError::kOk);
  CHECK(b.frame() == build_frame(TagStack{}, 0x0800, kPayload));
  CHECK(b.view().headroom == 8);
}

TEST_CASE("ops: pop errors leave the frame untouched", "[l2tags][ops]") {
  SECTION("kNoTag on an untagged frame") {
    Buffer b(build_frame(TagStack{}, 0x0800, kPayload), 8);
    require_error_without_change(b, OpError::kNoTag, [](FrameView& f) { return pop_tag(f, 0); });
  }
  SECTION("kBadDepth outside 0..kMaxTags") {
    Buffer b(build_frame(stack_of("8100:1"), 0x0800, kPayload), 8);
    require_error_without_change(b, OpError::kBadDepth, [](FrameView& f) { return pop_tag(f, -1); });
    require_error_without_change(b, OpError::kBadDepth, [](FrameView& f) { return pop_tag(f, 9); });
  }
  SECTION("kTruncated when the tag is not all there") {
    Buffer b(build_frame(stack_of("8100:1"), 0x0800), 0);
    b.view().len -= 1;  // tag present, inner type cut
    require_error_without_change(b, OpError::kTruncated, [](FrameView& f) { return pop_tag(f, 1); });
  }
}

TEST_CASE("ops: set_vid, set_pcp and set_dei change only their bits of one tag", "[l2tags][ops]") {
  const TagStack before = stack_of("88a8:100:1/8100:200:2/9100:300:3");
  const auto original = build_frame(before, 0x0800, kPayload);
  for (int index = 0; index < 3; ++index) {
    INFO("tag " << index);
    Buffer b(original, 0);
    TagStack expect = before;

    REQUIRE(set_vid(b.view(), 3, index, 4095) == OpError::kOk);
    expect[index].vid = 4095;
    REQUIRE(b.frame() == build_frame(expect, 0x0800, kPayload));

    REQUIRE(set_pcp(b.view(), 3, index, 7) == OpError::kOk);
    expect[index].pcp = 7;
    REQUIRE(b.frame() == build_frame(expect, 0x0800, kPayload));

    REQUIRE(set_dei(b.view(), 3, index, true) == OpError::kOk);
    expect[index].dei = true;
    REQUIRE(b.frame() == build_frame(expect, 0x0800, kPayload));

    REQUIRE(set_dei(b.view(), 3, index, false) == OpError::kOk);
    REQUIRE(set_pcp(b.view(), 3, index, 0) == OpError::kOk);
    REQUIRE(set_vid(b.view(), 3, index, 0) == OpError::kOk);
    expect[index].dei = false;
    expect[index].pcp = 0;
    expect[index].vid = 0;
    REQUIRE(b.frame() == build_frame(expect, 0x0800, kPayload));
    // The view itself never moves for a rewrite.
    CHECK(b.view().headroom == 0);
    CHECK(b.view().len == original.size());
  }
}

TEST_CASE("ops: rewrite errors leave the frame untouched", "[l2tags][ops]") {
  Buffer b(build_frame(stack_of("88a8:100/8100:200"), 0x0800, kPayload), 4);
  SECTION("kNoTag for an index the frame does not have") {
    require_error_without_change(b, OpError::kNoTag, [](FrameView& f) { return set_vid(f, 2, 2, 1); });
    require_error_without_change(b, OpError::kNoTag, [](FrameView& f) { return set_pcp(f, 2, -1, 1); });
    require_error_without_change(b, OpError::kNoTag, [](FrameView& f) { return set_dei(f, 0, 0, true); });
  }
  SECTION("kBadField for VID 4096 or PCP 8") {
    require_error_without_change(b, OpError::kBadField, [](FrameView& f) { return set_vid(f, 2, 0, 4096); });
    require_error_without_change(b, OpError::kBadField, [](FrameView& f) { return set_pcp(f, 2, 1, 8); });
  }
  SECTION("kBadDepth outside 0..kMaxTags") {
    require_error_without_change(b, OpError::kBadDepth, [](FrameView& f) { return set_vid(f, 9, 0, 1); });
    require_error_without_change(b, OpError::kBadDepth, [](FrameView& f) { return set_dei(f, -2, 0, true); });
  }
  SECTION("kTruncated when the claimed depth does not fit the frame") {
    require_error_without_change(b, OpError::kTruncated, [](FrameView& f) { return set_pcp(f, 6, 5, 1); });
  }
}

TEST_CASE("ops: replace_stack grows, shrinks or rewrites the stack in one move", "[l2tags][ops]") {
  const std::string from = GENERATE(as<std::string>{}, "", "8100:5", "88a8:1/8100:2", "9300:1/9200:2/9100:3/8100:4");
  const std::string to = GENERATE(as<std::string>{}, "", "8100:7:1", "88a8:10/8100:20:3",
                                  "88a8:1/8100:2/8100:3/8100:4/8100:5/8100:6/8100:7/8100:8");
  INFO(from << " -> " << to);
  const TagStack old_stack = stack_of(from);
  const TagStack new_stack = stack_of(to);
  Buffer b(build_frame(old_stack, 0x0800, kPayload), 32);
  const uint8_t* const payload = b.view().data + header_len(old_stack.size());

  REQUIRE(replace_stack(b.view(), old_stack.size(), new_stack) == OpError::kOk);
  CHECK(b.frame() == build_frame(new_stack, 0x0800, kPayload));
  CHECK(b.view().data + header_len(new_stack.size()) == payload);  // the payload did not move
  CHECK(b.accounted() == 32 + build_frame(old_stack, 0x0800, kPayload).size());
  const ParsedFrame p = parse_frame(b.view().data, b.view().len, TpidSet{});
  REQUIRE(p.ok());
  CHECK(p.tags == new_stack);
}

TEST_CASE("ops: replace_stack errors leave the frame untouched", "[l2tags][ops]") {
  Buffer b(build_frame(stack_of("8100:1"), 0x0800, kPayload), 4);
  SECTION("kNoHeadroom when growing by more than the headroom") {
    const TagStack three = stack_of("88a8:1/8100:2/8100:3");
    require_error_without_change(b, OpError::kNoHeadroom, [&](FrameView& f) { return replace_stack(f, 1, three); });
  }
  SECTION("kBadField when any new tag is out of range") {
    TagStack bad = stack_of("88a8:1/8100:2");
    bad[1].vid = 5000;
    require_error_without_change(b, OpError::kBadField, [&](FrameView& f) { return replace_stack(f, 1, bad); });
  }
  SECTION("kBadDepth and kTruncated for a depth the frame cannot have") {
    require_error_without_change(b, OpError::kBadDepth,
                                 [](FrameView& f) { return replace_stack(f, 9, TagStack{}); });
    require_error_without_change(b, OpError::kTruncated,
                                 [](FrameView& f) { return replace_stack(f, 5, TagStack{}); });
  }
}

TEST_CASE("ops: errors have names for logs and counters", "[l2tags][ops]") {
  CHECK(std::string(to_string(OpError::kOk)) == "ok");
  CHECK(std::string(to_string(OpError::kBadDepth)) == "bad depth");
  CHECK(std::string(to_string(OpError::kNoTag)) == "no such tag");
  CHECK(std::string(to_string(OpError::kTooManyTags)) == "too many tags");
  CHECK(std::string(to_string(OpError::kBadField)) == "field out of range");
  CHECK(std::string(to_string(OpError::kTruncated)) == "truncated frame");
  CHECK(std::string(to_string(OpError::kNoHeadroom)) == "no headroom");
}
