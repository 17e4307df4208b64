// VmState: what the VM itself holds beside its vCPUs: the in-kernel
// interrupt controllers (PIC master and slave, IOAPIC), the PIT, and
// kvmclock's time. Saved after every vCPU is parked; restored before any
// vCPU state (the LAPICs' routing lands on a restored IOAPIC).
#pragma once

#include <linux/kvm.h>

#include <span>

#include "base/status.h"
#include "hv/state/byte_codec.h"

namespace strata::hv::state {

struct VmState {
  kvm_irqchip pic_master{};  // KVM_IRQCHIP_PIC_MASTER
  kvm_irqchip pic_slave{};   // KVM_IRQCHIP_PIC_SLAVE
  kvm_irqchip ioapic{};      // KVM_IRQCHIP_IOAPIC
  kvm_pit_state2 pit{};      // the in-kernel i8254
  kvm_clock_data clock{};    // kvmclock's nanoseconds, so guest time does not jump back
};

Result<VmState> save_vm(int vm_fd);
Status restore_vm(int vm_fd, const VmState& s);

void encode_vm(const VmState& s, ByteWriter& w);
Result<VmState> decode_vm(std::span<const uint8_t> payload);

}  // namespace strata::hv::state
