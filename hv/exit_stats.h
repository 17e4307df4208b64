// Counters of the vCPU exits that reach the shim's userspace. The point of
// the vhost-user design is that frames and doorbells never do: the test guest
// reads these through timing marks to show 0 exits per packet.
#pragma once

#include <atomic>
#include <cstdint>

namespace strata::hv {

struct ExitStats {
  std::atomic<uint64_t> io{0};         // KVM_EXIT_IO: port I/O (UART, control port, ...); written by vCPU threads
  std::atomic<uint64_t> mmio{0};       // KVM_EXIT_MMIO: virtio-mmio registers; written by vCPU threads
  std::atomic<uint64_t> other{0};      // any other exit reason, signals included; written by vCPU threads
  std::atomic<uint64_t> unhandled{0};  // accesses to addresses no device claims; written by vCPU threads
  std::atomic<uint64_t> last_unhandled{~0ull};  // port or MMIO address of the latest such access, for diagnosis
  // steady_clock time (ns) of the latest exit KVM reported, kicks out of
  // KVM_RUN not counted: how long a guest that stopped making progress has
  // run without leaving KVM.
  std::atomic<int64_t> last_exit_ns{0};

  uint64_t total() const { return io.load() + mmio.load() + other.load(); }
};

}  // namespace strata::hv
