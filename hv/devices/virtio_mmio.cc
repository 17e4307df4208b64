#include "hv/devices/virtio_mmio.h"

#include <unistd.h>

#include <cstring>

#include "hv/virtio/split_ring.h"

namespace strata::hv {

VirtioMmio::VirtioMmio(std::unique_ptr<VirtioDevice> device, std::string name, int log_fd)
    : device_(std::move(device)), name_(std::move(name)), log_fd_(log_fd), queues_(device_->num_queues()) {}

uint32_t VirtioMmio::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void VirtioMmio::log(const std::string& line) const {
  std::string msg = "strata-hv: " + name_ + ": " + line + "\n";
  (void)!::write(log_fd_, msg.data(), msg.size());
}

VirtQueueConfig* VirtioMmio::selected_queue() {
  return queue_sel_ < queues_.size() ? &queues_[queue_sel_] : nullptr;
}

void VirtioMmio::read(uint64_t offset, std::span<uint8_t> data) {
  std::lock_guard lock(mu_);
  if (offset >= mmio_reg::kConfig) {
    device_->read_config(offset - mmio_reg::kConfig, data);
    return;
  }
  // Registers are 32 bits wide and must be accessed as such; anything else
  // reads as zero rather than as a torn register.
  uint32_t v = (data.size() == 4 && offset % 4 == 0) ? read_register(offset) : 0;
  std::memset(data.data(), 0, data.size());
  std::memcpy(data.data(), &v, std::min(data.size(), sizeof v));
}

void VirtioMmio::write(uint64_t offset, std::span<const uint8_t> data) {
  if (offset >= mmio_reg::kConfig) return;  // net config space is read-only
  if (data.size() != 4 || offset % 4 != 0) return;
  uint32_t v;
  std::memcpy(&v, data.data(), 4);
  std::lock_guard lock(mu_);
  write_register(offset, v);
}

uint32_t VirtioMmio::read_register(uint64_t offset) {
  using namespace mmio_reg;
  VirtQueueConfig* q = selected_queue();
  switch (offset) {
    case kMagic: return kMagicValue;
    case kVersion: return 2;
    case kDeviceId: return device_->device_type();
    case kVendorId: return kVendor;
    case kDeviceFeatures:
      return device_features_sel_ > 1 ? 0 : uint32_t(device_->offered_features() >> (32 * device_features_sel_));
    case kQueueNumMax: return q ? device_->queue_max_size() : 0;
    case kQueueReady: return q && q->ready ? 1 : 0;
    // The backend signals "used buffers" through the call eventfd straight
    // into KVM, so the shim cannot know whether this interrupt was one; it
    // always says "vring", and a driver finding nothing new just returns.
    case kInterruptStatus: return active_ ? 1 : 0;
    case kStatus: return status_;
    case kConfigGeneration: return config_generation_;
    default: return 0;
  }
}

void VirtioMmio::write_register(uint64_t offset, uint32_t value) {
  using namespace mmio_reg;
  VirtQueueConfig* q = selected_queue();
  // Queue registers may change only before the driver says DRIVER_OK.
  bool queue_writable = q && !(status_ & device_status::kDriverOk);
  auto set_low = [](uint64_t& field, uint32_t v) { field = (field & ~0xffffffffull) | v; };
  auto set_high = [](uint64_t& field, uint32_t v) { field = (field & 0xffffffffull) | (uint64_t(v) << 32); };
  switch (offset) {
    case kDeviceFeaturesSel: device_features_sel_ = value; break;
    case kDriverFeaturesSel: driver_features_sel_ = value; break;
    case kDriverFeatures:
      if (driver_features_sel_ == 0) set_low(driver_features_, value);
      if (driver_features_sel_ == 1) set_high(driver_features_, value);
      break;
    case kQueueSel: queue_sel_ = value; break;
    case kQueueNum: if (queue_writable) q->size = uint16_t(value); break;
    case kQueueReady: if (queue_writable) q->ready = value & 1; break;
    case kQueueDescLow: if (queue_writable) set_low(q->desc, value); break;
    case kQueueDescHigh: if (queue_writable) set_high(q->desc, value); break;
    case kQueueAvailLow: if (queue_writable) set_low(q->avail, value); break;
    case kQueueAvailHigh: if (queue_writable) set_high(q->avail, value); break;
    case kQueueUsedLow: if (queue_writable) set_low(q->used, value); break;
    case kQueueUsedHigh: if (queue_writable) set_high(q->used, value); break;
    case kQueueNotify: break;  // unmatched notifications (bad queue index): nothing to do
    case kInterruptAck: break;  // see kInterruptStatus
    case kStatus: set_status(value); break;
    default: break;
  }
}

void VirtioMmio::set_status(uint32_t value) {
  using namespace device_status;
  if (value == 0) {
    reset_locked();
    return;
  }
  uint32_t added = value & ~status_;
  if (added & kFeaturesOk) {
    // Accept FEATURES_OK only for a subset of what was offered that includes
    // VERSION_1; otherwise leave the bit clear so the driver sees the refusal.
    uint64_t offered = device_->offered_features();
    if ((driver_features_ & ~offered) || !(driver_features_ & kVirtioFVersion1)) {
      log("driver asked for features outside the offer or without VERSION_1; refusing FEATURES_OK");
      value &= ~kFeaturesOk;
    }
  }
  if ((added & kDriverOk) && !active_) {
    Status s = Status::ok();
    if (!(value & kFeaturesOk)) s = failed_precondition("driver set DRIVER_OK without FEATURES_OK");
    for (size_t i = 0; s.is_ok() && i < queues_.size(); ++i) {
      const VirtQueueConfig& qc = queues_[i];
      if (qc.ready && (!split_ring_valid_size(qc.size) || qc.size > device_->queue_max_size())) {
        s = invalid_argument("queue " + std::to_string(i) + " has invalid size " + std::to_string(qc.size));
      }
    }
    if (s.is_ok()) s = device_->start_queues(driver_features_, queues_, VirtQueuePositions{}, false);
    if (s.is_ok()) {
      active_ = true;
    } else {
      log("cannot start the device: " + s.message());
      value |= kNeedsReset;
    }
  }
  status_ = value;
}

void VirtioMmio::reset_locked() {
  if (active_ && !paused_) device_->reset();
  active_ = paused_ = false;
  status_ = 0;
  driver_features_ = 0;
  device_features_sel_ = driver_features_sel_ = queue_sel_ = 0;
  for (auto& q : queues_) q = VirtQueueConfig{};
}

Status VirtioMmio::pause() {
  std::lock_guard lock(mu_);
  if (!active_ || paused_) return Status::ok();
  auto positions = device_->stop_queues();
  if (!positions) return positions.status().with_context(name_);
  positions_ = std::move(*positions);
  paused_ = true;
  return Status::ok();
}

Status VirtioMmio::resume() {
  std::lock_guard lock(mu_);
  if (!paused_) return Status::ok();
  STRATA_RETURN_IF_ERROR(device_->start_queues(driver_features_, queues_, positions_, false).with_context(name_));
  paused_ = false;
  return Status::ok();
}

bool VirtioMmio::paused() const {
  std::lock_guard lock(mu_);
  return paused_;
}

VirtioMmioState VirtioMmio::save() const {
  std::lock_guard lock(mu_);
  return {status_,     device_features_sel_, driver_features_sel_, driver_features_, queue_sel_, config_generation_,
          active_,     queues_,              positions_};
}

Status VirtioMmio::restore(const VirtioMmioState& s) {
  std::lock_guard lock(mu_);
  if (s.queues.size() != queues_.size()) {
    return invalid_argument(name_ + ": saved with " + std::to_string(s.queues.size()) + " queues, the device has " +
                            std::to_string(queues_.size()));
  }
  status_ = s.status;
  device_features_sel_ = s.device_features_sel;
  driver_features_sel_ = s.driver_features_sel;
  driver_features_ = s.driver_features;
  queue_sel_ = s.queue_sel;
  config_generation_ = s.config_generation;
  queues_ = s.queues;
  positions_ = s.positions;
  if (s.active) {
    // The features were accepted by the source's backend; a destination
    // offering less cannot carry this driver on.
    if (s.driver_features & ~device_->offered_features()) {
      return failed_precondition(name_ + ": the guest's driver uses features this backend does not offer");
    }
    STRATA_RETURN_IF_ERROR(device_->start_queues(driver_features_, queues_, positions_, true).with_context(name_));
  }
  active_ = s.active;
  paused_ = false;
  return Status::ok();
}

Status VirtioMmio::set_dirty_log(int fd, uint64_t bytes) {
  std::lock_guard lock(mu_);
  STRATA_RETURN_IF_ERROR(device_->set_dirty_log(fd, bytes).with_context(name_));
  if (!active_ || paused_) return Status::ok();  // takes effect when the queues start
  auto positions = device_->stop_queues();
  if (!positions) return positions.status().with_context(name_);
  return device_->start_queues(driver_features_, queues_, *positions, false).with_context(name_);
}

int VirtioMmio::backend_socket() const {
  std::lock_guard lock(mu_);
  return device_->backend_socket();
}

Status VirtioMmio::reconnect_backend(const GuestMemory& mem) {
  std::lock_guard lock(mu_);
  STRATA_RETURN_IF_ERROR(device_->reconnect().with_context(name_));
  if (!active_ || paused_) return Status::ok();
  // The old backend is gone without a GET_VRING_BASE: where it stood is
  // the used index it last published. It completes buffers in order, so
  // everything before that index is done and nothing after it was taken.
  VirtQueuePositions from;
  for (const VirtQueueConfig& q : queues_) {
    uint16_t idx = 0;
    if (q.ready) {
      const uint8_t* used = mem.host_ptr(q.used, 4);
      if (!used) return invalid_argument(name_ + ": used ring outside guest memory");
      idx = __atomic_load_n(reinterpret_cast<const uint16_t*>(used + 2), __ATOMIC_ACQUIRE);
    }
    from.next_avail.push_back(idx);
  }
  return device_->start_queues(driver_features_, queues_, from, true).with_context(name_);
}

}  // namespace strata::hv
