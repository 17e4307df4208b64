#include "hv/devices/cmos_rtc.h"

namespace strata::hv {
namespace {

uint8_t bcd(int v) { return uint8_t(((v / 10) << 4) | (v % 10)); }

}  // namespace

uint8_t CmosRtc::register_value(uint8_t index, std::time_t now) {
  std::tm t{};
  gmtime_r(&now, &t);
  switch (index) {
    case 0x00: return bcd(t.tm_sec);
    case 0x02: return bcd(t.tm_min);
    case 0x04: return bcd(t.tm_hour);
    case 0x06: return bcd(t.tm_wday + 1);
    case 0x07: return bcd(t.tm_mday);
    case 0x08: return bcd(t.tm_mon + 1);
    case 0x09: return bcd(t.tm_year % 100);
    case 0x32: return bcd(19 + t.tm_year / 100);  // century
    case 0x0a: return 0x26;  // 32.768 kHz base, 1024 Hz rate, UIP clear
    case 0x0b: return 0x02;  // 24-hour mode, BCD, no interrupts
    case 0x0c: return 0x00;  // no interrupt flags
    case 0x0d: return 0x80;  // valid RAM and time (battery good)
    default: return 0x00;    // alarms and CMOS RAM: empty
  }
}

void CmosRtc::read(uint64_t offset, std::span<uint8_t> data) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = offset + i == 1 ? register_value(index_, std::time(nullptr)) : 0xff;
  }
}

void CmosRtc::write(uint64_t offset, std::span<const uint8_t> data) {
  std::lock_guard lock(mu_);
  if (offset == 0 && !data.empty()) index_ = data[0] & 0x7f;
  // Writes to the data port (setting the clock) are ignored: the guest's
  // clock follows the host's.
}

uint8_t CmosRtc::save_index() {
  std::lock_guard lock(mu_);
  return index_;
}

void CmosRtc::restore_index(uint8_t index) {
  std::lock_guard lock(mu_);
  index_ = index & 0x7f;
}

}  // namespace strata::hv
