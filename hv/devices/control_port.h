// The paravirtual control port at 0x500, for guests that know strata-hv
// (the test guest does):
//   outb 0x501, CODE   exit now with exit code CODE (the shim exits with it)
//   outl 0x502, ID     timing mark: the shim prints the time since it started
//                      and how many userspace exits happened since the last mark
//   inl  0x504         microseconds since the shim started (wraps after 71 min)
//   inl  0x508         the clone generation: 0 for a guest that was booted,
//                      bumped each time a template is cloned into a new guest
//                      (VMGenID's idea: a guest that sees it change re-reads
//                      its identity, e.g. its NIC's MAC)
// Linux guests exit through reboot instead (reset_port.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

#include "hv/devices/io_bus.h"
#include "hv/exit_stats.h"

namespace strata::hv {

class ControlPort : public BusDevice {
 public:
  static constexpr uint64_t kBase = 0x500;
  static constexpr uint64_t kLength = 12;
  static constexpr uint64_t kExitOffset = 1;   // 0x501
  static constexpr uint64_t kMarkOffset = 2;   // 0x502
  static constexpr uint64_t kClockOffset = 4;  // 0x504
  static constexpr uint64_t kGenerationOffset = 8;  // 0x508

  // `start` is when the shim started; `log_fd` receives the mark lines.
  ControlPort(std::chrono::steady_clock::time_point start, const ExitStats& stats, int log_fd,
              std::function<void(int)> request_exit);

  void read(uint64_t offset, std::span<uint8_t> data) override;
  void write(uint64_t offset, std::span<const uint8_t> data) override;

  // The guest's clock now, in microseconds (what `inl 0x504` reads, before
  // its wrap to 32 bits).
  uint64_t clock_us() const;
  // A restored guest's clock goes on from where the saved one stood:
  // `clock_us` at the shim's start, so its time never jumps back (its
  // timeouts then do not count the time it spent saved).
  void set_clock_base(uint64_t clock_us) { clock_base_us_ = clock_us; }
  void set_generation(uint32_t g) { generation_ = g; }

 private:
  std::chrono::steady_clock::time_point start_;  // shim start, the zero of every timing
  uint64_t clock_base_us_ = 0;                   // the guest clock at start_ (0, or a restored guest's saved clock)
  uint32_t generation_ = 0;                      // clone generation; set before vCPUs run
  const ExitStats& stats_;                       // read at each mark
  int log_fd_;                                   // mark lines go here (stderr); not owned
  std::function<void(int)> request_exit_;        // ends the VM with an exit code
  std::mutex mu_;                                // guards the two fields below
  uint64_t last_mark_exits_ = 0;                 // ExitStats::total() at the previous mark
  uint32_t last_mark_id_ = 0;                    // id of the previous mark (0: start)
};

}  // namespace strata::hv
