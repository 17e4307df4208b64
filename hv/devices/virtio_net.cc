#include "hv/devices/virtio_net.h"

#include <sys/eventfd.h>

#include <cstring>

#include "hv/devices/virtio_mmio.h"
#include "hv/hex.h"
#include "hv/os_error.h"
#include "hv/virtio/split_ring.h"

namespace strata::hv {

uint64_t net_offered_features(uint64_t backend_features) {
  return kNetOwnFeatures | (backend_features & kNetPassthroughFeatures);
}

uint64_t net_backend_features(uint64_t acked, uint64_t backend_features, bool protocol_features) {
  // MAC and STATUS are the shim's business, but the backend may still offer
  // them; only bits the backend offered are ever sent back.
  return (acked & backend_features) | (protocol_features ? vhost_user::kFeatureProtocolFeatures : 0);
}

Result<vhost_user::VringAddr> translate_vring(const GuestMemory& mem, uint32_t index, const VirtQueueConfig& q) {
  struct Part {
    const char* name;  // for the error
    uint64_t gpa;      // where the driver put it
    uint64_t bytes;    // its size for q.size entries
    uint64_t align;    // the spec's alignment
  };
  const Part parts[] = {
      {"descriptor table", q.desc, split_ring_desc_bytes(q.size), SPLIT_RING_DESC_ALIGN},
      {"avail ring", q.avail, split_ring_avail_bytes(q.size), SPLIT_RING_AVAIL_ALIGN},
      {"used ring", q.used, split_ring_used_bytes(q.size), SPLIT_RING_USED_ALIGN},
  };
  uint64_t host[3];
  for (int i = 0; i < 3; ++i) {
    const Part& p = parts[i];
    uint8_t* h = mem.host_ptr(p.gpa, p.bytes);
    if (!h || p.gpa % p.align != 0) {
      return invalid_argument("queue " + std::to_string(index) + " " + p.name + " at " + hex(p.gpa) +
                              " is outside guest RAM or misaligned");
    }
    host[i] = reinterpret_cast<uint64_t>(h);
  }
  vhost_user::VringAddr a{};
  a.index = index;
  a.desc = host[0];
  a.avail = host[1];
  a.used = host[2];
  return a;
}

VhostUserNet::VhostUserNet(const NetOption& opt, const GuestMemory& mem, std::unique_ptr<vhost_user::Frontend> fe)
    : opt_(opt), mem_(mem), frontend_(std::move(fe)) {
  offered_ = net_offered_features(frontend_->backend_features());
}

Result<std::unique_ptr<VhostUserNet>> VhostUserNet::connect(const NetOption& opt, const GuestMemory& mem) {
  auto fe = vhost_user::Frontend::connect(opt.socket);
  if (!fe) return fe.status();
  if (!((*fe)->backend_features() & kVirtioFVersion1)) {
    return failed_precondition("vhost-user " + opt.socket +
                               ": backend does not offer VIRTIO_F_VERSION_1, which virtio-mmio v2 needs");
  }
  return std::unique_ptr<VhostUserNet>(new VhostUserNet(opt, mem, std::move(*fe)));
}

Status VhostUserNet::attach(KvmVm& vm, uint64_t mmio_base, uint32_t irq) {
  for (uint32_t q = 0; q < kNetNumQueues; ++q) {
    kick_[q].reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!kick_[q].valid()) return os_error("cannot create a kick eventfd");
    STRATA_RETURN_IF_ERROR(vm.add_ioeventfd(mmio_base + mmio_reg::kQueueNotify, 4, q, kick_[q].get()));
  }
  // One call eventfd for both queues: they share the device's one IRQ.
  call_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!call_.valid()) return os_error("cannot create a call eventfd");
  return vm.add_irqfd(call_.get(), irq);
}

void VhostUserNet::read_config(uint64_t offset, std::span<uint8_t> data) const {
  // struct virtio_net_config: mac[6], status (u16), max_virtqueue_pairs (u16).
  uint8_t config[10] = {};
  std::memcpy(config, opt_.mac.data(), 6);
  config[6] = 1;  // VIRTIO_NET_S_LINK_UP
  config[8] = 1;  // one queue pair
  for (size_t i = 0; i < data.size(); ++i) data[i] = offset + i < sizeof config ? config[offset + i] : 0;
}

