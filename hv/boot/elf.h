// Loading a flat, statically linked x86-64 ELF executable (the test guest and
// other small guests): PT_LOAD segments at their physical addresses, entered in
// 64-bit mode with RDI = command line address and RSI = RAM size.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "hv/guest_memory.h"

namespace strata::hv::boot {

struct ElfSegment {
  uint64_t file_offset = 0;  // where the segment's bytes start in the file
  uint64_t file_size = 0;    // bytes copied from the file
  uint64_t paddr = 0;        // guest-physical load address
  uint64_t mem_size = 0;     // bytes in memory; the tail past file_size is zeroed (.bss)
  bool executable = false;   // PF_X
};

struct ElfImage {
  uint64_t entry = 0;                // guest-physical entry point
  std::vector<ElfSegment> segments;  // PT_LOAD segments, in file order
};

constexpr size_t kMaxElfSegments = 64;  // small guests have a handful

// Checks the ELF header and program headers. Pure: fuzzed on its own.
Result<ElfImage> parse_elf(std::span<const uint8_t> bytes);

// Copies the segments into guest memory; every segment must lie inside RAM
// above layout::kHighRamStart.
Status load_elf(GuestMemory& mem, std::span<const uint8_t> bytes, const ElfImage& image);

}  // namespace strata::hv::boot
