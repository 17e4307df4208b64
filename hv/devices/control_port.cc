#include "hv/devices/control_port.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace strata::hv {

ControlPort::ControlPort(std::chrono::steady_clock::time_point start, const ExitStats& stats, int log_fd,
                         std::function<void(int)> request_exit)
    : start_(start), stats_(stats), log_fd_(log_fd), request_exit_(std::move(request_exit)) {}

uint64_t ControlPort::clock_us() const {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start_);
  return clock_base_us_ + uint64_t(us.count());
}

void ControlPort::read(uint64_t offset, std::span<uint8_t> data) {
  std::memset(data.data(), 0xff, data.size());
  if (offset == kClockOffset) {
    uint32_t v = uint32_t(clock_us());
    std::memcpy(data.data(), &v, std::min(data.size(), sizeof v));
  } else if (offset == kGenerationOffset) {
    std::memcpy(data.data(), &generation_, std::min(data.size(), sizeof generation_));
  }
}

void ControlPort::write(uint64_t offset, std::span<const uint8_t> data) {
  uint32_t value = 0;
  std::memcpy(&value, data.data(), std::min(data.size(), sizeof value));
  if (offset == kExitOffset) {
    request_exit_(int(value & 0xff));
  } else if (offset == kMarkOffset) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
    std::lock_guard lock(mu_);
    uint64_t exits = stats_.total();
    char line[160];
    // The mark's own exit is counted in `exits`; leave it out of the delta.
    int n = std::snprintf(line, sizeof line,
                          "strata-hv: mark %u at %.3f ms, %llu userspace exits since mark %u\n", value, ms,
                          static_cast<unsigned long long>(exits - last_mark_exits_ - 1), last_mark_id_);
    if (n > 0) (void)!::write(log_fd_, line, size_t(n));
    last_mark_exits_ = exits;
    last_mark_id_ = value;
  }
}

}  // namespace strata::hv
