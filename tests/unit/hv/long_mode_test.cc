#include <catch2/catch.hpp>
#include <cstring>

#include "hv/boot/long_mode.h"
#include "hv/boot/mptable.h"
#include "hv/layout.h"
#include "image_builders.h"

using namespace strata::hv;
using strata::hv::test::get;

TEST_CASE("long mode: page tables identity-map 4 GiB in 2 MiB pages", "[hv][long_mode]") {
  auto mem = GuestMemory::create(8 << 20);
  REQUIRE(mem.is_ok());
  REQUIRE(boot::write_boot_tables(*mem).is_ok());
  const uint8_t* m = mem->host_base();
  uint64_t pml4e = get<uint64_t>(m + layout::kPml4);
  CHECK((pml4e & ~0xfffull) == layout::kPdpt);
  CHECK((pml4e & 3) == 3);
  CHECK(get<uint64_t>(m + layout::kPml4 + 8) == 0);  // nothing above 512 GiB
  // Walk a few addresses the way the MMU would.
  for (uint64_t va : {0x0ull, 0x100000ull, 0x7fe00000ull, 0xd0000000ull, 0xfffff000ull}) {
    uint64_t pdpte = get<uint64_t>(m + layout::kPdpt + ((va >> 30) & 511) * 8);
    REQUIRE((pdpte & 1) == 1);
    uint64_t pde = get<uint64_t>(m + (pdpte & ~0xfffull) + ((va >> 21) & 511) * 8);
    CHECK((pde & boot::kPteHuge) != 0);
    CHECK((pde & boot::kPtePresent) != 0);
    CHECK((pde & ~0x1fffffull) + (va & 0x1fffff) == va);
  }
  CHECK(layout::kPageDirs + 4 * 0x1000 <= layout::kPageTablesEnd);
}

TEST_CASE("long mode: GDT holds the boot code, data and TSS descriptors", "[hv][long_mode]") {
  auto mem = GuestMemory::create(8 << 20);
  REQUIRE(mem.is_ok());
  REQUIRE(boot::write_boot_tables(*mem).is_ok());
  const uint8_t* gdt = mem->host_base() + layout::kGdt;
  CHECK(get<uint64_t>(gdt + layout::kCodeSelector) == boot::kGdtCode64);
  CHECK(get<uint64_t>(gdt + layout::kDataSelector) == boot::kGdtData);
  CHECK(get<uint64_t>(gdt + layout::kTssSelector) == boot::kGdtTss);
}

TEST_CASE("long mode: special registers enter 64-bit mode with Linux's boot selectors", "[hv][long_mode]") {
  kvm_sregs s{};
  boot::set_long_mode_sregs(s);
  CHECK(s.cs.selector == 0x10);
  CHECK(s.cs.l == 1);
  CHECK(s.cs.db == 0);  // L=1 requires D=0
  CHECK(s.cs.present == 1);
  CHECK(s.cs.type == 0xb);
  CHECK(s.ds.selector == 0x18);
  CHECK(s.ss.selector == 0x18);
  CHECK(s.ds.limit == 0xffffffff);
  CHECK(s.tr.selector == 0x20);
  CHECK(s.tr.type == 0xb);
  CHECK((s.cr0 & (boot::kCr0Pe | boot::kCr0Pg)) == (boot::kCr0Pe | boot::kCr0Pg));
  CHECK(s.cr3 == layout::kPml4);
  CHECK((s.cr4 & boot::kCr4Pae) != 0);
  CHECK(s.efer == (boot::kEferLme | boot::kEferLma));
  CHECK(s.gdt.base == layout::kGdt);
  CHECK(s.gdt.limit == boot::kGdtEntries * 8 - 1);
}

TEST_CASE("layout: boot structures do not overlap and virtio IRQs skip the RTC", "[hv][layout]") {
  CHECK(layout::kGdt + boot::kGdtEntries * 8 <= layout::kZeroPage);
  CHECK(layout::kZeroPage + 4096 <= layout::kPml4);
  CHECK(layout::kPageTablesEnd <= layout::kCmdline);
  CHECK(layout::kCmdline + layout::kCmdlineMax <= layout::kElfStackTop - 0x10000);
  CHECK(layout::kElfStackTop <= layout::kLowRamEnd);
  CHECK(GuestMemory::kMaxBytes <= layout::kMmioBase);
  for (uint32_t i = 0; i < layout::kMaxVirtioDevices; ++i) {
    CHECK(layout::virtio_irq(i) != 8);
    CHECK(layout::virtio_irq(i) != layout::kUartIrq);
    CHECK(layout::virtio_irq(i) < 16);
  }
  CHECK(layout::virtio_mmio_base(1) == 0xd0001000);
}

TEST_CASE("mptable: checksummed floating pointer and table listing every CPU", "[hv][mptable]") {
  auto mem = GuestMemory::create(4 << 20);
  REQUIRE(mem.is_ok());
  REQUIRE(boot::write_mptable(*mem, 4).is_ok());
  const uint8_t* fp = mem->host_base() + boot::kMpTableAddress;
  CHECK(std::memcmp(fp, "_MP_", 4) == 0);
  CHECK(boot::mp_checksum(fp, 16) == 0);
  uint32_t table = get<uint32_t>(fp + 4);
  const uint8_t* t = mem->host_base() + table;
  CHECK(std::memcmp(t, "PCMP", 4) == 0);
  uint16_t length = get<uint16_t>(t + 4);
  CHECK(boot::mp_checksum(t, length) == 0);
  uint16_t count = get<uint16_t>(t + 34);
  CHECK(count == 4 + 1 + 1 + 16 + 2);
  CHECK(get<uint32_t>(t + 36) == boot::kLapicAddress);
  // Walk the entries: 4 processors (the first is the BSP), one IOAPIC with id 4.
  const uint8_t* e = t + 44;
  int cpus = 0, bsps = 0, ioapics = 0;
  for (uint16_t i = 0; i < count; ++i) {
    if (e[0] == 0) {
      CHECK(e[1] == cpus);
      ++cpus;
      bsps += (e[3] & 2) ? 1 : 0;
      e += 20;
    } else {
      if (e[0] == 2) {
        ++ioapics;
        CHECK(e[1] == 4);
        CHECK(get<uint32_t>(e + 4) == boot::kIoapicAddress);
      }
      e += 8;
    }
  }
  CHECK(e == t + length);
  CHECK(cpus == 4);
  CHECK(bsps == 1);
  CHECK(ioapics == 1);
}

TEST_CASE("mptable: CPU counts are bounded", "[hv][mptable]") {
  auto mem = GuestMemory::create(4 << 20);
  REQUIRE(mem.is_ok());
  CHECK(boot::write_mptable(*mem, 64).is_ok());
  CHECK_FALSE(boot::write_mptable(*mem, 0).is_ok());
  CHECK_FALSE(boot::write_mptable(*mem, 255).is_ok());
}
