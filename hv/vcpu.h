// Vcpu: one KVM vCPU, run by one thread. Sets up the boot CPU's registers
// for 64-bit entry and turns KVM exits into device accesses, or into the
// reason the VM stops.
#pragma once

#include <linux/kvm.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "hv/devices/io_bus.h"
#include "hv/exit_stats.h"
#include "hv/guest_memory.h"
#include "hv/kvm_vm.h"
#include "hv/unique_fd.h"
#include "hv/vcpu_gate.h"

namespace strata::hv {

// Registers the boot vCPU starts with (the rest come from long_mode.h).
struct BootRegisters {
  uint64_t rip = 0;  // entry point
  uint64_t rsp = 0;  // initial stack
  uint64_t rdi = 0;  // first argument (ELF: command line address)
  uint64_t rsi = 0;  // second argument (Linux: zero page; ELF: RAM size)
};

// Why a VM stopped.
struct GuestStop {
  enum class Kind {
    kExitCode,  // the guest wrote an exit code to the control port
    kReset,     // the guest rebooted (reset port, triple fault, KVM system event)
    kPowerOff,  // the guest powered off (KVM system event) or halted for good
    kSignal,    // the shim was told to stop (SIGINT/SIGTERM)
    kError,     // KVM or the shim failed; `message` says how
    kMigrated,  // the guest now runs elsewhere (a completed live migration)
  };
  Kind kind = Kind::kError;  // what happened
  int exit_code = 0;         // for kExitCode; the signal number for kSignal
  std::string message;       // human-readable detail
};

class Vcpu {
 public:
  // Creates vCPU `index` with KVM's supported CPUID (APIC ids fixed up).
  static Result<std::unique_ptr<Vcpu>> create(const KvmVm& vm, uint32_t index,
                                              const std::vector<kvm_cpuid_entry2>& cpuid);
  ~Vcpu();
  Vcpu(const Vcpu&) = delete;
  Vcpu& operator=(const Vcpu&) = delete;

  uint32_t index() const { return index_; }
  // Long mode, flat segments, the boot page tables, and `regs`.
  Status set_boot_state(const BootRegisters& regs);

  // Runs the vCPU until `stop` becomes true or the guest stops the VM,
  // parking in `gate` whenever a pause is requested. Returns kSignal when
  // stopped from outside.
  GuestStop run(const IoBus& pio, const IoBus& mmio, ExitStats& stats, const std::atomic<bool>& stop, VcpuGate& gate);

  int fd() const { return fd_.get(); }

  // One line of the vCPU's registers (RIP, RSP, flags, control and
  // descriptor-table registers) and the bytes at RIP when RIP is a
  // guest-physical address in `mem` (the ELF guest's identity map), for a
  // guest that crashed or stopped making progress. Call it only while no
  // thread is in KVM_RUN on this vCPU.
  std::string state_report(const GuestMemory& mem) const;

  // Makes a concurrent or next KVM_RUN return at once (then signal the
  // thread to interrupt one already in the kernel).
  void request_immediate_exit() { __atomic_store_n(&run_->immediate_exit, 1, __ATOMIC_SEQ_CST); }

 private:
  Vcpu(uint32_t index, UniqueFd fd, kvm_run* run, size_t run_size)
      : index_(index), fd_(std::move(fd)), run_(run), run_size_(run_size) {}
  void handle_io(const IoBus& pio, ExitStats& stats);
  void handle_mmio(const IoBus& mmio, ExitStats& stats);
  // Re-enters KVM_RUN with immediate_exit set: KVM finishes the port or
  // MMIO instruction whose exit was just handled, then returns at once.
  void complete_pending_exit(const IoBus& pio, const IoBus& mmio, ExitStats& stats);

  uint32_t index_;    // vCPU number, also its APIC id
  UniqueFd fd_;       // the vCPU fd
  kvm_run* run_;      // the shared kvm_run page; written by KVM and this vCPU's thread
  size_t run_size_;   // its mapping size
};

}  // namespace strata::hv
