#include "hv/kvm_vm.h"

#include <fcntl.h>
#include <algorithm>
#include <sys/ioctl.h>

#include "hv/hex.h"
#include "hv/os_error.h"

namespace strata::hv {
namespace {

// Where KVM may put the three pages it needs for real-mode emulation on
// Intel (TSS) and the EPT identity map: just below 4 GiB, clear of the
// virtio-mmio window and of guest RAM, like other VMMs do.
constexpr uint64_t kTssAddress = 0xfffbd000;

struct Capability {
  int id;            // KVM_CAP_*
  const char* name;  // for the error message
};
constexpr Capability kRequired[] = {
    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"}, {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
    {KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD"},     {KVM_CAP_IRQFD, "KVM_CAP_IRQFD"},
    {KVM_CAP_PIT2, "KVM_CAP_PIT2"},               {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
};

}  // namespace

Result<KvmVm> KvmVm::create(const std::string& device) {
  UniqueFd kvm(::open(device.c_str(), O_RDWR | O_CLOEXEC));
  if (!kvm.valid()) {
    Status s = os_error("cannot open " + device);
    if (errno == ENOENT) {
      return Status(s.code(), s.message() + " (no KVM here: load kvm-intel or kvm-amd, or run inside a VM with nested virtualization)");
    }
    return s;
  }
  int version = ::ioctl(kvm.get(), KVM_GET_API_VERSION, 0);
  if (version != KVM_API_VERSION) {
    return failed_precondition(device + " speaks KVM API " + std::to_string(version) + ", strata-hv needs " +
                               std::to_string(KVM_API_VERSION));
  }
  for (const Capability& cap : kRequired) {
    if (::ioctl(kvm.get(), KVM_CHECK_EXTENSION, cap.id) <= 0) {
      return failed_precondition(std::string("this kernel's KVM lacks ") + cap.name + ", which strata-hv needs");
    }
  }
  int mmap_size = ::ioctl(kvm.get(), KVM_GET_VCPU_MMAP_SIZE, 0);
  if (mmap_size <= 0) return os_error("KVM_GET_VCPU_MMAP_SIZE failed");

  UniqueFd vm;
  for (int tries = 0; !vm.valid(); ++tries) {
    vm.reset(::ioctl(kvm.get(), KVM_CREATE_VM, 0));
    if (!vm.valid() && !(errno == EINTR && tries < 10)) return os_error("cannot create a KVM VM");
  }
  if (::ioctl(vm.get(), KVM_SET_TSS_ADDR, kTssAddress) != 0) return os_error("KVM_SET_TSS_ADDR failed");
  // The in-kernel PIC + IOAPIC + LAPICs: irqfd needs them, and they keep
  // interrupt delivery and EOIs out of userspace.
  if (::ioctl(vm.get(), KVM_CREATE_IRQCHIP, 0) != 0) return os_error("cannot create the in-kernel irqchip");
  // The in-kernel PIT: Linux calibrates and ticks with it. The dummy
  // speaker keeps port 0x61 (PIT gate and output) in the kernel too.
  kvm_pit_config pit{};
  pit.flags = KVM_PIT_SPEAKER_DUMMY;
  if (::ioctl(vm.get(), KVM_CREATE_PIT2, &pit) != 0) return os_error("cannot create the in-kernel PIT");
  return KvmVm(std::move(kvm), std::move(vm), size_t(mmap_size));
}

Status KvmVm::set_memory(const GuestMemory& mem, bool log_dirty) {
  kvm_userspace_memory_region region{};
  region.slot = 0;
  region.flags = log_dirty ? KVM_MEM_LOG_DIRTY_PAGES : 0;
  region.guest_phys_addr = 0;
  region.memory_size = mem.size();
  region.userspace_addr = reinterpret_cast<uint64_t>(mem.host_base());
  if (::ioctl(vm_.get(), KVM_SET_USER_MEMORY_REGION, &region) != 0) {
    return os_error("cannot give " + std::to_string(mem.size() >> 20) + " MiB of memory to the VM");
  }
  return Status::ok();
}

Status KvmVm::get_dirty_log(std::vector<uint64_t>& bitmap) {
  kvm_dirty_log log{};
  log.slot = 0;
  log.dirty_bitmap = bitmap.data();
  if (::ioctl(vm_.get(), KVM_GET_DIRTY_LOG, &log) != 0) return os_error("KVM_GET_DIRTY_LOG failed");
  return Status::ok();
}

Status KvmVm::add_ioeventfd(uint64_t addr, uint32_t len, uint64_t datamatch, int fd) {
  kvm_ioeventfd io{};
  io.addr = addr;
  io.len = len;
  io.datamatch = datamatch;
  io.fd = fd;
  io.flags = KVM_IOEVENTFD_FLAG_DATAMATCH;
  if (::ioctl(vm_.get(), KVM_IOEVENTFD, &io) != 0) return os_error("cannot register an ioeventfd at " + hex(addr));
  return Status::ok();
}

Status KvmVm::add_irqfd(int fd, uint32_t gsi) {
  kvm_irqfd irq{};
  irq.fd = uint32_t(fd);
  irq.gsi = gsi;
  if (::ioctl(vm_.get(), KVM_IRQFD, &irq) != 0) return os_error("cannot register an irqfd for IRQ " + std::to_string(gsi));
  return Status::ok();
}

Status KvmVm::set_irq_line(uint32_t irq, bool level) {
  kvm_irq_level l{};
  l.irq = irq;
  l.level = level ? 1 : 0;
  if (::ioctl(vm_.get(), KVM_IRQ_LINE, &l) != 0) return os_error("KVM_IRQ_LINE failed for IRQ " + std::to_string(irq));
  return Status::ok();
}

Result<std::vector<kvm_cpuid_entry2>> KvmVm::supported_cpuid() const {
  // KVM_MAX_CPUID_ENTRIES (256) is enough for every kernel so far; grow if
  // a future one says E2BIG.
  for (uint32_t n = 256; n <= 4096; n *= 2) {
    std::vector<uint8_t> buf(sizeof(KvmCpuid2Header) + n * sizeof(kvm_cpuid_entry2));
    auto* c = reinterpret_cast<KvmCpuid2Header*>(buf.data());
    auto* entries = reinterpret_cast<kvm_cpuid_entry2*>(buf.data() + sizeof(KvmCpuid2Header));
    c->nent = n;
    if (::ioctl(kvm_.get(), kKvmGetSupportedCpuid, c) == 0) {
      return std::vector<kvm_cpuid_entry2>(entries, entries + std::min(c->nent, n));
    }
    if (errno != E2BIG) return os_error("KVM_GET_SUPPORTED_CPUID with room for " + std::to_string(n) + " entries failed");
  }
  return internal_error("KVM_GET_SUPPORTED_CPUID wants more than 4096 entries");
}

}  // namespace strata::hv
