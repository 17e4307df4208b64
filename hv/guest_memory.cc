#include "hv/guest_memory.h"

#include <sys/stat.h>

#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <utility>

#include "hv/hex.h"
#include "hv/os_error.h"

namespace strata::hv {

Result<GuestMemory> GuestMemory::create(uint64_t size_bytes) {
  if (size_bytes == 0 || size_bytes % 4096 != 0) {
    return invalid_argument("guest memory size must be a positive multiple of 4 KiB");
  }
  if (size_bytes > kMaxBytes) {
    return invalid_argument("--memory " + std::to_string(size_bytes >> 20) +
                            " MiB is too much: strata-hv guests have at most " +
                            std::to_string(kMaxBytes >> 20) + " MiB (RAM must end below the MMIO window)");
  }
  // The memfd is sparse, so an oversized request would only fail later, in the
  // middle of a guest's life; refuse it now while the reason is clear.
  struct sysinfo si {};
  if (sysinfo(&si) == 0) {
    uint64_t total = uint64_t(si.totalram) * si.mem_unit;
    if (size_bytes > total) {
      return resource_exhausted("--memory " + std::to_string(size_bytes >> 20) + " MiB is more than this machine's " +
                                std::to_string(total >> 20) + " MiB of RAM");
    }
  }
  UniqueFd fd(memfd_create("strata-hv-guest-ram", MFD_CLOEXEC));
  if (!fd.valid()) return os_error("cannot create guest memory (memfd_create)");
  if (ftruncate(fd.get(), off_t(size_bytes)) != 0) {
    return os_error("cannot size guest memory to " + std::to_string(size_bytes >> 20) + " MiB");
  }
  void* p = mmap(nullptr, size_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd.get(), 0);
  if (p == MAP_FAILED) return os_error("cannot map " + std::to_string(size_bytes >> 20) + " MiB of guest memory");
  return GuestMemory(std::move(fd), static_cast<uint8_t*>(p), size_bytes);
}

Result<GuestMemory> GuestMemory::adopt(UniqueFd fd, uint64_t size_bytes) {
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return os_error("cannot stat the guest memory fd");
  if (uint64_t(st.st_size) != size_bytes || size_bytes == 0 || size_bytes > kMaxBytes) {
    return invalid_argument("the guest memory fd holds " + std::to_string(st.st_size) + " bytes, not the " +
                            std::to_string(size_bytes) + " the guest has");
  }
  void* p = mmap(nullptr, size_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd.get(), 0);
  if (p == MAP_FAILED) return os_error("cannot map the guest memory fd");
  return GuestMemory(std::move(fd), static_cast<uint8_t*>(p), size_bytes);
}

GuestMemory::GuestMemory(GuestMemory&& other) noexcept
    : fd_(std::move(other.fd_)), base_(std::exchange(other.base_, nullptr)), size_(std::exchange(other.size_, 0)) {}

GuestMemory& GuestMemory::operator=(GuestMemory&& other) noexcept {
  if (this != &other) {
    if (base_) munmap(base_, size_);
    fd_ = std::move(other.fd_);
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

GuestMemory::~GuestMemory() {
  if (base_) munmap(base_, size_);
}

Status GuestMemory::write(uint64_t gpa, std::span<const uint8_t> bytes) {
  uint8_t* dst = host_ptr(gpa, bytes.size());
  if (!dst) {
    return invalid_argument("write of " + std::to_string(bytes.size()) + " bytes at guest address " + hex(gpa) +
                            " is outside guest memory");
  }
  if (!bytes.empty()) std::memcpy(dst, bytes.data(), bytes.size());
  return Status::ok();
}

Status GuestMemory::fill(uint64_t gpa, uint8_t value, uint64_t len) {
  uint8_t* dst = host_ptr(gpa, len);
  if (!dst) return invalid_argument("fill outside guest memory");
  std::memset(dst, value, len);
  return Status::ok();
}

}  // namespace strata::hv
