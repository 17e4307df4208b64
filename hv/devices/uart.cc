#include "hv/devices/uart.h"

#include <unistd.h>

namespace strata::hv {
namespace {

// Register offsets and bits of the 16550A.
constexpr uint64_t kData = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7;
constexpr uint8_t kIerRxData = 0x01, kIerThre = 0x02;
constexpr uint8_t kIirNone = 0x01, kIirThre = 0x02, kIirRxData = 0x04, kIirFifo = 0xc0;
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kMcrLoop = 0x10;
constexpr uint8_t kLsrDataReady = 0x01, kLsrThre = 0x20, kLsrTemt = 0x40;
constexpr uint8_t kMsrDcd = 0x80, kMsrDsr = 0x20, kMsrCts = 0x10;
constexpr size_t kRxMax = 4096;   // input beyond this is dropped, like an overrun
constexpr size_t kOutMax = 256;   // flush at least this often even without a newline

}  // namespace

Uart::Uart(int out_fd, std::function<void(bool)> set_irq) : out_fd_(out_fd), set_irq_(std::move(set_irq)) {}

Uart::~Uart() { flush(); }

UartState Uart::save() {
  std::lock_guard lock(mu_);
  flush_locked();
  return {ier_, lcr_, mcr_, scr_, dll_, dlm_, fifo_enabled_, thre_pending_, std::string(rx_.begin(), rx_.end())};
}

void Uart::restore(const UartState& s) {
  std::lock_guard lock(mu_);
  ier_ = s.ier;
  lcr_ = s.lcr;
  mcr_ = s.mcr;
  scr_ = s.scr;
  dll_ = s.dll;
  dlm_ = s.dlm;
  fifo_enabled_ = s.fifo_enabled;
  thre_pending_ = s.thre_pending;
  rx_.assign(s.rx.begin(), s.rx.begin() + long(std::min(s.rx.size(), kRxMax)));
  // Drive the line whatever it was: the restored irqchip must see the
  // level these registers imply.
  irq_level_ = ((ier_ & kIerRxData) && !rx_.empty()) || ((ier_ & kIerThre) && thre_pending_);
  if (set_irq_) set_irq_(irq_level_);
}

void Uart::read(uint64_t offset, std::span<uint8_t> data) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < data.size(); ++i) data[i] = read_register(offset + i);
  update_irq_locked();
}

void Uart::write(uint64_t offset, std::span<const uint8_t> data) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < data.size(); ++i) write_register(offset + i, data[i]);
  update_irq_locked();
}

uint8_t Uart::read_register(uint64_t offset) {
  switch (offset) {
    case kData:
      if (lcr_ & kLcrDlab) return dll_;
      if (rx_.empty()) return 0;
      {
        uint8_t b = rx_.front();
        rx_.pop_front();
        return b;
      }
    case kIer: return (lcr_ & kLcrDlab) ? dlm_ : ier_;
    case kIir: {
      uint8_t fifo = fifo_enabled_ ? kIirFifo : 0;
      if ((ier_ & kIerRxData) && !rx_.empty()) return fifo | kIirRxData;
      if ((ier_ & kIerThre) && thre_pending_) {
        thre_pending_ = false;  // reading IIR acknowledges a THRE interrupt
        return fifo | kIirThre;
      }
      return fifo | kIirNone;
    }
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: return uint8_t(kLsrThre | kLsrTemt | (rx_.empty() ? 0 : kLsrDataReady));
    case kMsr:
      // In loopback the modem outputs (DTR, RTS, OUT1, OUT2) read back as the
      // inputs (DSR, CTS, RI, DCD); Linux's probe checks exactly this.
      if (mcr_ & kMcrLoop) {
        return uint8_t(((mcr_ & 0x01) << 5) | ((mcr_ & 0x02) << 3) | ((mcr_ & 0x04) << 4) | ((mcr_ & 0x08) << 4));
      }
      return kMsrDcd | kMsrDsr | kMsrCts;
    case kScr: return scr_;
    default: return 0xff;
  }
}

void Uart::write_register(uint64_t offset, uint8_t value) {
  switch (offset) {
    case kData:
      if (lcr_ & kLcrDlab) {
        dll_ = value;
      } else {
        if (mcr_ & kMcrLoop) {
          if (rx_.size() < kRxMax) rx_.push_back(value);
        } else {
          emit(value);
        }
        thre_pending_ = true;  // the byte left at once: the holding register is empty again
      }
      break;
    case kIer:
      if (lcr_ & kLcrDlab) {
        dlm_ = value;
      } else {
        // Enabling THRE interrupts while the transmitter is empty raises one
        // at once, as on the real part; drivers rely on it to start sending.
        if ((value & kIerThre) && !(ier_ & kIerThre)) thre_pending_ = true;
        ier_ = value & 0x0f;
      }
      break;
    case kIir: fifo_enabled_ = value & 0x01; break;  // FCR
    case kLcr: lcr_ = value; break;
    case kMcr: mcr_ = value & 0x1f; break;
    case kScr: scr_ = value; break;
    default: break;  // LSR and MSR are read-only
  }
}

void Uart::emit(uint8_t byte) {
  out_.push_back(char(byte));
  if (byte == '\n' || out_.size() >= kOutMax) flush_locked();
}

void Uart::flush_locked() {
  size_t done = 0;
  while (done < out_.size()) {
    ssize_t n = ::write(out_fd_, out_.data() + done, out_.size() - done);
    if (n <= 0) break;  // console gone: drop output rather than stall the guest
    done += size_t(n);
  }
  out_.clear();
}

void Uart::flush() {
  std::lock_guard lock(mu_);
  flush_locked();
}

void Uart::receive(std::span<const uint8_t> bytes) {
  std::lock_guard lock(mu_);
  for (uint8_t b : bytes) {
    if (rx_.size() < kRxMax) rx_.push_back(b);
  }
  update_irq_locked();
}

void Uart::update_irq_locked() {
  bool level = ((ier_ & kIerRxData) && !rx_.empty()) || ((ier_ & kIerThre) && thre_pending_);
  if (level != irq_level_) {
    irq_level_ = level;
    if (set_irq_) set_irq_(level);
  }
}

}  // namespace strata::hv
