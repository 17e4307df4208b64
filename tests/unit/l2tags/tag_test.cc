#include "l2tags/tag.h"

#include <catch2/catch.hpp>

using namespace strata::l2tags;

TEST_CASE("tag: tci packs PCP, DEI and VID in 802.1Q bit order", "[l2tags][tag]") {
  CHECK(Tag{0x8100, 0, false, 0}.tci() == 0x0000);
  CHECK(Tag{0x8100, 0, false, 4095}.tci() == 0x0fff);
  CHECK(Tag{0x8100, 0, true, 0}.tci() == 0x1000);
  CHECK(Tag{0x8100, 7, false, 0}.tci() == 0xe000);
  CHECK(Tag{0x88a8, 5, true, 100}.tci() == ((5 << 13) | 0x1000 | 100));
}

TEST_CASE("tag: from_tci inverts tci for every TCI value", "[l2tags][tag]") {
  for (uint32_t tci = 0; tci <= 0xffff; ++tci) {
    const Tag t = Tag::from_tci(0x88a8, static_cast<uint16_t>(tci));
    REQUIRE(t.valid());
    REQUIRE(t.tpid == 0x88a8);
    REQUIRE(t.tci() == tci);
  }
}

TEST_CASE("tag: valid rejects VID above 4095 and PCP above 7", "[l2tags][tag]") {
  CHECK(Tag{0x8100, 7, true, 4095}.valid());
  CHECK_FALSE(Tag{0x8100, 0, false, 4096}.valid());
  CHECK_FALSE(Tag{0x8100, 8, false, 0}.valid());
}

TEST_CASE("tag: equality compares every field", "[l2tags][tag]") {
  const Tag a{0x8100, 3, true, 10};
  CHECK(a == Tag{0x8100, 3, true, 10});
  CHECK_FALSE(a == Tag{0x88a8, 3, true, 10});
  CHECK_FALSE(a == Tag{0x8100, 2, true, 10});
  CHECK_FALSE(a == Tag{0x8100, 3, false, 10});
  CHECK_FALSE(a == Tag{0x8100, 3, true, 11});
}

TEST_CASE("tag: load_tag and store_tag use network byte order", "[l2tags][tag]") {
  uint8_t bytes[4] = {};
  store_tag(bytes, Tag{0x88a8, 5, true, 0x123});
  CHECK(bytes[0] == 0x88);
  CHECK(bytes[1] == 0xa8);
  CHECK(bytes[2] == 0xb1);  // 101 1 0001
  CHECK(bytes[3] == 0x23);
  CHECK(load_tag(bytes) == Tag{0x88a8, 5, true, 0x123});
}

TEST_CASE("tag: a TPID must be an EtherType, not an 802.3 length", "[l2tags][tag]") {
  CHECK_FALSE(is_valid_tpid(0x0000));
  CHECK_FALSE(is_valid_tpid(0x05ff));
  CHECK(is_valid_tpid(0x0600));
  CHECK(is_valid_tpid(0x8100));
}
