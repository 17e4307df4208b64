#include "hv/vcpu.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "hv/boot/long_mode.h"
#include "hv/hex.h"
#include "hv/os_error.h"

namespace strata::hv {

Result<std::unique_ptr<Vcpu>> Vcpu::create(const KvmVm& vm, uint32_t index,
                                           const std::vector<kvm_cpuid_entry2>& cpuid) {
  UniqueFd fd(::ioctl(vm.vm_fd(), KVM_CREATE_VCPU, index));
  if (!fd.valid()) return os_error("cannot create vCPU " + std::to_string(index));
  void* run = ::mmap(nullptr, vm.vcpu_mmap_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (run == MAP_FAILED) return os_error("cannot map vCPU " + std::to_string(index) + "'s kvm_run");
  std::unique_ptr<Vcpu> vcpu(new Vcpu(index, std::move(fd), static_cast<kvm_run*>(run), vm.vcpu_mmap_size()));

  // Each vCPU reports its own APIC id, or an SMP guest sees N copies of CPU 0.
  std::vector<uint8_t> buf(sizeof(KvmCpuid2Header) + cpuid.size() * sizeof(kvm_cpuid_entry2));
  auto* c = reinterpret_cast<KvmCpuid2Header*>(buf.data());
  auto* entries = reinterpret_cast<kvm_cpuid_entry2*>(buf.data() + sizeof(KvmCpuid2Header));
  c->nent = uint32_t(cpuid.size());
  std::memcpy(entries, cpuid.data(), cpuid.size() * sizeof(kvm_cpuid_entry2));
  for (uint32_t i = 0; i < c->nent; ++i) {
    kvm_cpuid_entry2& e = entries[i];
    if (e.function == 1) e.ebx = (e.ebx & 0x00ffffff) | (index << 24);
    if (e.function == 0xb || e.function == 0x1f) e.edx = index;
  }
  if (::ioctl(vcpu->fd_.get(), kKvmSetCpuid2, c) != 0) return os_error("cannot set CPUID of vCPU " + std::to_string(index));
  return vcpu;
}

Vcpu::~Vcpu() { ::munmap(run_, run_size_); }

Status Vcpu::set_boot_state(const BootRegisters& boot) {
  kvm_sregs sregs{};
  if (::ioctl(fd_.get(), KVM_GET_SREGS, &sregs) != 0) return os_error("KVM_GET_SREGS failed");
  boot::set_long_mode_sregs(sregs);
  if (::ioctl(fd_.get(), KVM_SET_SREGS, &sregs) != 0) return os_error("cannot put the boot vCPU in long mode");
  kvm_regs regs{};
  regs.rflags = 0x2;  // bit 1 is reserved-one; interrupts off until the guest is ready
  regs.rip = boot.rip;
  regs.rsp = boot.rsp;
  regs.rbp = boot.rsp;
  regs.rdi = boot.rdi;
  regs.rsi = boot.rsi;
  if (::ioctl(fd_.get(), KVM_SET_REGS, &regs) != 0) return os_error("cannot set the boot vCPU's registers");
  return Status::ok();
}

void Vcpu::handle_io(const IoBus& pio, ExitStats& stats) {
  stats.io.fetch_add(1, std::memory_order_relaxed);
  auto& io = run_->io;
  uint8_t* data = reinterpret_cast<uint8_t*>(run_) + io.data_offset;
  // `rep ins/outs` arrive as one exit with count > 1.
  for (uint32_t i = 0; i < io.count; ++i, data += io.size) {
    std::span<uint8_t> bytes(data, io.size);
    if (io.direction == KVM_EXIT_IO_IN) {
      if (!pio.read(io.port, bytes)) {
        std::memset(data, 0xff, io.size);  // nothing there: the bus floats high
        stats.unhandled.fetch_add(1, std::memory_order_relaxed);
        stats.last_unhandled.store(io.port, std::memory_order_relaxed);
      }
    } else if (!pio.write(io.port, bytes)) {
      stats.unhandled.fetch_add(1, std::memory_order_relaxed);
      stats.last_unhandled.store(io.port, std::memory_order_relaxed);
    }
  }
}

void Vcpu::handle_mmio(const IoBus& mmio, ExitStats& stats) {
  stats.mmio.fetch_add(1, std::memory_order_relaxed);
  auto& m = run_->mmio;
  uint32_t len = std::min<uint32_t>(m.len, sizeof m.data);
  std::span<uint8_t> bytes(m.data, len);
  if (m.is_write) {
    if (!mmio.write(m.phys_addr, bytes)) stats.unhandled.fetch_add(1, std::memory_order_relaxed);
  } else if (!mmio.read(m.phys_addr, bytes)) {
    std::memset(m.data, 0xff, len);
    stats.unhandled.fetch_add(1, std::memory_order_relaxed);
  }
}

std::string Vcpu::state_report(const GuestMemory& mem) const {
  const std::string who = "vCPU " + std::to_string(index_);
  kvm_regs r{};
  kvm_sregs s{};
  if (::ioctl(fd_.get(), KVM_GET_REGS, &r) != 0 || ::ioctl(fd_.get(), KVM_GET_SREGS, &s) != 0) {
    return os_error(who + ": cannot read its registers").message();
  }
  std::string out = who + ": rip " + hex(r.rip) + " rsp " + hex(r.rsp) + " rflags " + hex(r.rflags) + " rax " +
                    hex(r.rax) + " cs " + hex(s.cs.selector) + " cr0 " + hex(s.cr0) + " cr2 " + hex(s.cr2) + " cr3 " +
                    hex(s.cr3) + " cr4 " + hex(s.cr4) + " efer " + hex(s.efer) + " gdt " + hex(s.gdt.base) + "/" +
                    hex(s.gdt.limit) + " idt " + hex(s.idt.base) + "/" + hex(s.idt.limit);
  // The test guest runs on strata-hv's identity map, so its RIP is also a
  // guest-physical address; a Linux guest's is not, and then this is skipped.
  constexpr uint64_t kCodeBytes = 16;
  if (const uint8_t* code = mem.host_ptr(r.rip, kCodeBytes)) {
    static constexpr char kDigits[] = "0123456789abcdef";
    out += "; code at rip:";
    for (uint64_t i = 0; i < kCodeBytes; ++i) {
      out += ' ';
      out += kDigits[code[i] >> 4];
      out += kDigits[code[i] & 0xf];
    }
  }
  return out;
}

void Vcpu::complete_pending_exit(const IoBus& pio, const IoBus& mmio, ExitStats& stats) {
  __atomic_store_n(&run_->immediate_exit, 1, __ATOMIC_SEQ_CST);
  // A `rep ins/outs` may need more than one round trip to finish: each
  // further exit is served here until KVM answers EINTR.
  while (::ioctl(fd_.get(), KVM_RUN, 0) == 0) {
    if (run_->exit_reason == KVM_EXIT_IO) {
      handle_io(pio, stats);
    } else if (run_->exit_reason == KVM_EXIT_MMIO) {
      handle_mmio(mmio, stats);
    } else {
      const std::string msg = "strata-hv: vCPU " + std::to_string(index_) + ": exit " +
                              std::to_string(run_->exit_reason) + " while pausing, left pending\n";
      (void)!::write(STDERR_FILENO, msg.data(), msg.size());
      break;
    }
  }
  __atomic_store_n(&run_->immediate_exit, 0, __ATOMIC_SEQ_CST);
}

GuestStop Vcpu::run(const IoBus& pio, const IoBus& mmio, ExitStats& stats, const std::atomic<bool>& stop, VcpuGate& gate) {
  using Kind = GuestStop::Kind;
  const std::string who = "vCPU " + std::to_string(index_);
  while (!stop.load()) {
    if (gate.pause_requested()) {
      complete_pending_exit(pio, mmio, stats);
      gate.park(stop);
      continue;
    }
    if (::ioctl(fd_.get(), KVM_RUN, 0) != 0) {
      if (errno == EINTR || errno == EAGAIN) {
        stats.other.fetch_add(1, std::memory_order_relaxed);
        if (!stop.load()) __atomic_store_n(&run_->immediate_exit, 0, __ATOMIC_SEQ_CST);
        continue;
      }
      return {Kind::kError, 0, os_error(who + ": KVM_RUN failed").message()};
    }
    stats.last_exit_ns.store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed);
    switch (run_->exit_reason) {
      case KVM_EXIT_IO: handle_io(pio, stats); break;
      case KVM_EXIT_MMIO: handle_mmio(mmio, stats); break;
      case KVM_EXIT_SHUTDOWN:
        // A triple fault: the guest crashed with no way to report why. Not
        // a clean reset (those come through the reset ports or a system
        // event), so the exit status says failure and a supervisor restarts it.
        stats.other.fetch_add(1);
        return {Kind::kError, 0, who + ": guest triple-faulted (shutdown)"};
      case KVM_EXIT_HLT:
        stats.other.fetch_add(1);
        return {Kind::kPowerOff, 0, who + ": guest halted"};
      case KVM_EXIT_SYSTEM_EVENT:
        stats.other.fetch_add(1);
        if (run_->system_event.type == KVM_SYSTEM_EVENT_RESET) return {Kind::kReset, 0, who + ": guest reset"};
        if (run_->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) return {Kind::kPowerOff, 0, who + ": guest powered off"};
        return {Kind::kError, 0, who + ": guest crashed (system event " + std::to_string(run_->system_event.type) + ")"};
      case KVM_EXIT_FAIL_ENTRY:
        return {Kind::kError, 0,
                who + ": KVM could not enter the guest (hardware reason " +
                    hex(run_->fail_entry.hardware_entry_failure_reason) + ")"};
      case KVM_EXIT_INTERNAL_ERROR:
        return {Kind::kError, 0,
                who + ": KVM internal error (suberror " + std::to_string(run_->internal.suberror) +
                    "); the guest executed something KVM cannot emulate"};
      default:
        stats.other.fetch_add(1);
        return {Kind::kError, 0, who + ": unexpected KVM exit reason " + std::to_string(run_->exit_reason)};
    }
  }
  return {Kind::kSignal, 0, who + ": stopped"};
}

}  // namespace strata::hv
