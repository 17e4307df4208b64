#include "hv/state/vm_state.h"

#include <sys/ioctl.h>

#include "hv/os_error.h"

namespace strata::hv::state {
namespace {

Status chip_ioctl(int fd, unsigned long request, kvm_irqchip& chip, uint32_t id, const char* name) {
  chip.chip_id = id;
  if (::ioctl(fd, request, &chip) != 0) return os_error(std::string(name) + " (chip " + std::to_string(id) + ") failed");
  return Status::ok();
}

}  // namespace

Result<VmState> save_vm(int fd) {
  VmState s;
  STRATA_RETURN_IF_ERROR(chip_ioctl(fd, KVM_GET_IRQCHIP, s.pic_master, KVM_IRQCHIP_PIC_MASTER, "KVM_GET_IRQCHIP"));
  STRATA_RETURN_IF_ERROR(chip_ioctl(fd, KVM_GET_IRQCHIP, s.pic_slave, KVM_IRQCHIP_PIC_SLAVE, "KVM_GET_IRQCHIP"));
  STRATA_RETURN_IF_ERROR(chip_ioctl(fd, KVM_GET_IRQCHIP, s.ioapic, KVM_IRQCHIP_IOAPIC, "KVM_GET_IRQCHIP"));
  if (::ioctl(fd, KVM_GET_PIT2, &s.pit) != 0) return os_error("KVM_GET_PIT2 failed");
  if (::ioctl(fd, KVM_GET_CLOCK, &s.clock) != 0) return os_error("KVM_GET_CLOCK failed");
  return s;
}

Status restore_vm(int fd, const VmState& s) {
  VmState c = s;  // the ioctls take non-const pointers
  STRATA_RETURN_IF_ERROR(chip_ioctl(fd, KVM_SET_IRQCHIP, c.pic_master, KVM_IRQCHIP_PIC_MASTER, "KVM_SET_IRQCHIP"));
  STRATA_RETURN_IF_ERROR(chip_ioctl(fd, KVM_SET_IRQCHIP, c.pic_slave, KVM_IRQCHIP_PIC_SLAVE, "KVM_SET_IRQCHIP"));
  STRATA_RETURN_IF_ERROR(chip_ioctl(fd, KVM_SET_IRQCHIP, c.ioapic, KVM_IRQCHIP_IOAPIC, "KVM_SET_IRQCHIP"));
  if (::ioctl(fd, KVM_SET_PIT2, &c.pit) != 0) return os_error("KVM_SET_PIT2 failed");
  // KVM_SET_CLOCK honours only KVM_CLOCK_REALTIME in flags; the others
  // describe the source host's clock and would be refused.
  c.clock.flags = 0;
  if (::ioctl(fd, KVM_SET_CLOCK, &c.clock) != 0) return os_error("KVM_SET_CLOCK failed");
  return Status::ok();
}

void encode_vm(const VmState& s, ByteWriter& w) {
  w.pod(s.pic_master);
  w.pod(s.pic_slave);
  w.pod(s.ioapic);
  w.pod(s.pit);
  w.pod(s.clock);
}

Result<VmState> decode_vm(std::span<const uint8_t> payload) {
  ByteReader r(payload, "VM state");
  VmState s;
  r.pod(s.pic_master);
  r.pod(s.pic_slave);
  r.pod(s.ioapic);
  r.pod(s.pit);
  r.pod(s.clock);
  if (r.status().is_ok() && !r.at_end()) r.fail("bytes after the VM state");
  if (r.status().is_ok() && (s.pic_master.chip_id != KVM_IRQCHIP_PIC_MASTER || s.pic_slave.chip_id != KVM_IRQCHIP_PIC_SLAVE ||
                             s.ioapic.chip_id != KVM_IRQCHIP_IOAPIC)) {
    r.fail("irqchips saved under the wrong chip ids");
  }
  if (!r.status().is_ok()) return r.status();
  return s;
}

}  // namespace strata::hv::state
