// Vmm: one guest, assembled and run to its end. A guest comes from a boot
// image (--kernel / --elf), from a snapshot (--restore), or from a live
// migration (--incoming); all three share one assembly (console, NICs, KVM,
// devices, vCPUs), so a restored guest is built exactly like a booted one
// and then given its saved state. The cheap checks come first (images,
// memory, vhost-user sockets) so that their errors come out even on a
// machine without /dev/kvm.
//
// While it runs, the main thread serves signals, the console's input,
// backend hang-ups and the control socket (pause, resume, snapshot,
// migrate); vCPU threads only run KVM_RUN and park in a VcpuGate when paused.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/hv_exit.h"
#include "base/status.h"
#include "hv/control/server.h"
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
#include "hv/state/guest_state.h"
#include "hv/state/snapshot_dir.h"
#include "hv/state/vcpu_state.h"
#include "hv/unique_fd.h"
#include "hv/vcpu.h"
#include "hv/vcpu_gate.h"

namespace strata::hv {

// The exit status of a source whose guest now runs at the destination of a
// live migration: a supervisor must not restart it (nor call it a crash).
constexpr int kExitMigrated = kHvExitMigrated;

// The guest command line with one virtio_mmio.device= entry per NIC
// (Linux's way to find virtio-mmio devices without ACPI or a device tree).
std::string guest_cmdline(const HvOptions& opts);

class Vmm {
 public:
  static Result<std::unique_ptr<Vmm>> create(const HvOptions& opts, std::chrono::steady_clock::time_point start);
  ~Vmm();

  // Runs the guest to its end; returns the process exit code: the guest's
  // code, 0 for a reboot or power-off, 128+N for signal N, kExitMigrated
  // after a completed live migration, 1 for an error.
  int run();

  // Control operations, on the main thread (the control socket's handler).
  // pause: every vCPU parked at an instruction boundary, every ring stopped
  // in the backend (its position kept). resume undoes it. Both idempotent.
  Status pause();
  Status resume();
  bool paused() const { return paused_; }
  // Only while paused: the whole guest state but its RAM.
  Result<state::GuestState> save_state();
  // Only while paused: memory and state into a new snapshot directory.
  Result<state::SnapshotFigures> snapshot(const std::string& dir);

  // For hv/migration's receiver: builds the guest `saved` describes around
  // `mem` (NICs per restored_nets), ready for apply_state().
  Status build_for(const state::GuestConfig& saved, GuestMemory mem);
  Status apply_state(const state::GuestState& s);
  // How this guest is built (what a migration's destination needs first).
  state::GuestConfig config() const { return {mem_.size(), uint32_t(vcpus_.size()), opts_.nets, generation_}; }
  void log(const std::string& line) const;

  const GuestMemory& memory() const { return mem_; }
  GuestMemory& memory() { return mem_; }
  KvmVm& vm() { return *vm_; }
  std::vector<std::unique_ptr<VirtioMmio>>& nics() { return virtio_; }
  // Ends run() with `why` (a migration that handed the guest over).
  void request_stop(GuestStop why);

 private:
  Vmm() = default;
  // Reads the images into fresh memory and sets the boot vCPU's registers.
  Status load_boot_image();
  // Console, NICs (connected to `nets`), KVM VM, devices and vCPUs, around
  // memory that is already in place.
  Status assemble();
  // Which NICs a restored guest gets: the saved ones, with the sockets (and
  // given MACs) of --net if the command line names any.
  Result<std::vector<NetOption>> restored_nets(const state::GuestConfig& saved) const;
  Status restore_from_snapshot();
  Status build_devices();
  void vcpu_thread(Vcpu& vcpu);
  void kick_vcpus();
  void main_loop();
  std::string handle_control(const Result<control::Request>& request);

  HvOptions opts_;                                   // what the user asked for; nets/memory/vcpus as built
  std::chrono::steady_clock::time_point start_;      // shim start: zero of all timings
  UniqueFd console_;                                 // --console file, or a dup of stdout
  GuestMemory mem_;                                  // guest RAM (memfd)
  std::optional<KvmVm> vm_;                          // the VM, once created
  std::vector<std::unique_ptr<VhostUserNet>> pending_nets_;  // connected NICs not yet attached
  std::unique_ptr<Uart> uart_;                       // COM1
  std::unique_ptr<ControlPort> control_;             // exit code and timing marks
  std::unique_ptr<ResetPort> i8042_, cf9_;           // reset requests
  std::unique_ptr<CmosRtc> rtc_;                     // wall clock for Linux guests
  std::vector<std::unique_ptr<VirtioMmio>> virtio_;  // one transport per NIC
  IoBus pio_, mmio_;                                 // device maps; read-only once vCPUs run
  ExitStats stats_;                                  // userspace exit counters
  BootRegisters boot_regs_;                          // the boot vCPU's entry state (booted guests)
  std::vector<std::unique_ptr<Vcpu>> vcpus_;         // vCPU 0 boots; the others wait for SIPI
  std::vector<std::thread> vcpu_threads_;            // one per vCPU while run() runs
  std::optional<state::VcpuStateContext> state_ctx_; // what a vCPU's saved state holds; probed once
  uint64_t generation_ = 0;                          // clone generation (0: never cloned)
  std::unique_ptr<control::ControlServer> control_server_;  // --control; main thread only
  VcpuGate gate_;                                    // where vCPUs park while paused
  bool paused_ = false;                              // pause() done, resume() not yet; main thread only
  std::atomic<bool> stop_{false};                    // set once; every vCPU loop checks it
  UniqueFd stop_event_;                              // eventfd that wakes the main loop on a stop
  std::mutex stop_mu_;                               // guards stop_reason_
  std::optional<GuestStop> stop_reason_;             // the first reason given wins
};

}  // namespace strata::hv
