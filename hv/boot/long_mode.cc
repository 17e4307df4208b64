#include "hv/boot/long_mode.h"

#include "hv/layout.h"

namespace strata::hv::boot {
namespace {

// A kvm_segment equivalent to what loading `selector` from the boot GDT
// would give: KVM takes the hidden part of segment registers directly.
kvm_segment segment_from_gdt(uint64_t entry, uint16_t selector) {
  kvm_segment s{};
  s.base = ((entry >> 16) & 0xffffff) | (((entry >> 56) & 0xff) << 24);
  uint32_t limit = uint32_t((entry & 0xffff) | (((entry >> 48) & 0xf) << 16));
  s.g = (entry >> 55) & 1;
  s.limit = s.g ? (limit << 12) | 0xfff : limit;
  s.selector = selector;
  s.type = (entry >> 40) & 0xf;
  s.s = (entry >> 44) & 1;
  s.dpl = (entry >> 45) & 3;
  s.present = (entry >> 47) & 1;
  s.avl = (entry >> 52) & 1;
  s.l = (entry >> 53) & 1;
  s.db = (entry >> 54) & 1;
  s.unusable = s.present ? 0 : 1;
  return s;
}

}  // namespace

Status write_boot_tables(GuestMemory& mem) {
  const uint64_t gdt[kGdtEntries] = {kGdtNull, kGdtNull, kGdtCode64, kGdtData, kGdtTss};
  STRATA_RETURN_IF_ERROR(mem.write_obj(layout::kGdt, gdt));

  // PML4[0] -> PDPT; PDPT[i] -> page directory i; each directory maps 1 GiB
  // in 512 pages of 2 MiB. Four directories cover the MMIO window below 4 GiB.
  STRATA_RETURN_IF_ERROR(mem.fill(layout::kPml4, 0, layout::kPageTablesEnd - layout::kPml4));
  STRATA_RETURN_IF_ERROR(mem.write_obj(layout::kPml4, uint64_t{layout::kPdpt | kPtePresent | kPteWritable}));
  for (uint64_t dir = 0; dir < 4; ++dir) {
    uint64_t pd = layout::kPageDirs + dir * 0x1000;
    STRATA_RETURN_IF_ERROR(mem.write_obj(layout::kPdpt + dir * 8, uint64_t{pd | kPtePresent | kPteWritable}));
    for (uint64_t i = 0; i < 512; ++i) {
      uint64_t phys = (dir << 30) | (i << 21);
      STRATA_RETURN_IF_ERROR(mem.write_obj(pd + i * 8, uint64_t{phys | kPtePresent | kPteWritable | kPteHuge}));
    }
  }
  return Status::ok();
}

void set_long_mode_sregs(kvm_sregs& sregs) {
  sregs.gdt.base = layout::kGdt;
  sregs.gdt.limit = kGdtEntries * 8 - 1;
  // No IDT: guests install their own before enabling interrupts; until then
  // any exception triple-faults, which the shim reports as a crash.
  sregs.idt.base = 0;
  sregs.idt.limit = 0;

  sregs.cs = segment_from_gdt(kGdtCode64, layout::kCodeSelector);
  kvm_segment data = segment_from_gdt(kGdtData, layout::kDataSelector);
  sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
  sregs.tr = segment_from_gdt(kGdtTss, layout::kTssSelector);

  sregs.cr0 = kCr0Pe | kCr0Et | kCr0Pg;
  sregs.cr3 = layout::kPml4;
  sregs.cr4 = kCr4Pae;
  sregs.efer = kEferLme | kEferLma;
}

}  // namespace strata::hv::boot
