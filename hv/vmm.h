// Vmm: one guest, assembled from the options and run to its end. Checks the
// cheap things first (images, memory, vhost-user sockets) so that their
// errors come out even on a machine without /dev/kvm, then creates the VM,
// the devices and the vCPU threads.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "hv/devices/cmos_rtc.h"
#include "hv/devices/control_port.h"
#include "hv/devices/io_bus.h"
#include "hv/devices/reset_port.h"
#include "hv/devices/uart.h"
#include "hv/devices/virtio_mmio.h"
#include "hv/devices/virtio_net.h"
#include "hv/exit_stats.h"
#include "hv/guest_memory.h"
#include "hv/kvm_vm.h"
#include "hv/options.h"
#include "hv/unique_fd.h"
#include "hv/vcpu.h"

namespace strata::hv {

// The guest command line with one virtio_mmio.device= entry per NIC
// (Linux's way to find virtio-mmio devices without ACPI or a device tree).
std::string guest_cmdline(const HvOptions& opts);

class Vmm {
 public:
  static Result<std::unique_ptr<Vmm>> create(const HvOptions& opts, std::chrono::steady_clock::time_point start);
  ~Vmm();

  // Runs the guest to its end; returns the process exit code: the guest's
  // code, 0 for a reboot or power-off, 128+N for signal N, 1 for an error.
  int run();

 private:
  Vmm() = default;
  Status build_devices();
  void request_stop(GuestStop why);
  void vcpu_thread(Vcpu& vcpu);
  void main_loop();
  void log(const std::string& line) const;

  HvOptions opts_;                                   // what the user asked for
  std::chrono::steady_clock::time_point start_;      // shim start: zero of all timings
  UniqueFd console_;                                 // --console file, or a dup of stdout
  GuestMemory mem_;                                  // guest RAM (memfd)
  std::optional<KvmVm> vm_;                          // the VM, once created
  std::vector<std::unique_ptr<VhostUserNet>> pending_nets_;  // connected NICs not yet attached
  std::vector<int> backend_fds_;                     // vhost-user sockets, watched for hang-ups
  std::unique_ptr<Uart> uart_;                       // COM1
  std::unique_ptr<ControlPort> control_;             // exit code and timing marks
  std::unique_ptr<ResetPort> i8042_, cf9_;           // reset requests
  std::unique_ptr<CmosRtc> rtc_;                     // wall clock for Linux guests
  std::vector<std::unique_ptr<VirtioMmio>> virtio_;  // one transport per NIC
  IoBus pio_, mmio_;                                 // device maps; read-only once vCPUs run
  ExitStats stats_;                                  // userspace exit counters
  BootRegisters boot_regs_;                          // the boot vCPU's entry state
  std::vector<std::unique_ptr<Vcpu>> vcpus_;         // vCPU 0 boots; the others wait for SIPI
  std::atomic<bool> stop_{false};                    // set once; every vCPU loop checks it
  UniqueFd stop_event_;                              // eventfd that wakes the main loop on a stop
  std::mutex stop_mu_;                               // guards stop_reason_
  std::optional<GuestStop> stop_reason_;             // the first reason given wins
};

}  // namespace strata::hv
