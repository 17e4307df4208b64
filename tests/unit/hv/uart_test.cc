#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "hv/devices/uart.h"

using namespace strata::hv;

namespace {
struct Fixture {
  int out[2];
  std::vector<bool> irq_levels;
  std::unique_ptr<Uart> uart;
  Fixture() {
    REQUIRE(pipe2(out, O_NONBLOCK) == 0);  // output() must not block when nothing was sent
    uart = std::make_unique<Uart>(out[1], [this](bool level) { irq_levels.push_back(level); });
  }
  ~Fixture() {
    uart.reset();
    close(out[0]);
    close(out[1]);
  }
  uint8_t rd(uint64_t reg) {
    uint8_t b;
    uart->read(reg, {&b, 1});
    return b;
  }
  void wr(uint64_t reg, uint8_t v) { uart->write(reg, {&v, 1}); }
  std::string output() {
    uart->flush();
    char buf[256];
    ssize_t n = read(out[0], buf, sizeof buf);
    return std::string(buf, n > 0 ? size_t(n) : 0);
  }
};
}  // namespace

TEST_CASE("uart: transmitted bytes reach the console a line at a time", "[hv][uart]") {
  Fixture f;
  for (char c : std::string("hello\n")) f.wr(0, uint8_t(c));
  CHECK(f.output() == "hello\n");
  CHECK((f.rd(5) & 0x60) == 0x60);  // LSR: THR empty, transmitter empty
}

TEST_CASE("uart: received bytes are readable and raise IRQ 4 when enabled", "[hv][uart]") {
  Fixture f;
  f.wr(1, 0x01);  // IER: received data available
  uint8_t in[] = {'o', 'k'};
  f.uart->receive(in);
  REQUIRE_FALSE(f.irq_levels.empty());
  CHECK(f.irq_levels.back());
  CHECK((f.rd(5) & 0x01) == 1);  // LSR: data ready
  CHECK(f.rd(2) == 0x04);        // IIR: received data
  CHECK(f.rd(0) == 'o');
  CHECK(f.rd(0) == 'k');
  CHECK((f.rd(5) & 0x01) == 0);
  CHECK_FALSE(f.irq_levels.back());
  CHECK(f.rd(2) == 0x01);  // no interrupt pending
}

TEST_CASE("uart: enabling THRE interrupts raises one that IIR acknowledges", "[hv][uart]") {
  Fixture f;
  f.wr(1, 0x02);
  CHECK(f.irq_levels.back());
  CHECK(f.rd(2) == 0x02);
  CHECK_FALSE(f.irq_levels.back());
  f.wr(0, 'x');  // sending makes the holding register empty again
  CHECK(f.irq_levels.back());
}

TEST_CASE("uart: the divisor latch and loopback behave as Linux's probe expects", "[hv][uart]") {
  Fixture f;
  f.wr(3, 0x80);  // DLAB
  f.wr(0, 0x01);
  f.wr(1, 0x00);
  CHECK(f.rd(0) == 0x01);
  f.wr(3, 0x03);
  f.wr(4, 0x10 | 0x0a);  // loopback with RTS and OUT2
  CHECK((f.rd(6) & 0xf0) == 0x90);
  f.wr(0, 'z');  // looped back, not transmitted
  CHECK(f.rd(0) == 'z');
  f.wr(4, 0);
  CHECK(f.output().empty());
  f.wr(7, 0x5a);
  CHECK(f.rd(7) == 0x5a);
}
