// KvmVm: the /dev/kvm handle and one VM: its memory slot, the in-kernel
// interrupt controllers (PIC, IOAPIC, LAPICs, PIT), and the eventfd wiring
// (ioeventfd, irqfd) that keeps virtqueue doorbells and interrupts out of the
// shim's userspace.
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "hv/guest_memory.h"
#include "hv/unique_fd.h"

namespace strata::hv {

// struct kvm_cpuid2 ends in __DECLARE_FLEX_ARRAY, which in C++ puts a 1-byte
// empty struct before the entries: g++ sees entries at offset 12 and a
// 12-byte struct, the kernel's C at 8. Both the layout and the ioctl numbers
// (which encode the size) come out wrong, and KVM answers EINVAL. strata-hv
// never uses struct kvm_cpuid2: this header, then the entries at offset 8.
struct KvmCpuid2Header {
  uint32_t nent;     // entries that follow
  uint32_t padding;  // zero
};
constexpr unsigned long kKvmGetSupportedCpuid = _IOWR(KVMIO, 0x05, KvmCpuid2Header);
constexpr unsigned long kKvmSetCpuid2 = _IOW(KVMIO, 0x90, KvmCpuid2Header);
static_assert(kKvmGetSupportedCpuid == 0xc008ae05, "KVM_GET_SUPPORTED_CPUID as the kernel numbers it");
static_assert(kKvmSetCpuid2 == 0x4008ae90, "KVM_SET_CPUID2 as the kernel numbers it");

class KvmVm {
 public:
  // Opens `device` (normally /dev/kvm), checks the API version and the
  // capabilities strata-hv depends on, creates the VM and its irqchip.
  static Result<KvmVm> create(const std::string& device = "/dev/kvm");

  int vm_fd() const { return vm_.get(); }
  int kvm_fd() const { return kvm_.get(); }
  size_t vcpu_mmap_size() const { return vcpu_mmap_size_; }

  // Maps all of `mem` at guest-physical 0 (slot 0); with `log_dirty`, KVM
  // records every page the guest writes (live migration).
  Status set_memory(const GuestMemory& mem, bool log_dirty = false);
  // Copies slot 0's dirty bitmap (one bit per 4 KiB page, 64 pages per
  // word) into `bitmap` and clears it in KVM.
  Status get_dirty_log(std::vector<uint64_t>& bitmap);
  // Guest writes of `len` bytes equal to `datamatch` at MMIO address `addr`
  // signal `fd` inside the kernel, with no exit to the shim.
  Status add_ioeventfd(uint64_t addr, uint32_t len, uint64_t datamatch, int fd);
  // Signalling `fd` raises interrupt line `gsi` inside the kernel.
  Status add_irqfd(int fd, uint32_t gsi);
  // Sets the level of interrupt line `irq` (devices the shim emulates).
  Status set_irq_line(uint32_t irq, bool level);
  // The CPUID leaves KVM can give a guest, to be set on every vCPU.
  Result<std::vector<kvm_cpuid_entry2>> supported_cpuid() const;

 private:
  KvmVm(UniqueFd kvm, UniqueFd vm, size_t mmap_size) : kvm_(std::move(kvm)), vm_(std::move(vm)), vcpu_mmap_size_(mmap_size) {}

  UniqueFd kvm_;               // /dev/kvm
  UniqueFd vm_;                // the VM
  size_t vcpu_mmap_size_ = 0;  // size of each vCPU's kvm_run mapping
};

}  // namespace strata::hv
