// An 8250/16550A UART at 0x3f8 (COM1): what a guest writes goes to the
// console fd (stdout or --console FILE); bytes given to receive() become
// input. Raises IRQ 4 like the real part, so Linux's driver works with
// interrupts as well as in polled console mode.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string>

#include "hv/devices/io_bus.h"

namespace strata::hv {

// The guest-visible registers and pending input: what a snapshot keeps.
struct UartState {
  uint8_t ier = 0, lcr = 0, mcr = 0, scr = 0, dll = 0x0c, dlm = 0;  // as the guest last wrote them
  bool fifo_enabled = false;                                      // FCR bit 0
  bool thre_pending = false;                                      // a THRE interrupt was due
  std::string rx;                                                 // input the guest has not read
};

class Uart : public BusDevice {
 public:
  static constexpr uint64_t kBase = 0x3f8;  // COM1
  static constexpr uint64_t kLength = 8;    // eight registers

  // `out_fd` is not owned. `set_irq(level)` drives the interrupt line.
  Uart(int out_fd, std::function<void(bool)> set_irq);
  ~Uart() override;

  void read(uint64_t offset, std::span<uint8_t> data) override;
  void write(uint64_t offset, std::span<const uint8_t> data) override;

  // Bytes typed on the shim's stdin, for the guest to read.
  void receive(std::span<const uint8_t> bytes);
  // Writes out anything still buffered (at exit).
  void flush();

  UartState save();
  // Puts the registers back and re-drives the IRQ line to match them.
  void restore(const UartState& s);

 private:
  uint8_t read_register(uint64_t offset);
  void write_register(uint64_t offset, uint8_t value);
  void emit(uint8_t byte);
  void flush_locked();
  void update_irq_locked();

  std::mutex mu_;                      // guards everything below; taken by vCPU threads and the main loop
  int out_fd_;                         // where transmitted bytes go; not owned
  std::function<void(bool)> set_irq_;  // raises or lowers IRQ 4
  std::string out_;                    // transmitted bytes not yet written (flushed per line)
  std::deque<uint8_t> rx_;             // received bytes the guest has not read
  uint8_t ier_ = 0;                    // interrupt enable register
  uint8_t lcr_ = 0;                    // line control; bit 7 (DLAB) maps the divisor latch
  uint8_t mcr_ = 0;                    // modem control; bit 4 is loopback
  uint8_t scr_ = 0;                    // scratch register
  uint8_t dll_ = 0x0c, dlm_ = 0;       // divisor latch (9600 baud), only stored
  bool fifo_enabled_ = false;          // FCR bit 0, reflected in IIR
  bool thre_pending_ = false;          // a "transmitter empty" interrupt is due
  bool irq_level_ = false;             // last level given to set_irq_
};

}  // namespace strata::hv
