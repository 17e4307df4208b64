// The test guest's frame and command-line code (plain C, hv/guest/).
#include <catch2/catch.hpp>
#include <cstring>

extern "C" {
#include "hv/guest/cmdline.h"
#include "hv/guest/frame.h"
}

TEST_CASE("test guest: tag stacks in DESIGN.md notation", "[hv][guest]") {
  tag_stack s;
  std::string text = "88a8:100/8100:200:5";
  REQUIRE(parse_tag_stack(text.data(), uint32_t(text.size()), &s));
  REQUIRE(s.n == 2);
  CHECK(s.tpid[0] == 0x88a8);
  CHECK(s.tci[0] == 100);
  CHECK(s.tpid[1] == 0x8100);
  CHECK(s.tci[1] == (5 << 13 | 200));
  for (std::string bad : {"88a8", "1234:5", "8100:4096", "8100:1:8", "8100:x", "8100:1/8100:2/8100:3/8100:4/8100:5/8100:6/8100:7/8100:8/8100:9"}) {
    INFO(bad);
    CHECK_FALSE(parse_tag_stack(bad.data(), uint32_t(bad.size()), &s));
  }
  REQUIRE(parse_tag_stack("", 0, &s));
  CHECK(s.n == 0);
}

TEST_CASE("test guest: frames round-trip with their tags and payload", "[hv][guest]") {
  tag_stack tags;
  std::string text = "88a8:100/8100:200";
  REQUIRE(parse_tag_stack(text.data(), uint32_t(text.size()), &tags));
  uint8_t dst[6] = {2, 0, 0, 0, 0, 0xb}, src[6] = {2, 0, 0, 0, 0, 0xa};
  uint8_t buf[1600];
  uint32_t len = build_frame(buf, dst, src, &tags, 0x01020304, "strata", 6);
  CHECK(len == 60);  // padded to the Ethernet minimum
  CHECK(buf[12] == 0x88);
  CHECK(buf[13] == 0xa8);
  CHECK(buf[16] == 0x81);
  CHECK(buf[20] == 0x88);  // EtherType 0x88b5 after two tags
  CHECK(buf[21] == 0xb5);
  frame_info fi;
  REQUIRE(parse_frame(buf, len, &fi));
  CHECK(std::memcmp(fi.dst, dst, 6) == 0);
  CHECK(std::memcmp(fi.src, src, 6) == 0);
  CHECK(tag_stacks_equal(&fi.tags, &tags));
  CHECK(fi.seq == 0x01020304);
  CHECK(std::memcmp(fi.payload, "strata", 6) == 0);
  buf[21] = 0x00;
  CHECK_FALSE(parse_frame(buf, len, &fi));
  CHECK_FALSE(parse_frame(buf, 13, &fi));
}

TEST_CASE("test guest: command-line values, MACs and virtio-mmio devices", "[hv][guest]") {
  const char* cl = "console=x strata.send=0x10 strata.dst=02:00:00:00:00:0b virtio_mmio.device=4K@0xd0000000:5 "
                   "virtio_mmio.device=4K@0xd0001000:6 strata.bad=12q";
  uint64_t v = 0;
  CHECK(cmdline_u64(cl, "strata.send", &v) == 1);
  CHECK(v == 16);
  CHECK(cmdline_u64(cl, "strata.expect", &v) == 0);
  CHECK(cmdline_u64(cl, "strata.bad", &v) == -1);
  uint32_t len;
  const char* mac = cmdline_value(cl, "strata.dst", 0, &len);
  uint8_t m[6];
  REQUIRE(mac);
  CHECK(parse_mac(mac, len, m));
  CHECK(m[5] == 0x0b);
  const char* dev = cmdline_value(cl, "virtio_mmio.device", 1, &len);
  REQUIRE(dev);
  uint64_t base;
  uint32_t irq;
  REQUIRE(parse_virtio_mmio(dev, len, &base, &irq));
  CHECK(base == 0xd0001000);
  CHECK(irq == 6);
  CHECK(cmdline_value(cl, "virtio_mmio.device", 2, &len) == nullptr);
  CHECK(cmdline_value(cl, "strata", 0, &len) == nullptr);  // prefixes do not match
}
