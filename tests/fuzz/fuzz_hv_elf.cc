// strata-hv's ELF path: header and program-header checks, then loading the
// accepted segments into guest memory.
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/boot/elf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::hv;
  static GuestMemory mem = [] {
    auto m = GuestMemory::create(32 << 20);
    if (!m) __builtin_trap();
    return std::move(*m);
  }();
  std::span<const uint8_t> bytes(data, size);
  auto image = boot::parse_elf(bytes);
  if (!image) return 0;
  (void)boot::load_elf(mem, bytes, *image);
  return 0;
}
