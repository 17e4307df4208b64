// VirtioDevice: what a virtio device type (net, ...) provides to the
// virtio-mmio transport. The transport owns the register file and the
// driver handshake; the device says what it offers and starts when the
// driver is ready.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

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

// Where a stopped device's queues stood: per queue, the next avail index
// the backend would have read (GET_VRING_BASE). A resumed or restored
// device starts there, so no buffer is used twice or skipped.
struct VirtQueuePositions {
  std::vector<uint16_t> next_avail;  // one per queue the device has
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
  // The driver wrote 0 to Status: stop using the queues.
  virtual void reset() = 0;

  // Pause: stop touching guest memory and say where each queue stood.
  virtual Result<VirtQueuePositions> stop_queues() = 0;
  // Start with these features and queues, each from its position (none
  // given: from 0): when the driver sets DRIVER_OK (an error puts the
  // device in DEVICE_NEEDS_RESET), after a pause, or in a restored guest (then `restored` is true and the
  // device may announce itself, e.g. a NIC's RARP).
  virtual Status start_queues(uint64_t features, std::span<const VirtQueueConfig> queues,
                              const VirtQueuePositions& from, bool restored) = 0;
  // Live migration: from the next start_queues on, the device logs every
  // write it makes to guest memory in the bitmap `fd` (`bytes` long, one
  // bit per 4 KiB page); fd -1 stops logging. A device that cannot log
  // says so, and the migration is refused.
  virtual Status set_dirty_log(int fd, uint64_t bytes) = 0;
  // The backend went away (crashed, restarted, upgraded): opens a new
  // session with it. The caller then starts the queues again where the
  // guest's memory says the old backend left them (used_positions()).
  virtual Status reconnect() = 0;
  // The backend connection's socket (watched for hang-ups), -1 if none.
  virtual int backend_socket() const = 0;
};

}  // namespace strata::hv
