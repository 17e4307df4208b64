#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstring>

#include "hv/devices/cmos_rtc.h"
#include "hv/devices/control_port.h"
#include "hv/devices/reset_port.h"

using namespace strata::hv;

TEST_CASE("control port: an exit code write ends the VM with that code", "[hv][control]") {
  ExitStats stats;
  int code = -1;
  ControlPort port(std::chrono::steady_clock::now(), stats, STDERR_FILENO, [&](int c) { code = c; });
  uint8_t v = 7;
  port.write(ControlPort::kExitOffset, {&v, 1});
  CHECK(code == 7);
}

TEST_CASE("control port: the clock counts microseconds since start", "[hv][control]") {
  ExitStats stats;
  ControlPort port(std::chrono::steady_clock::now() - std::chrono::milliseconds(50), stats, STDERR_FILENO, [](int) {});
  uint8_t b[4];
  port.read(ControlPort::kClockOffset, b);
  uint32_t us;
  std::memcpy(&us, b, 4);
  CHECK(us >= 50000);
  CHECK(us < 50000000);
}

TEST_CASE("control port: a mark reports the userspace exits since the last mark", "[hv][control]") {
  int p[2];
  REQUIRE(pipe(p) == 0);
  ExitStats stats;
  ControlPort port(std::chrono::steady_clock::now(), stats, p[1], [](int) {});
  stats.io = 10;  // ten exits before mark 1, the mark itself being the tenth
  uint32_t id = 1;
  port.write(ControlPort::kMarkOffset, {reinterpret_cast<uint8_t*>(&id), 4});
  stats.io = 11;  // only mark 2's own exit in between
  id = 2;
  port.write(ControlPort::kMarkOffset, {reinterpret_cast<uint8_t*>(&id), 4});
  char buf[512] = {};
  REQUIRE(read(p[0], buf, sizeof buf - 1) > 0);
  std::string out(buf);
  CHECK_THAT(out, Catch::Contains("mark 1 at") && Catch::Contains("9 userspace exits since mark 0"));
  CHECK_THAT(out, Catch::Contains("mark 2 at") && Catch::Contains("0 userspace exits since mark 1"));
  close(p[0]);
  close(p[1]);
}

TEST_CASE("reset ports: keyboard-controller pulse and 0xcf9 reset, other writes do not", "[hv][control]") {
  int resets = 0;
  ResetPort kbd(ResetPort::Kind::kI8042, [&] { ++resets; });
  ResetPort cf9(ResetPort::Kind::kCf9, [&] { ++resets; });
  uint8_t v = 0xfe;
  kbd.write(0, {&v, 1});  // data port: not a reset
  CHECK(resets == 0);
  kbd.write(4, {&v, 1});
  CHECK(resets == 1);
  v = 0x02;
  cf9.write(0, {&v, 1});
  CHECK(resets == 1);
  v = 0x06;
  cf9.write(0, {&v, 1});
  CHECK(resets == 2);
  uint8_t status = 0xff;
  kbd.read(4, {&status, 1});
  CHECK(status == 0);
}

TEST_CASE("cmos rtc: BCD time of the host, no update in progress", "[hv][control]") {
  std::time_t t = 1700000000;  // 2023-11-14 22:13:20 UTC, a Tuesday
  CHECK(CmosRtc::register_value(0x00, t) == 0x20);
  CHECK(CmosRtc::register_value(0x02, t) == 0x13);
  CHECK(CmosRtc::register_value(0x04, t) == 0x22);
  CHECK(CmosRtc::register_value(0x07, t) == 0x14);
  CHECK(CmosRtc::register_value(0x08, t) == 0x11);
  CHECK(CmosRtc::register_value(0x09, t) == 0x23);
  CHECK(CmosRtc::register_value(0x32, t) == 0x20);
  CHECK((CmosRtc::register_value(0x0a, t) & 0x80) == 0);  // UIP clear
  CmosRtc rtc;
  uint8_t idx = 0x8d;  // NMI-disable bit set, register 0x0d
  rtc.write(0, {&idx, 1});
  uint8_t v = 0;
  rtc.read(1, {&v, 1});
  CHECK(v == 0x80);
}
