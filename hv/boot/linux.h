// Loading a Linux bzImage for its 64-bit entry: the protected-mode kernel at
// its load address, the initrd at the top of RAM, the command line, and the
// zero page (boot_params) with the setup header, e820 map and pointers.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/status.h"
#include "hv/boot/bzimage.h"
#include "hv/guest_memory.h"

namespace strata::hv::boot {

// Offsets in boot_params (the zero page) that strata-hv fills.
namespace zero_page {
constexpr uint64_t kE820Entries = 0x1e8;    // u8: number of e820 entries
constexpr uint64_t kVidMode = 0x1fa;        // u16: 0xffff = "normal"
constexpr uint64_t kTypeOfLoader = 0x210;   // u8: 0xff = a loader without an assigned id
constexpr uint64_t kLoadflags = 0x211;      // u8
constexpr uint64_t kRamdiskImage = 0x218;   // u32: initrd address
constexpr uint64_t kRamdiskSize = 0x21c;    // u32: initrd length
constexpr uint64_t kCmdLinePtr = 0x228;     // u32: command line address
constexpr uint64_t kE820Table = 0x2d0;      // struct boot_e820_entry[128]
constexpr uint32_t kE820Ram = 1;            // e820 type: usable RAM
constexpr uint32_t kE820Reserved = 2;       // e820 type: reserved
}  // namespace zero_page

struct LinuxBoot {
  uint64_t load_address = 0;   // where the protected-mode kernel was placed
  uint64_t entry = 0;          // RIP: the 64-bit entry (load_address + 0x200)
  uint64_t zero_page = 0;      // RSI: boot_params
  uint64_t initrd_address = 0; // 0 when there is no initrd
  uint64_t initrd_size = 0;    // bytes
};

// Loads `bzimage` (and `initrd`, possibly empty) into `mem` with `cmdline`.
// Also writes nothing else: the caller sets up long mode (long_mode.h).
Result<LinuxBoot> load_linux(GuestMemory& mem, const BzImage& kernel, std::span<const uint8_t> image,
                             std::span<const uint8_t> initrd, const std::string& cmdline);

}  // namespace strata::hv::boot
