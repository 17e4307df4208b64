#include "hv/boot/mptable.h"

#include <cstring>
#include <string>
#include <vector>

namespace strata::hv::boot {
namespace {

// Entry types and constants of the MP specification, table 4-3 and onwards.
constexpr uint8_t kEntryProcessor = 0, kEntryBus = 1, kEntryIoapic = 2, kEntryIoInterrupt = 3, kEntryLocalInterrupt = 4;
constexpr uint8_t kIntTypeInt = 0, kIntTypeNmi = 1, kIntTypeExtInt = 3;
constexpr uint8_t kCpuEnabled = 1, kCpuBootstrap = 2;
constexpr uint8_t kSpecRevision = 4;   // 1.4
constexpr uint8_t kLapicVersion = 0x14;
constexpr uint8_t kIoapicVersion = 0x11;

class Writer {
 public:
  template <typename T>
  void put(T v) {
    uint8_t b[sizeof(T)];
    std::memcpy(b, &v, sizeof v);
    bytes_.insert(bytes_.end(), b, b + sizeof b);
  }
  void put_text(const char* s, size_t n) {  // space-padded, not NUL-terminated
    for (size_t i = 0; i < n; ++i) bytes_.push_back(*s ? uint8_t(*s++) : ' ');
  }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace

uint8_t mp_checksum(const uint8_t* p, uint64_t len) {
  uint8_t sum = 0;
  for (uint64_t i = 0; i < len; ++i) sum = uint8_t(sum + p[i]);
  return sum;
}

Status write_mptable(GuestMemory& mem, uint32_t cpus) {
  if (cpus == 0 || cpus > kMpMaxCpus) {
    return invalid_argument("an MP table describes 1.." + std::to_string(kMpMaxCpus) + " CPUs, not " + std::to_string(cpus));
  }
  const uint8_t ioapic_id = uint8_t(cpus);
  const uint64_t table = kMpTableAddress + 16;

  // Entries first, so the header can give their count and length.
  Writer e;
  uint16_t entries = 0;
  for (uint32_t id = 0; id < cpus; ++id, ++entries) {
    e.put<uint8_t>(kEntryProcessor);
    e.put<uint8_t>(uint8_t(id));
    e.put<uint8_t>(kLapicVersion);
    e.put<uint8_t>(kCpuEnabled | (id == 0 ? kCpuBootstrap : 0));
    e.put<uint32_t>(0x600);        // CPU signature: family 6 (informational only)
    e.put<uint32_t>(0x201);        // feature flags: FPU, APIC
    e.put<uint64_t>(0);            // reserved
  }
  e.put<uint8_t>(kEntryBus);
  e.put<uint8_t>(0);               // bus id
  e.put_text("ISA", 6);
  ++entries;
  e.put<uint8_t>(kEntryIoapic);
  e.put<uint8_t>(ioapic_id);
  e.put<uint8_t>(kIoapicVersion);
  e.put<uint8_t>(1);               // enabled
  e.put<uint32_t>(uint32_t(kIoapicAddress));
  ++entries;
  for (uint8_t irq = 0; irq < 16; ++irq, ++entries) {
    e.put<uint8_t>(kEntryIoInterrupt);
    e.put<uint8_t>(kIntTypeInt);
    e.put<uint16_t>(0);            // polarity and trigger: as the bus says (ISA: high, edge)
    e.put<uint8_t>(0);             // source bus
    e.put<uint8_t>(irq);           // source IRQ
    e.put<uint8_t>(ioapic_id);
    e.put<uint8_t>(irq);           // IOAPIC pin: KVM routes GSI n to pin n
  }
  for (uint8_t lint = 0; lint < 2; ++lint, ++entries) {
    e.put<uint8_t>(kEntryLocalInterrupt);
    e.put<uint8_t>(lint == 0 ? kIntTypeExtInt : kIntTypeNmi);
    e.put<uint16_t>(0);
    e.put<uint8_t>(0);
    e.put<uint8_t>(0);
    e.put<uint8_t>(0xff);          // every local APIC
    e.put<uint8_t>(lint);          // LINT0: the PIC's ExtINT, LINT1: NMI
  }

  Writer h;  // configuration table header, 44 bytes
  h.put_text("PCMP", 4);
  h.put<uint16_t>(uint16_t(44 + e.bytes().size()));
  h.put<uint8_t>(kSpecRevision);
  h.put<uint8_t>(0);               // checksum, fixed below
  h.put_text("STRATA", 8);
  h.put_text("STRATA-HV", 12);
  h.put<uint32_t>(0);              // no OEM table
  h.put<uint16_t>(0);
  h.put<uint16_t>(entries);
  h.put<uint32_t>(uint32_t(kLapicAddress));
  h.put<uint16_t>(0);              // no extended table
  h.put<uint8_t>(0);
  h.put<uint8_t>(0);
  std::vector<uint8_t> config = h.bytes();
  config.insert(config.end(), e.bytes().begin(), e.bytes().end());
  config[7] = uint8_t(-mp_checksum(config.data(), config.size()));

  Writer f;  // floating pointer, 16 bytes
  f.put_text("_MP_", 4);
  f.put<uint32_t>(uint32_t(table));
  f.put<uint8_t>(1);               // length in 16-byte units
  f.put<uint8_t>(kSpecRevision);
  f.put<uint8_t>(0);               // checksum, fixed below
  f.put<uint8_t>(0);               // feature 1: a configuration table is present
  f.put<uint32_t>(0);              // features 2-5
  std::vector<uint8_t> fp = f.bytes();
  fp[10] = uint8_t(-mp_checksum(fp.data(), fp.size()));

  if (table + config.size() > kMpTableLimit || !mem.contains(kMpTableAddress, table + config.size() - kMpTableAddress)) {
    return resource_exhausted("the MP table for " + std::to_string(cpus) + " CPUs does not fit in the BIOS area");
  }
  STRATA_RETURN_IF_ERROR(mem.write(kMpTableAddress, fp));
  return mem.write(table, config);
}

}  // namespace strata::hv::boot
