#include "hv/devices/io_bus.h"

#include "hv/hex.h"

namespace strata::hv {

Status IoBus::add(uint64_t base, uint64_t length, BusDevice* device, std::string name) {
  if (length == 0 || base + length < base) return invalid_argument("device " + name + " has an empty or wrapping range");
  auto next = ranges_.lower_bound(base);
  if (next != ranges_.end() && next->first < base + length) {
    return already_exists("device " + name + " at " + hex(base) + " overlaps " + next->second.name);
  }
  if (next != ranges_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second.length > base) {
      return already_exists("device " + name + " at " + hex(base) + " overlaps " + prev->second.name);
    }
  }
  ranges_.emplace(base, Range{length, device, std::move(name)});
  return Status::ok();
}

const IoBus::Range* IoBus::find(uint64_t addr, uint64_t* offset) const {
  auto it = ranges_.upper_bound(addr);
  if (it == ranges_.begin()) return nullptr;
  --it;
  if (addr - it->first >= it->second.length) return nullptr;
  *offset = addr - it->first;
  return &it->second;
}

bool IoBus::read(uint64_t addr, std::span<uint8_t> data) const {
  uint64_t offset = 0;
  const Range* r = find(addr, &offset);
  if (!r) return false;
  r->device->read(offset, data);
  return true;
}

bool IoBus::write(uint64_t addr, std::span<const uint8_t> data) const {
  uint64_t offset = 0;
  const Range* r = find(addr, &offset);
  if (!r) return false;
  r->device->write(offset, data);
  return true;
}

}  // namespace strata::hv
