#include <catch2/catch.hpp>

#include "hv/boot/linux.h"
#include "hv/layout.h"
#include "image_builders.h"

using namespace strata::hv;
using strata::hv::test::get;
using strata::hv::test::make_bzimage;
using strata::hv::test::put;

namespace {
struct Loaded {
  GuestMemory mem;
  boot::LinuxBoot boot;
};
Loaded load(uint64_t mem_mib, std::vector<uint8_t> initrd = {}, std::string cmdline = "console=ttyS0") {
  auto mem = GuestMemory::create(mem_mib << 20);
  REQUIRE(mem.is_ok());
  auto img = make_bzimage(1, 8192);
  auto k = boot::parse_bzimage(img);
  REQUIRE(k.is_ok());
  auto b = boot::load_linux(*mem, *k, img, initrd, cmdline);
  REQUIRE(b.is_ok());
  return {std::move(*mem), *b};
}
}  // namespace

TEST_CASE("linux boot: a relocatable kernel loads at its alignment above 1 MiB", "[hv][linux]") {
  auto l = load(32);
  CHECK(l.boot.load_address == 0x200000);
  CHECK(l.boot.entry == 0x200200);  // startup_64
  CHECK(l.boot.zero_page == layout::kZeroPage);
  CHECK(l.mem.host_base()[0x200000] == 0xab);
  CHECK(l.mem.host_base()[0x200000 + 8191] == 0xab);
}

TEST_CASE("linux boot: zero page carries the loader's answers", "[hv][linux]") {
  auto l = load(32, {}, "console=ttyS0 quiet");
  const uint8_t* zp = l.mem.host_base() + layout::kZeroPage;
  CHECK(zp[boot::zero_page::kTypeOfLoader] == 0xff);
  CHECK(get<uint16_t>(zp + boot::zero_page::kVidMode) == 0xffff);
  CHECK((zp[boot::zero_page::kLoadflags] & 0x01) == 0x01);
  CHECK(get<uint32_t>(zp + boot::zero_page::kCmdLinePtr) == layout::kCmdline);
  CHECK(std::string(reinterpret_cast<const char*>(l.mem.host_base() + layout::kCmdline)) == "console=ttyS0 quiet");
  CHECK(get<uint32_t>(zp + 0x202) == 0x53726448);  // the setup header was copied
  CHECK(get<uint32_t>(zp + boot::zero_page::kRamdiskImage) == 0);
}

TEST_CASE("linux boot: e820 map has low RAM, the legacy hole and high RAM", "[hv][linux]") {
  auto l = load(64);
  const uint8_t* zp = l.mem.host_base() + layout::kZeroPage;
  REQUIRE(zp[boot::zero_page::kE820Entries] == 3);
  const uint8_t* e = zp + boot::zero_page::kE820Table;
  CHECK(get<uint64_t>(e) == 0);
  CHECK(get<uint64_t>(e + 8) == layout::kLowRamEnd);
  CHECK(get<uint32_t>(e + 16) == boot::zero_page::kE820Ram);
  CHECK(get<uint32_t>(e + 20 + 16) == boot::zero_page::kE820Reserved);
  CHECK(get<uint64_t>(e + 40) == 0x100000);
  CHECK(get<uint64_t>(e + 40 + 8) == (64ull << 20) - 0x100000);
  CHECK(get<uint32_t>(e + 40 + 16) == boot::zero_page::kE820Ram);
}

TEST_CASE("linux boot: the initrd goes page-aligned to the top of RAM", "[hv][linux]") {
  std::vector<uint8_t> initrd(10000, 0x5a);
  auto l = load(32, initrd);
  uint64_t end = 32ull << 20;
  CHECK(l.boot.initrd_address % 4096 == 0);
  CHECK(l.boot.initrd_address + initrd.size() <= end);
  CHECK(l.boot.initrd_address + initrd.size() > end - 4096);
  const uint8_t* zp = l.mem.host_base() + layout::kZeroPage;
  CHECK(get<uint32_t>(zp + boot::zero_page::kRamdiskImage) == l.boot.initrd_address);
  CHECK(get<uint32_t>(zp + boot::zero_page::kRamdiskSize) == initrd.size());
  CHECK(l.mem.host_base()[l.boot.initrd_address] == 0x5a);
}

TEST_CASE("linux boot: too little memory, oversized initrd or command line are refused", "[hv][linux]") {
  auto img = make_bzimage(1, 8192);
  put<uint32_t>(img, 0x260, 64u << 20);  // init_size 64 MiB
  auto k = boot::parse_bzimage(img);
  REQUIRE(k.is_ok());
  auto mem = GuestMemory::create(16 << 20);
  REQUIRE(mem.is_ok());
  auto r = boot::load_linux(*mem, *k, img, {}, "");
  CHECK_THAT(r.status().message(), Catch::Contains("too small for this kernel") && Catch::Contains("raise --memory"));

  img = make_bzimage(1, 8192);
  k = boot::parse_bzimage(img);
  std::vector<uint8_t> big(15 << 20);
  r = boot::load_linux(*mem, *k, img, big, "");
  CHECK_THAT(r.status().message(), Catch::Contains("initrd of 15 MiB does not fit"));
  r = boot::load_linux(*mem, *k, img, {}, std::string(3000, 'x'));
  CHECK_THAT(r.status().message(), Catch::Contains("at most 2047"));
}
