// Parsing a Linux bzImage: the setup header of the x86 boot protocol
// (Documentation/arch/x86/boot.rst). Pure: bytes in, facts or a reason out,
// so the parser is fuzzed on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"

namespace strata::hv::boot {

// Offsets inside the image (and inside boot_params, which embeds the header).
constexpr size_t kSetupHeaderOffset = 0x1f1;  // struct setup_header starts here
constexpr size_t kSetupHeaderMaxEnd = 0x290;  // boot_params fields resume after this
constexpr uint16_t kBootFlag = 0xaa55;        // at 0x1fe
constexpr uint32_t kHeaderMagic = 0x53726448; // "HdrS" at 0x202
constexpr uint16_t kMinProtocol = 0x020c;     // 2.12: xloadflags says whether a 64-bit entry exists
constexpr uint8_t kLoadedHigh = 0x01;         // loadflags: protected-mode code loads at 1 MiB or above
constexpr uint16_t kXlfKernel64 = 0x0001;     // xloadflags: 64-bit entry at load address + 0x200
constexpr uint64_t kEntry64Offset = 0x200;    // startup_64 relative to the load address

struct BzImage {
  uint16_t protocol = 0;            // boot protocol version, e.g. 0x020f
  uint8_t setup_sects = 0;          // 512-byte real-mode setup sectors (after the boot sector)
  uint8_t loadflags = 0;            // LOADED_HIGH and friends
  uint16_t xloadflags = 0;          // XLF_KERNEL_64 and friends
  uint32_t initrd_addr_max = 0;     // highest address the initrd may end at (inclusive)
  uint32_t cmdline_size = 0;        // longest command line, without the NUL
  uint32_t kernel_alignment = 0;    // alignment a relocatable kernel must be loaded at
  bool relocatable = false;         // may load anywhere aligned to kernel_alignment
  uint64_t pref_address = 0;        // where a non-relocatable kernel must load
  uint32_t init_size = 0;           // bytes the kernel needs from its load address while booting
  size_t kernel_offset = 0;         // where the protected-mode kernel starts in the file
  size_t kernel_size = 0;           // its length in bytes
  std::vector<uint8_t> setup_header;  // image bytes [0x1f1, header end): copied into the zero page
};

// Reads and checks the header. Errors say what is wrong with the image
// ("not a bzImage: no HdrS magic at 0x202").
Result<BzImage> parse_bzimage(std::span<const uint8_t> image);

}  // namespace strata::hv::boot
