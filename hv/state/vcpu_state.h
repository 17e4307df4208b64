// VcpuState: everything KVM holds for one vCPU, read and written in the
// order KVM requires (the order Firecracker and Cloud Hypervisor use).
//
// Read: MP_STATE first (KVM_GET_MP_STATE runs the LAPIC's pending INIT/SIPI
// and may change the rest), then REGS, SREGS, FPU, XSAVE, XCRS, DEBUGREGS,
// LAPIC, MSRS, and VCPU_EVENTS last (it reads what the others left pending),
// TSC_KHZ and NESTED_STATE where the kernel has them.
// Write: TSC_KHZ first (the TSC MSR is interpreted at that rate), MP_STATE,
// REGS, SREGS, XSAVE (or FPU), XCRS, DEBUGREGS, LAPIC (before MSRS: the
// TSC-deadline MSR lives in it), MSRS, VCPU_EVENTS (after SREGS and LAPIC,
// which would otherwise clobber the pending interrupt it carries),
// NESTED_STATE. Only ever on a vCPU no thread is running.
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "hv/state/byte_codec.h"

namespace strata::hv::state {

struct VcpuState {
  kvm_mp_state mp_state{};              // runnable, halted, waiting for SIPI ...
  kvm_regs regs{};                      // general-purpose registers, RIP, RFLAGS
  kvm_sregs sregs{};                    // segments, control registers, EFER, APIC base
  kvm_fpu fpu{};                        // x87/SSE, for kernels without XSAVE
  std::vector<uint8_t> xsave;           // KVM_GET_XSAVE(2) area; empty without KVM_CAP_XSAVE
  kvm_xcrs xcrs{};                      // XCR0
  kvm_debugregs debugregs{};            // DR0-3, DR6, DR7
  kvm_lapic_state lapic{};              // the in-kernel LAPIC's register page
  std::vector<kvm_msr_entry> msrs;      // every MSR of KVM_GET_MSR_INDEX_LIST that reads back
  kvm_vcpu_events events{};             // pending exceptions, interrupts, NMI, SMI
  uint32_t tsc_khz = 0;                 // the vCPU's TSC rate; 0 when KVM cannot say
  std::vector<uint8_t> nested;          // KVM_GET_NESTED_STATE, empty where absent
};

// What a VM's vCPUs share when saving: the MSR indexes to read, found once.
struct VcpuStateContext {
  std::vector<uint32_t> msr_indexes;  // KVM_GET_MSR_INDEX_LIST, as the kernel listed it
  uint32_t xsave_bytes = 0;           // 0: no XSAVE; 4096: KVM_GET_XSAVE; more: KVM_GET_XSAVE2
  uint32_t nested_bytes = 0;          // KVM_CAP_NESTED_STATE's size, 0 when absent

  // Asks /dev/kvm (`kvm_fd`) and the VM (`vm_fd`) what there is to save.
  static Result<VcpuStateContext> probe(int kvm_fd, int vm_fd);
};

Result<VcpuState> save_vcpu(int vcpu_fd, const VcpuStateContext& ctx);
Status restore_vcpu(int vcpu_fd, const VcpuState& s);
// Tells the guest's kvmclock it was paused (its watchdogs then do not fire
// on the jump); a guest without kvmclock makes KVM answer EINVAL, ignored.
void notify_clock_paused(int vcpu_fd);

void encode_vcpu(const VcpuState& s, ByteWriter& w);
Result<VcpuState> decode_vcpu(std::span<const uint8_t> payload);

}  // namespace strata::hv::state
