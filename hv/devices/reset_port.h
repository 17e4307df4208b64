// The two ways a PC guest asks for a reset: the keyboard controller's pulse
// of the reset line (write 0xfe to port 0x64, Linux's reboot=k) and the reset
// control register at 0xcf9 (reboot=pci). strata-hv treats a reset as the
// guest's clean exit with code 0. Reads of 0x60/0x64 return 0: "no data, input
// buffer empty", enough for Linux to give up probing a keyboard quickly.
#pragma once

#include <functional>

#include "hv/devices/io_bus.h"

namespace strata::hv {

class ResetPort : public BusDevice {
 public:
  static constexpr uint64_t kI8042Base = 0x60;  // data at +0, command/status at +4
  static constexpr uint64_t kI8042Length = 5;
  static constexpr uint64_t kCf9Base = 0xcf9;   // reset control register
  static constexpr uint64_t kCf9Length = 1;

  enum class Kind { kI8042, kCf9 };  // one instance per range

  ResetPort(Kind kind, std::function<void()> request_reset) : kind_(kind), request_reset_(std::move(request_reset)) {}

  void read(uint64_t, std::span<uint8_t> data) override {
    for (auto& b : data) b = 0;
  }
  void write(uint64_t offset, std::span<const uint8_t> data) override {
    if (data.empty()) return;
    bool i8042_reset = kind_ == Kind::kI8042 && offset == 4 && data[0] == 0xfe;  // pulse reset line
    bool cf9_reset = kind_ == Kind::kCf9 && offset == 0 && (data[0] & 0x04);       // RST_CPU
    if (i8042_reset || cf9_reset) request_reset_();
  }

 private:
  Kind kind_;                            // which of the two ranges this instance serves
  std::function<void()> request_reset_;  // ends the VM: the guest rebooted
};

}  // namespace strata::hv
