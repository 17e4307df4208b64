// VirtioDevice: what a virtio device type (net, ...) provides to the
// virtio-mmio transport. The transport owns the register file and the
// driver handshake; the device says what it offers and starts when the
// driver is ready.
#pragma once

#include <cstdint>
#include <span>

#include "base/status.h"

namespace strata::hv {

// Feature bits of the virtio spec that the transport itself cares about.
constexpr uint64_t kVirtioFVersion1 = 1ull << 32;  // modern device; required by virtio-mmio v2

// One virtqueue as the driver configured it through the transport.
struct VirtQueueConfig {
  uint16_t size = 0;   // entries (power of two, <= the device's maximum)
  bool ready = false;  // the driver set QueueReady
  uint64_t desc = 0;   // guest-physical address of the descriptor table
  uint64_t avail = 0;  // guest-physical address of the avail ("driver") ring
  uint64_t used = 0;   // guest-physical address of the used ("device") ring
};

class VirtioDevice {
 public:
  virtual ~VirtioDevice() = default;
  virtual uint32_t device_type() const = 0;     // VIRTIO_ID_* (1 = net)
  virtual uint64_t offered_features() const = 0;
  virtual uint16_t num_queues() const = 0;
  virtual uint16_t queue_max_size() const = 0;
  // Device-specific configuration space; reads past its end return zeros.
  virtual void read_config(uint64_t offset, std::span<uint8_t> data) const = 0;
  // The driver set DRIVER_OK with these features and queues. An error puts
  // the device in DEVICE_NEEDS_RESET.
  virtual Status activate(uint64_t features, std::span<const VirtQueueConfig> queues) = 0;
  // The driver wrote 0 to Status: stop using the queues.
  virtual void reset() = 0;
};

}  // namespace strata::hv
