// The container every saved guest state travels in: a snapshot's `state`
// file and the last message of a migration stream. A header with a magic
// and a format version, tagged sections, and a CRC-32 over all of it, so a
// file of another version, a truncated file and a flipped bit are each
// refused with their own reason before anything is restored.
//
//   "STRATAHV" | u32 version | u32 section count
//   per section: u32 tag | u32 index | u64 length | payload
//   u32 CRC-32 (zlib's) of every byte before it
//
// All fields little-endian. A reader refuses any version but its own: the
// payloads are KVM structs whose layout the version pins.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"

namespace strata::hv::state {

constexpr char kSnapshotMagic[8] = {'S', 'T', 'R', 'A', 'T', 'A', 'H', 'V'};
constexpr uint32_t kSnapshotVersion = 1;
// No state is near this; a larger length is a corrupt file, not a big guest.
constexpr uint64_t kMaxSectionBytes = 16u << 20;
constexpr uint32_t kMaxSections = 1024;

enum class SectionTag : uint32_t {
  kConfig = 1,   // memory size, vCPU count, NIC MACs, clone generation
  kVm = 2,       // irqchips, PIT, kvmclock
  kVcpu = 3,     // one per vCPU, index = vCPU number
  kDevices = 4,  // UART, CMOS, control port clock
  kNic = 5,      // one per NIC, index = NIC number: transport registers, features, ring bases
};

struct Section {
  SectionTag tag;                    // what the payload holds
  uint32_t index;                    // which vCPU / NIC; 0 for the singletons
  std::span<const uint8_t> payload;  // a view into the decoded buffer
};

struct OwnedSection {
  SectionTag tag;                // what the payload holds
  uint32_t index;                // which vCPU / NIC
  std::vector<uint8_t> payload;  // encoded state
};

std::vector<uint8_t> encode_snapshot(std::span<const OwnedSection> sections);
// Checks magic, version, every length and the checksum; the sections are
// views into `bytes`, which must outlive them.
Result<std::vector<Section>> decode_snapshot(std::span<const uint8_t> bytes);

}  // namespace strata::hv::state
