// The guest-physical memory map every strata-hv guest sees. One place, so the
// loaders, the page tables and the device model agree (and tests can check
// that nothing overlaps).
//
//   0x0000_0500  GDT (boot code, data and TSS descriptors)
//   0x0000_7000  zero page (Linux boot_params)
//   0x0000_9000  PML4, then one PDPT and four page directories (identity map of 4 GiB)
//   0x0002_0000  kernel command line
//   0x0008_0000  initial stack top for ELF guests (grows down)
//   0x000f_0000  MP table (boot/mptable.h), in the reserved BIOS area
//   0x0010_0000  kernel / ELF image (1 MiB and up)
//   top of RAM   initrd (Linux), page-aligned, below initrd_addr_max
//   0xd000_0000  virtio-mmio devices, 4 KiB apart
#pragma once

#include <cstdint>

namespace strata::hv::layout {

constexpr uint64_t kGdt = 0x500;               // GDT: null, null, code64, data, TSS
constexpr uint64_t kZeroPage = 0x7000;         // Linux boot_params ("zero page")
constexpr uint64_t kPml4 = 0x9000;             // page-map level 4
constexpr uint64_t kPdpt = 0xa000;             // one page-directory-pointer table
constexpr uint64_t kPageDirs = 0xb000;         // four page directories, 2 MiB pages
constexpr uint64_t kPageTablesEnd = 0xf000;    // end of the page-table area
constexpr uint64_t kCmdline = 0x20000;         // NUL-terminated command line
constexpr uint64_t kCmdlineMax = 0x10000;      // bytes reserved for the command line
constexpr uint64_t kElfStackTop = 0x80000;     // RSP for ELF guests
constexpr uint64_t kLowRamEnd = 0x9fc00;       // end of conventional RAM in the e820 map
constexpr uint64_t kHighRamStart = 0x100000;   // 1 MiB: kernels and ELF images load here and above
constexpr uint64_t kMmioBase = 0xd0000000;     // first virtio-mmio device
constexpr uint64_t kMmioStride = 0x1000;       // one page per virtio-mmio device
constexpr uint64_t kIdentityMapped = 4ull << 30;  // the boot page tables map [0, 4 GiB)

// Selectors of the boot GDT. Linux's 64-bit boot protocol wants __BOOT_CS = 0x10
// and __BOOT_DS = 0x18; ELF guests get the same.
constexpr uint16_t kCodeSelector = 0x10;
constexpr uint16_t kDataSelector = 0x18;
constexpr uint16_t kTssSelector = 0x20;

// Legacy IRQ lines (GSIs) of the in-kernel PIC/IOAPIC.
constexpr uint32_t kUartIrq = 4;         // COM1, as every PC has it
constexpr uint32_t kFirstVirtioIrq = 5;  // virtio-mmio device i uses kFirstVirtioIrq + i
constexpr uint32_t kMaxVirtioDevices = 6;  // --net at most this many times (IRQs 5-7, 9-11)

// IRQ of virtio-mmio device `index`: 5, 6, 7, 9, 10, 11 (8 is the RTC).
constexpr uint32_t virtio_irq(uint32_t index) {
  uint32_t irq = kFirstVirtioIrq + index;
  return irq >= 8 ? irq + 1 : irq;
}
constexpr uint64_t virtio_mmio_base(uint32_t index) { return kMmioBase + index * kMmioStride; }

}  // namespace strata::hv::layout
