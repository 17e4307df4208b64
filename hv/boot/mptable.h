// An Intel MultiProcessor Specification 1.4 table: how a Linux guest without
// ACPI learns its CPUs (so --vcpus N gives it N CPUs), the IOAPIC, and how the
// ISA interrupts are wired to it. Written at 0xf0000, inside the BIOS area
// Linux scans, which strata-hv's e820 map keeps reserved.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "hv/guest_memory.h"

namespace strata::hv::boot {

constexpr uint64_t kMpTableAddress = 0xf0000;   // floating pointer; the config table follows it
constexpr uint64_t kMpTableLimit = 0x100000;    // end of the BIOS area
constexpr uint64_t kLapicAddress = 0xfee00000;  // the local APICs, as on every PC
constexpr uint64_t kIoapicAddress = 0xfec00000; // KVM's in-kernel IOAPIC
constexpr uint32_t kMpMaxCpus = 254;            // APIC ids 0..253, the IOAPIC takes the next one

// Writes the floating pointer and the configuration table for `cpus` CPUs
// (APIC ids 0..cpus-1, CPU 0 the bootstrap processor) and ISA IRQs 0-15
// routed to IOAPIC pins 0-15 (KVM's default GSI routing).
Status write_mptable(GuestMemory& mem, uint32_t cpus);

// Byte sum of [p, p+len): 0 for a correctly checksummed MP structure.
uint8_t mp_checksum(const uint8_t* p, uint64_t len);

}  // namespace strata::hv::boot
