// GuestMemory: the guest's RAM, one memfd mapped MAP_SHARED into the shim.
//
// A memfd (not anonymous memory) so that a vhost-user backend can map the very
// same pages from the fd the shim sends it in SET_MEM_TABLE: frames then move
// between guest and switch without passing through the shim.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "base/status.h"
#include "hv/unique_fd.h"

namespace strata::hv {

class GuestMemory {
 public:
  // Guest RAM starts at guest-physical 0 and must end below the MMIO window
  // (kMmioBase), so one contiguous region describes it to KVM and to the
  // backend.
  static constexpr uint64_t kMaxBytes = 3072ull << 20;

  static Result<GuestMemory> create(uint64_t size_bytes);
  // Maps a memfd another strata-hv created (a same-host live migration
  // passes the guest's RAM this way: nothing is copied). Its size must be
  // `size_bytes`.
  static Result<GuestMemory> adopt(UniqueFd fd, uint64_t size_bytes);

  GuestMemory() = default;
  GuestMemory(GuestMemory&& other) noexcept;
  GuestMemory& operator=(GuestMemory&& other) noexcept;
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;
  ~GuestMemory();

  uint64_t size() const { return size_; }
  int fd() const { return fd_.get(); }
  uint8_t* host_base() const { return base_; }

  // True when [gpa, gpa+len) lies inside guest RAM (overflow-safe).
  bool contains(uint64_t gpa, uint64_t len) const {
    return gpa <= size_ && len <= size_ - gpa;
  }
  // The shim's address for [gpa, gpa+len), or nullptr when out of range.
  uint8_t* host_ptr(uint64_t gpa, uint64_t len) const {
    return contains(gpa, len) ? base_ + gpa : nullptr;
  }
  Status write(uint64_t gpa, std::span<const uint8_t> bytes);
  Status fill(uint64_t gpa, uint8_t value, uint64_t len);
  template <typename T>
  Status write_obj(uint64_t gpa, const T& obj) {
    return write(gpa, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&obj), sizeof obj));
  }

 private:
  GuestMemory(UniqueFd fd, uint8_t* base, uint64_t size) : fd_(std::move(fd)), base_(base), size_(size) {}

  UniqueFd fd_;              // the memfd backing guest RAM; sent to vhost-user backends
  uint8_t* base_ = nullptr;  // where the shim mapped it (MAP_SHARED), guest-physical 0
  uint64_t size_ = 0;        // bytes of guest RAM
};

}  // namespace strata::hv
