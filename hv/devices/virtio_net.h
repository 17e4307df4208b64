// VhostUserNet: a virtio-net device whose queues are served by a vhost-user
// backend (the switch). The shim owns only the config space (MAC, link) and
// the handshake; at DRIVER_OK it hands the backend the guest memory and the
// rings. Doorbells and interrupts are wired once, at creation:
//   guest writes QueueNotify  -> KVM ioeventfd -> kick eventfd -> backend
//   backend signals call fd   -> KVM irqfd     -> guest IRQ
// so no frame and no doorbell passes through the shim's userspace.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "base/status.h"
#include "hv/devices/virtio_device.h"
#include "hv/guest_memory.h"
#include "hv/kvm_vm.h"
#include "hv/options.h"
#include "hv/unique_fd.h"
#include "hv/vhost_user/frontend.h"

namespace strata::hv {

// virtio-net feature bits (virtio 1.x 5.1.3) used here.
constexpr uint64_t kNetFMac = 1ull << 5;             // config space has a MAC
constexpr uint64_t kNetFMrgRxbuf = 1ull << 15;       // receive buffers may be merged
constexpr uint64_t kNetFStatus = 1ull << 16;         // config space has a link status
constexpr uint64_t kRingFIndirectDesc = 1ull << 28;  // indirect descriptor tables
constexpr uint64_t kRingFEventIdx = 1ull << 29;      // used_event / avail_event suppression

// Data-path features the shim passes through when the backend offers them:
// the backend implements them, the shim only relays the agreement.
constexpr uint64_t kNetPassthroughFeatures = kNetFMrgRxbuf | kRingFIndirectDesc | kRingFEventIdx;
// Features the shim itself implements (config space) or requires.
constexpr uint64_t kNetOwnFeatures = kNetFMac | kNetFStatus | kVirtioFVersion1;

constexpr uint16_t kNetQueueSize = 256;  // QueueNumMax of each queue
constexpr uint16_t kNetNumQueues = 2;    // receiveq1, transmitq1

// What the guest is offered given what the backend offers.
uint64_t net_offered_features(uint64_t backend_features);
// What the frontend tells the backend once the driver accepted `acked`.
uint64_t net_backend_features(uint64_t acked, uint64_t backend_features, bool protocol_features);

// A driver's queue turned into SET_VRING_ADDR terms (the shim's addresses),
// after checking that every part lies in guest RAM with the spec's alignment.
Result<vhost_user::VringAddr> translate_vring(const GuestMemory& mem, uint32_t index, const VirtQueueConfig& q);

class VhostUserNet : public VirtioDevice {
 public:
  // Connects to the backend and negotiates the session's opening. Done
  // before the VM exists, so an unreachable switch is reported first.
  static Result<std::unique_ptr<VhostUserNet>> connect(const NetOption& opt, const GuestMemory& mem);
  // Wires queue q's notify register (mmio_base + QueueNotify, data q) to its
  // kick eventfd and the call eventfd to interrupt line `irq`.
  Status attach(KvmVm& vm, uint64_t mmio_base, uint32_t irq);

  uint32_t device_type() const override { return 1; }  // VIRTIO_ID_NET
  uint64_t offered_features() const override { return offered_; }
  uint16_t num_queues() const override { return kNetNumQueues; }
  uint16_t queue_max_size() const override { return kNetQueueSize; }
  void read_config(uint64_t offset, std::span<uint8_t> data) const override;
  void reset() override;
  Result<VirtQueuePositions> stop_queues() override;
  Status start_queues(uint64_t features, std::span<const VirtQueueConfig> queues, const VirtQueuePositions& from,
                      bool restored) override;
  Status set_dirty_log(int fd, uint64_t bytes) override;
  Status reconnect() override;
  int backend_socket() const override { return frontend_->socket_fd(); }

  const vhost_user::Frontend& frontend() const { return *frontend_; }

 private:
  VhostUserNet(const NetOption& opt, const GuestMemory& mem, std::unique_ptr<vhost_user::Frontend> fe);

  NetOption opt_;                                   // socket and MAC
  const GuestMemory& mem_;                          // guest RAM; outlives the device
  std::unique_ptr<vhost_user::Frontend> frontend_;  // the backend session
  UniqueFd kick_[kNetNumQueues];                    // eventfds KVM signals on QueueNotify == q
  UniqueFd call_;                                   // eventfd the backend signals; KVM raises the IRQ
  uint64_t offered_ = 0;                            // features offered to the driver
  uint32_t enabled_queues_ = 0;                     // queues handed to the backend (for reset)
  int log_fd_ = -1;                                 // dirty-log bitmap during a migration; not owned; -1 = off
  uint64_t log_bytes_ = 0;                          // its size
};

}  // namespace strata::hv
