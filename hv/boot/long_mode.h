// What the boot vCPU needs to start in 64-bit long mode: a flat GDT, an
// identity map of the low 4 GiB in 2 MiB pages, and the matching control
// registers. Both Linux's 64-bit entry (boot protocol 2.12+) and ELF guests
// start this way, so neither needs real-mode or 32-bit trampolines.
#pragma once

#include <linux/kvm.h>

#include <cstdint>

#include "base/status.h"
#include "hv/guest_memory.h"

namespace strata::hv::boot {

// GDT entries in the layout::kGdt table, by index (selector = index * 8).
constexpr uint64_t kGdtNull = 0;
constexpr uint64_t kGdtCode64 = 0x00af9b000000ffffull;  // present, DPL0, exec/read, L=1, G=1
constexpr uint64_t kGdtData = 0x00cf93000000ffffull;    // present, DPL0, read/write, D/B=1, G=1
constexpr uint64_t kGdtTss = 0x00008b0000000067ull;     // present, busy 64-bit TSS, limit 0x67
constexpr int kGdtEntries = 5;                          // null, null, code, data, TSS

// Control-register bits used to enter long mode.
constexpr uint64_t kCr0Pe = 1ull << 0;      // protected mode
constexpr uint64_t kCr0Et = 1ull << 4;      // extension type (always 1 on modern CPUs)
constexpr uint64_t kCr0Pg = 1ull << 31;     // paging
constexpr uint64_t kCr4Pae = 1ull << 5;     // physical address extension, required for long mode
constexpr uint64_t kEferLme = 1ull << 8;    // long mode enable
constexpr uint64_t kEferLma = 1ull << 10;   // long mode active

// Page-table entry bits.
constexpr uint64_t kPtePresent = 1ull << 0;
constexpr uint64_t kPteWritable = 1ull << 1;
constexpr uint64_t kPteHuge = 1ull << 7;  // in a page directory: a 2 MiB page

// Writes the GDT and the identity-mapping page tables into guest memory.
Status write_boot_tables(GuestMemory& mem);

// Fills the segment, descriptor-table and control registers of `sregs` for
// 64-bit mode with the tables of write_boot_tables(). Other fields are kept.
void set_long_mode_sregs(kvm_sregs& sregs);

}  // namespace strata::hv::boot
