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
#include "hv/guest_memory.h"

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

// The transport's register file as the driver left it, and the queue
// positions of a paused device: what a snapshot keeps of one device.
struct VirtioMmioState {
  uint32_t status = 0;                   // device status byte
  uint32_t device_features_sel = 0;      // DeviceFeaturesSel
  uint32_t driver_features_sel = 0;      // DriverFeaturesSel
  uint64_t driver_features = 0;          // features the driver accepted
  uint32_t queue_sel = 0;                // QueueSel
  uint32_t config_generation = 0;        // ConfigGeneration
  bool active = false;                   // DRIVER_OK was accepted: the backend runs the queues
  std::vector<VirtQueueConfig> queues;   // per queue: size, ready, ring addresses
  VirtQueuePositions positions;          // per queue: next avail index (when active)
};

class VirtioMmio : public BusDevice {
 public:
  VirtioMmio(std::unique_ptr<VirtioDevice> device, std::string name, int log_fd);

  void read(uint64_t offset, std::span<uint8_t> data) override;
  void write(uint64_t offset, std::span<const uint8_t> data) override;

  uint32_t status() const;  // for tests and the exit summary

  // Pause stops an active device's queues (vCPUs must be parked first, so
  // no register write races it) and keeps their positions; resume starts
  // them from there. Both are no-ops for a device the driver never started.
  Status pause();
  Status resume();
  bool paused() const;
  // Only while paused: the registers and the queue positions.
  VirtioMmioState save() const;
  // The backend hung up: reconnect, and if the driver had started the
  // device, start its queues again at the used index in guest memory (the
  // last buffer the old backend completed), announcing the guest.
  Status reconnect_backend(const GuestMemory& mem);
  int backend_socket() const;
  // Starts (fd >= 0) or stops (fd -1) the device's dirty-page logging; an
  // active device's queues are stopped and restarted where they stood so
  // the backend takes it up (a stall of one round trip, no lost buffer).
  Status set_dirty_log(int fd, uint64_t bytes);
  // Into a fresh transport of a restored guest, before its vCPUs run: the
  // registers, and an active device's queues started where they stood.
  Status restore(const VirtioMmioState& s);

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
  bool paused_ = false;                    // queues stopped by pause(); positions_ holds where
  VirtQueuePositions positions_;           // where the queues stood when paused
};

}  // namespace strata::hv
