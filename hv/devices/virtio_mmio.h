// The virtio-mmio transport (virtio 1.x, section 4.2, version 2 "modern"):
// one 4 KiB register window per device. Only the handshake passes through
// here; queue notifications are caught by KVM ioeventfds on QueueNotify and
// never reach this code on the data path (see virtio_net.h).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hv/devices/io_bus.h"
#include "hv/devices/virtio_device.h"

namespace strata::hv {

// Register offsets (linux/virtio_mmio.h names them VIRTIO_MMIO_*).
namespace mmio_reg {
constexpr uint64_t kMagic = 0x000, kVersion = 0x004, kDeviceId = 0x008, kVendorId = 0x00c;
constexpr uint64_t kDeviceFeatures = 0x010, kDeviceFeaturesSel = 0x014;
constexpr uint64_t kDriverFeatures = 0x020, kDriverFeaturesSel = 0x024;
constexpr uint64_t kQueueSel = 0x030, kQueueNumMax = 0x034, kQueueNum = 0x038, kQueueReady = 0x044;
constexpr uint64_t kQueueNotify = 0x050, kInterruptStatus = 0x060, kInterruptAck = 0x064, kStatus = 0x070;
constexpr uint64_t kQueueDescLow = 0x080, kQueueDescHigh = 0x084;
constexpr uint64_t kQueueAvailLow = 0x090, kQueueAvailHigh = 0x094;
constexpr uint64_t kQueueUsedLow = 0x0a0, kQueueUsedHigh = 0x0a4;
constexpr uint64_t kConfigGeneration = 0x0fc, kConfig = 0x100;
constexpr uint32_t kMagicValue = 0x74726976;  // "virt"
constexpr uint32_t kVendor = 0x41525453;      // "STRA"
constexpr uint64_t kWindow = 0x200;           // registers + config space the bus routes here
}  // namespace mmio_reg

// Device status bits (virtio 1.x 2.1).
namespace device_status {
constexpr uint32_t kAcknowledge = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8;
constexpr uint32_t kNeedsReset = 64, kFailed = 128;
}  // namespace device_status

class VirtioMmio : public BusDevice {
 public:
  VirtioMmio(std::unique_ptr<VirtioDevice> device, std::string name, int log_fd);

  void read(uint64_t offset, std::span<uint8_t> data) override;
  void write(uint64_t offset, std::span<const uint8_t> data) override;

  uint32_t status() const;  // for tests and the exit summary

 private:
  uint32_t read_register(uint64_t offset);
  void write_register(uint64_t offset, uint32_t value);
  void set_status(uint32_t value);
  void reset_locked();
  VirtQueueConfig* selected_queue();
  void log(const std::string& line) const;

  mutable std::mutex mu_;                  // guards all state; vCPU threads write registers
  std::unique_ptr<VirtioDevice> device_;   // the device behind the registers
  std::string name_;                       // "net0", for log lines
  int log_fd_;                             // where errors are reported (stderr); not owned
  uint32_t status_ = 0;                    // device status byte
  uint32_t device_features_sel_ = 0;       // which 32-bit half DeviceFeatures shows
  uint32_t driver_features_sel_ = 0;       // which 32-bit half DriverFeatures writes
  uint64_t driver_features_ = 0;           // features the driver accepted
  uint32_t queue_sel_ = 0;                 // queue the Queue* registers address
  std::vector<VirtQueueConfig> queues_;    // one per device queue
  uint32_t config_generation_ = 0;         // bumped whenever config space changes (never, so far)
  bool active_ = false;                    // device activated (DRIVER_OK accepted)
};

}  // namespace strata::hv
