#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "hv/boot/bzimage.h"
#include "image_builders.h"

using namespace strata::hv;
using strata::hv::test::make_bzimage;
using strata::hv::test::put;

TEST_CASE("bzimage: a valid header is read field by field", "[hv][bzimage]") {
  auto img = make_bzimage(3, 5000);
  auto k = boot::parse_bzimage(img);
  REQUIRE(k.is_ok());
  CHECK(k->protocol == 0x020f);
  CHECK(k->setup_sects == 3);
  CHECK(k->kernel_offset == 4 * 512);
  CHECK(k->kernel_size == 5000);
  CHECK(k->relocatable);
  CHECK(k->kernel_alignment == 0x200000);
  CHECK(k->cmdline_size == 2047);
  CHECK(k->init_size == 0x100000);
  CHECK(k->pref_address == 0x1000000);
  CHECK(k->setup_header.size() == 0x268 - 0x1f1);
  CHECK(k->setup_header[0] == 3);  // starts at setup_sects
}

TEST_CASE("bzimage: setup_sects 0 means 4", "[hv][bzimage]") {
  auto img = make_bzimage(4);
  img[0x1f1] = 0;
  auto k = boot::parse_bzimage(img);
  REQUIRE(k.is_ok());
  CHECK(k->kernel_offset == 5 * 512);
}

TEST_CASE("bzimage: malformed images are refused with a reason", "[hv][bzimage]") {
  auto reason = [](std::vector<uint8_t> img) { return boot::parse_bzimage(img).status().message(); };
  CHECK_THAT(reason(std::vector<uint8_t>(100)), Catch::Contains("too short"));
  auto img = make_bzimage();
  img[0x1fe] = 0;
  CHECK_THAT(reason(img), Catch::Contains("0xAA55"));
  img = make_bzimage();
  img[0x202] = 'X';
  CHECK_THAT(reason(img), Catch::Contains("HdrS"));
  img = make_bzimage();
  put<uint16_t>(img, 0x206, 0x0209);
  CHECK_THAT(reason(img), Catch::Contains("boot protocol 2.9"));
  img = make_bzimage();
  img[0x211] = 0;
  CHECK_THAT(reason(img), Catch::Contains("zImage"));
  img = make_bzimage();
  put<uint16_t>(img, 0x236, 0);
  CHECK_THAT(reason(img), Catch::Contains("64-bit entry"));
  img = make_bzimage();
  put<uint32_t>(img, 0x230, 0x3000);
  CHECK_THAT(reason(img), Catch::Contains("kernel_alignment"));
  img = make_bzimage();
  img[0x201] = 0xff;
  CHECK_THAT(reason(img), Catch::Contains("setup header claims"));
  img = make_bzimage(1, 0);
  img[0x201] = 0x8e;  // header to 0x290, file only 0x264 bytes: found by fuzz_hv_bzimage
  img.resize(0x264);
  CHECK_THAT(reason(img), Catch::Contains("setup header ends at 0x290"));
  img = make_bzimage(1, 0);
  img[0x1f1] = 200;
  CHECK_THAT(reason(img), Catch::Contains("truncated"));
}

TEST_CASE("bzimage: Debian's installed kernel parses", "[hv][bzimage]") {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string path;
  for (const auto& e : fs::directory_iterator("/boot", ec)) {
    if (e.path().filename().string().rfind("vmlinuz-", 0) == 0) path = e.path();
  }
  if (path.empty()) {
    WARN("no /boot/vmlinuz-*: skipped (apt-get install linux-image-amd64)");
    return;
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> img((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto k = boot::parse_bzimage(img);
  REQUIRE(k.is_ok());
  CHECK(k->protocol >= 0x020c);
  CHECK(k->relocatable);
  CHECK(k->kernel_size > 1000000);
}
