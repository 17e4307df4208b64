#include <catch2/catch.hpp>

#include "hv/devices/io_bus.h"

using namespace strata::hv;

namespace {
struct Recorder : BusDevice {
  uint64_t last_offset = ~0ull;
  size_t last_size = 0;
  void read(uint64_t offset, std::span<uint8_t> data) override {
    last_offset = offset;
    last_size = data.size();
    for (auto& b : data) b = 0x42;
  }
  void write(uint64_t offset, std::span<const uint8_t> data) override {
    last_offset = offset;
    last_size = data.size();
  }
};
}  // namespace

TEST_CASE("io bus: accesses reach the owning device with an offset", "[hv][bus]") {
  IoBus bus;
  Recorder a, b;
  REQUIRE(bus.add(0x3f8, 8, &a, "uart").is_ok());
  REQUIRE(bus.add(0x500, 8, &b, "control").is_ok());
  uint8_t v[4] = {};
  CHECK(bus.read(0x3fd, {v, 1}));
  CHECK(a.last_offset == 5);
  CHECK(v[0] == 0x42);
  CHECK(bus.write(0x504, v));
  CHECK(b.last_offset == 4);
  CHECK(b.last_size == 4);
  CHECK_FALSE(bus.read(0x400, {v, 1}));
  CHECK_FALSE(bus.read(0x3f7, {v, 1}));
  CHECK_FALSE(bus.write(0x508, v));
}

TEST_CASE("io bus: overlapping ranges are refused", "[hv][bus]") {
  IoBus bus;
  Recorder a;
  REQUIRE(bus.add(0x100, 0x10, &a, "a").is_ok());
  CHECK_THAT(bus.add(0x108, 0x10, &a, "b").message(), Catch::Contains("overlaps a"));
  CHECK_THAT(bus.add(0xf8, 0x10, &a, "c").message(), Catch::Contains("overlaps a"));
  CHECK(bus.add(0x110, 0x10, &a, "d").is_ok());
  CHECK(bus.add(0xf0, 0x10, &a, "e").is_ok());
  CHECK_FALSE(bus.add(0x200, 0, &a, "empty").is_ok());
}