Status VhostUserNet::start_queues(uint64_t features, std::span<const VirtQueueConfig> queues,
                                  const VirtQueuePositions& from, bool restored) {
  vhost_user::Frontend& fe = *frontend_;
  const bool logging = log_fd_ >= 0;
  uint64_t backend_features = net_backend_features(features, fe.backend_features(), fe.has_protocol_features());
  if (logging) {
    backend_features |= vhost_user::kFeatureLogAll;
    STRATA_RETURN_IF_ERROR(fe.set_log_base(log_fd_, log_bytes_));
  }
  STRATA_RETURN_IF_ERROR(fe.set_features(backend_features));
  vhost_user::MemoryRegion region{0, mem_.size(), reinterpret_cast<uint64_t>(mem_.host_base()), 0};
  int mem_fd[] = {mem_.fd()};
  STRATA_RETURN_IF_ERROR(fe.set_mem_table({&region, 1}, mem_fd));
  enabled_queues_ = 0;
  for (uint32_t i = 0; i < queues.size() && i < kNetNumQueues; ++i) {
    const VirtQueueConfig& q = queues[i];
    if (!q.ready) continue;
    auto addr = translate_vring(mem_, i, q);
    if (!addr) return addr.status();
    if (logging) {
      // The used ring's writes are logged at its guest-physical address.
      addr->flags |= vhost_user::kVringFLog;
      addr->log = q.used;
    }
    STRATA_RETURN_IF_ERROR(fe.set_vring_num(i, q.size));
    STRATA_RETURN_IF_ERROR(fe.set_vring_base(i, i < from.next_avail.size() ? from.next_avail[i] : 0));
    STRATA_RETURN_IF_ERROR(fe.set_vring_addr(*addr));
    STRATA_RETURN_IF_ERROR(fe.set_vring_kick(i, kick_[i].get()));
    STRATA_RETURN_IF_ERROR(fe.set_vring_call(i, call_.get()));
    enabled_queues_ |= 1u << i;
  }
  // With protocol features, rings start disabled and must be enabled
  // explicitly; without, they are enabled once kicked.
  if (fe.has_protocol_features()) {
    for (uint32_t i = 0; i < kNetNumQueues; ++i) {
      if (enabled_queues_ & (1u << i)) STRATA_RETURN_IF_ERROR(fe.set_vring_enable(i, true));
    }
  }
  // A guest restored or moved behind a new port: the backend tells the
  // switch where its MAC now lives (a RARP it sends as if from the guest),
  // so MAC learning follows at once, without the guest's help.
  if (restored && fe.can_announce()) STRATA_RETURN_IF_ERROR(fe.send_rarp(opt_.mac));
  return Status::ok();
}

Status VhostUserNet::reconnect() {
  auto fe = vhost_user::Frontend::connect(opt_.socket);
  if (!fe) return fe.status();
  // The driver agreed on features with the old backend; a new one must
  // still offer every data-path feature the guest uses.
  const uint64_t used = frontend_->backend_features() & kNetPassthroughFeatures;
  if (used & ~(*fe)->backend_features()) {
    return failed_precondition("vhost-user " + opt_.socket + ": the restarted backend offers other data-path features");
  }
  frontend_ = std::move(*fe);
  enabled_queues_ = 0;
  return Status::ok();
}

Status VhostUserNet::set_dirty_log(int fd, uint64_t bytes) {
  if (fd >= 0 && !frontend_->can_log_dirty()) {
    return failed_precondition("vhost-user backend " + opt_.socket +
                               " cannot log its writes to guest memory (no VHOST_F_LOG_ALL / LOG_SHMFD), so the guest "
                               "cannot be live-migrated over the network");
  }
  log_fd_ = fd;
  log_bytes_ = bytes;
  return Status::ok();
}

Result<VirtQueuePositions> VhostUserNet::stop_queues() {
  VirtQueuePositions at;
  at.next_avail.assign(kNetNumQueues, 0);
  for (uint32_t i = 0; i < kNetNumQueues; ++i) {
    if (!(enabled_queues_ & (1u << i))) continue;
    if (frontend_->has_protocol_features()) STRATA_RETURN_IF_ERROR(frontend_->set_vring_enable(i, false));
    auto base = frontend_->get_vring_base(i);
    if (!base) return base.status();
    at.next_avail[i] = uint16_t(*base);
  }
  enabled_queues_ = 0;
  return at;
}

void VhostUserNet::reset() {
  // GET_VRING_BASE stops a ring in the backend: it must not touch guest
  // memory the driver is about to reuse. Where it stood no longer matters.
  (void)stop_queues();
}

}  // namespace strata::hv
