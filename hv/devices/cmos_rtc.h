// The CMOS real-time clock at ports 0x70 (index) and 0x71 (data), read-only:
// the host's UTC time in BCD, "no update in progress", "battery good".
// Without it a Linux guest reads all-ones, sees an update forever in
// progress and boots with a garbage wall clock.
#pragma once

#include <ctime>
#include <mutex>

#include "hv/devices/io_bus.h"

namespace strata::hv {

class CmosRtc : public BusDevice {
 public:
  static constexpr uint64_t kBase = 0x70;  // index at +0, data at +1
  static constexpr uint64_t kLength = 2;

  void read(uint64_t offset, std::span<uint8_t> data) override;
  void write(uint64_t offset, std::span<const uint8_t> data) override;

  // The value of register `index` at time `now` (exposed for tests).
  static uint8_t register_value(uint8_t index, std::time_t now);

  // The selected register: the only state (the time is the host's).
  uint8_t save_index();
  void restore_index(uint8_t index);

 private:
  std::mutex mu_;      // guards index_; vCPU threads
  uint8_t index_ = 0;  // selected register (bit 7, NMI disable, is dropped)
};

}  // namespace strata::hv
