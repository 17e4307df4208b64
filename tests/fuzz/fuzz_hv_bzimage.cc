// strata-hv's bzImage path: header parsing, then loading into guest memory
// (kernel placement, initrd at the top of RAM, command line, zero page) for
// whatever the parser accepts. The tail of the input doubles as the initrd.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "hv/boot/bzimage.h"
#include "hv/boot/linux.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::hv;
  static GuestMemory mem = [] {
    auto m = GuestMemory::create(32 << 20);
    if (!m) __builtin_trap();
    return std::move(*m);
  }();
  std::span<const uint8_t> image(data, size);
  auto kernel = boot::parse_bzimage(image);
  if (!kernel) return 0;
  std::span<const uint8_t> initrd = image.subspan(size / 2);
  std::string cmdline(reinterpret_cast<const char*>(data), std::min<size_t>(size, 64));
  (void)boot::load_linux(mem, *kernel, image, initrd, cmdline);
  return 0;
}
