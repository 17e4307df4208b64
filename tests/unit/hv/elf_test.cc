#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "hv/boot/elf.h"
#include "image_builders.h"

using namespace strata::hv;
using namespace strata::hv::test;

TEST_CASE("elf: a static executable parses and loads, .bss zeroed", "[hv][elf]") {
  auto img = make_elf(0x200000, {1, 2, 3, 4}, 100);
  auto e = boot::parse_elf(img);
  REQUIRE(e.is_ok());
  CHECK(e->entry == 0x200000);
  REQUIRE(e->segments.size() == 1);
  CHECK(e->segments[0].paddr == 0x200000);
  CHECK(e->segments[0].file_size == 4);
  CHECK(e->segments[0].mem_size == 104);
  CHECK(e->segments[0].executable);
  auto mem = GuestMemory::create(4 << 20);
  REQUIRE(mem.is_ok());
  std::memset(mem->host_base() + 0x200000, 0xee, 200);
  REQUIRE(boot::load_elf(*mem, img, *e).is_ok());
  const uint8_t* m = mem->host_base() + 0x200000;
  CHECK(m[0] == 1);
  CHECK(m[3] == 4);
  CHECK(m[4] == 0);
  CHECK(m[103] == 0);
  CHECK(m[104] == 0xee);  // untouched past mem_size
}

TEST_CASE("elf: malformed files are refused with a reason", "[hv][elf]") {
  auto reason = [](std::vector<uint8_t> img) { return boot::parse_elf(img).status().message(); };
  CHECK_THAT(reason({0x7f, 'E'}), Catch::Contains("too short"));
  auto img = make_elf();
  img[1] = 'X';
  CHECK_THAT(reason(img), Catch::Contains("bad magic"));
  img = make_elf();
  img[EI_CLASS] = ELFCLASS32;
  CHECK_THAT(reason(img), Catch::Contains("64-bit"));
  img = make_elf();
  ehdr(img)->e_machine = EM_AARCH64;
  CHECK_THAT(reason(img), Catch::Contains("not for x86-64"));
  img = make_elf();
  ehdr(img)->e_type = ET_DYN;
  CHECK_THAT(reason(img), Catch::Contains("ET_EXEC"));
  img = make_elf();
  ehdr(img)->e_phoff = 1 << 20;
  CHECK_THAT(reason(img), Catch::Contains("program headers run past"));
  img = make_elf();
  ehdr(img)->e_phnum = 0xffff;
  CHECK_THAT(reason(img), Catch::Contains("program headers run past"));
  img = make_elf();
  phdr(img)->p_filesz = 1 << 20;
  CHECK_THAT(reason(img), Catch::Contains("past the end of the file"));
  img = make_elf();
  phdr(img)->p_offset = ~0ull - 2;  // offset + size would wrap
  CHECK_THAT(reason(img), Catch::Contains("past the end of the file"));
  img = make_elf();
  phdr(img)->p_memsz = 1;
  CHECK_THAT(reason(img), Catch::Contains("more file bytes"));
  img = make_elf(0x1000);
  CHECK_THAT(reason(img), Catch::Contains("below 1 MiB"));
  img = make_elf();
  phdr(img)->p_memsz = ~0ull;
  CHECK_THAT(reason(img), Catch::Contains("reaches past"));
  img = make_elf();
  ehdr(img)->e_entry = 0x900000;
  CHECK_THAT(reason(img), Catch::Contains("entry point"));
  img = make_elf();
  phdr(img)->p_flags = PF_R;
  CHECK_THAT(reason(img), Catch::Contains("not inside an executable segment"));
  img = make_elf();
  phdr(img)->p_type = PT_NOTE;
  CHECK_THAT(reason(img), Catch::Contains("no loadable"));
}

TEST_CASE("elf: a segment beyond guest memory is refused at load", "[hv][elf]") {
  auto img = make_elf(0x300000);
  auto e = boot::parse_elf(img);
  REQUIRE(e.is_ok());
  auto mem = GuestMemory::create(2 << 20);
  REQUIRE(mem.is_ok());
  CHECK_THAT(boot::load_elf(*mem, img, *e).message(), Catch::Contains("raise --memory"));
}

TEST_CASE("elf: the project's test guest parses", "[hv][elf]") {
  std::ifstream in(STRATA_TEST_GUEST_ELF, std::ios::binary);
  REQUIRE(in.good());
  std::vector<uint8_t> img((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto e = boot::parse_elf(img);
  REQUIRE(e.is_ok());
  CHECK(e->entry == 0x100000);
  auto mem = GuestMemory::create(16 << 20);
  REQUIRE(mem.is_ok());
  CHECK(boot::load_elf(*mem, img, *e).is_ok());
}

TEST_CASE("guest memory: size limits and bounds checks", "[hv][memory]") {
  CHECK_THAT(GuestMemory::create(4096ull << 20).status().message(), Catch::Contains("too much"));
  CHECK_FALSE(GuestMemory::create(1000).is_ok());
  auto mem = GuestMemory::create(1 << 20);
  REQUIRE(mem.is_ok());
  CHECK(mem->contains(0, 1 << 20));
  CHECK_FALSE(mem->contains(1, 1 << 20));
  CHECK_FALSE(mem->contains(~0ull, 2));  // no wrap-around
  CHECK(mem->host_ptr((1 << 20) - 4, 8) == nullptr);
  uint8_t b[4] = {1, 2, 3, 4};
  CHECK_FALSE(mem->write((1 << 20) - 2, b).is_ok());
  CHECK(mem->fd() >= 0);
}
