// IoBus: routes a vCPU's port-I/O or MMIO access to the device that owns the
// address. Built before the vCPUs start and read-only after, so lookups take
// no lock; each device locks its own state.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "base/status.h"

namespace strata::hv {

// A device on a bus. `offset` is relative to the base it was added at.
// Called from any vCPU thread: implementations synchronise themselves.
class BusDevice {
 public:
  virtual ~BusDevice() = default;
  virtual void read(uint64_t offset, std::span<uint8_t> data) = 0;
  virtual void write(uint64_t offset, std::span<const uint8_t> data) = 0;
};

class IoBus {
 public:
  // Refuses a range that overlaps one already added.
  Status add(uint64_t base, uint64_t length, BusDevice* device, std::string name);
  // False when no device owns `addr` (reads then see all-ones).
  bool read(uint64_t addr, std::span<uint8_t> data) const;
  bool write(uint64_t addr, std::span<const uint8_t> data) const;

 private:
  struct Range {
    uint64_t length;     // bytes claimed from the key (the base)
    BusDevice* device;   // not owned: the Vmm owns every device and outlives the bus users
    std::string name;    // for overlap errors
  };
  const Range* find(uint64_t addr, uint64_t* offset) const;

  std::map<uint64_t, Range> ranges_;  // by base address; written only before vCPUs start
};

}  // namespace strata::hv
