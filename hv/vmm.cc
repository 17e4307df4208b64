#include "hv/vmm.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "hv/boot/bzimage.h"
#include "hv/boot/elf.h"
#include "hv/boot/linux.h"
#include "hv/boot/long_mode.h"
#include "hv/boot/mptable.h"
#include "hv/hex.h"
#include "hv/layout.h"
#include "hv/migration/migration.h"
#include "hv/os_error.h"

namespace strata::hv {
namespace {

constexpr uint64_t kMaxImageBytes = 512ull << 20;  // no kernel or initrd is near this

Result<std::vector<uint8_t>> read_file(const std::string& path, const char* what) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return os_error(std::string("cannot open ") + what + " " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return os_error(std::string("cannot stat ") + what + " " + path);
  if (!S_ISREG(st.st_mode)) return invalid_argument(std::string(what) + " " + path + " is not a regular file");
  if (uint64_t(st.st_size) > kMaxImageBytes) {
    return invalid_argument(std::string(what) + " " + path + " is larger than " + std::to_string(kMaxImageBytes >> 20) + " MiB");
  }
  std::vector<uint8_t> bytes(size_t(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error(std::string("cannot read ") + what + " " + path);
    if (n == 0) break;
    done += size_t(n);
  }
  bytes.resize(done);
  return bytes;
}

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void on_kick_signal(int) {}  // only interrupts KVM_RUN

}  // namespace

std::string guest_cmdline(const HvOptions& opts) {
  std::string cmdline = opts.cmdline_given ? opts.cmdline : (opts.kernel.empty() ? "" : std::string(kDefaultLinuxCmdline));
  for (uint32_t i = 0; i < opts.nets.size(); ++i) {
    if (!cmdline.empty()) cmdline += ' ';
    cmdline += "virtio_mmio.device=4K@" + hex(layout::virtio_mmio_base(i)) + ":" + std::to_string(layout::virtio_irq(i));
  }
  return cmdline;
}

void Vmm::log(const std::string& line) const {
  std::string msg = "strata-hv: " + line + "\n";
  (void)!::write(STDERR_FILENO, msg.data(), msg.size());
}

Result<std::unique_ptr<Vmm>> Vmm::create(const HvOptions& opts, std::chrono::steady_clock::time_point start) {
  std::unique_ptr<Vmm> vmm(new Vmm());
  vmm->opts_ = opts;
  vmm->start_ = start;
  if (opts.nets.size() > layout::kMaxVirtioDevices) {
    return invalid_argument("at most " + std::to_string(layout::kMaxVirtioDevices) + " --net devices, not " +
                            std::to_string(opts.nets.size()));
  }
  if (!opts.restore.empty()) {
    STRATA_RETURN_IF_ERROR(vmm->restore_from_snapshot());
  } else if (!opts.incoming.empty()) {
    STRATA_RETURN_IF_ERROR(migration::receive_guest(*vmm, opts.incoming));
  } else {
    STRATA_RETURN_IF_ERROR(vmm->load_boot_image());
    STRATA_RETURN_IF_ERROR(vmm->assemble());
    STRATA_RETURN_IF_ERROR(vmm->vcpus_[0]->set_boot_state(vmm->boot_regs_));
  }
  if (!opts.control.empty()) {
    auto server = control::ControlServer::listen(opts.control);
    if (!server) return server.status();
    vmm->control_server_ = std::move(*server);
  }
  return vmm;
}

Status Vmm::load_boot_image() {
  const HvOptions& opts = opts_;
  auto mem = GuestMemory::create(opts.memory_mib << 20);
  if (!mem) return mem.status();
  mem_ = std::move(*mem);
  std::string cmdline = guest_cmdline(opts);
  BootRegisters& regs = boot_regs_;
  regs.rsp = layout::kElfStackTop;
  if (!opts.kernel.empty()) {
    auto image = read_file(opts.kernel, "kernel");
    if (!image) return image.status();
    auto header = boot::parse_bzimage(*image);
    if (!header) return header.status().with_context("kernel " + opts.kernel);
    std::vector<uint8_t> initrd;
    if (!opts.initrd.empty()) {
      auto r = read_file(opts.initrd, "initrd");
      if (!r) return r.status();
      initrd = std::move(*r);
    }
    auto boot = boot::load_linux(mem_, *header, *image, initrd, cmdline);
    if (!boot) return boot.status().with_context("kernel " + opts.kernel);
    regs.rip = boot->entry;
    regs.rsi = boot->zero_page;
  } else {
    auto image = read_file(opts.elf, "ELF guest");
    if (!image) return image.status();
    auto elf = boot::parse_elf(*image);
    if (!elf) return elf.status().with_context("ELF guest " + opts.elf);
    STRATA_RETURN_IF_ERROR(boot::load_elf(mem_, *image, *elf).with_context("ELF guest " + opts.elf));
    if (cmdline.size() >= layout::kCmdlineMax) return invalid_argument("--cmdline is longer than 64 KiB");
    STRATA_RETURN_IF_ERROR(mem_.fill(layout::kCmdline, 0, cmdline.size() + 1));
    STRATA_RETURN_IF_ERROR(mem_.write(layout::kCmdline, as_bytes(cmdline)));
    regs.rip = elf->entry;
    regs.rdi = layout::kCmdline;
    regs.rsi = mem_.size();
  }
  STRATA_RETURN_IF_ERROR(boot::write_boot_tables(mem_));
  return boot::write_mptable(mem_, opts.vcpus);
}

Status Vmm::assemble() {
  // The switch first: an unreachable socket is reported before KVM is touched.
  for (const NetOption& net : opts_.nets) {
    auto dev = VhostUserNet::connect(net, mem_);
    if (!dev) return dev.status();
    pending_nets_.push_back(std::move(*dev));
  }
  if (opts_.console.empty()) {
    console_.reset(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
  } else {
    // A restored guest's console goes on where it was (append), a new one starts empty.
    const int mode = opts_.restore.empty() && opts_.incoming.empty() ? O_TRUNC : O_APPEND;
    console_.reset(::open(opts_.console.c_str(), O_WRONLY | O_CREAT | mode | O_CLOEXEC, 0644));
  }
  if (!console_.valid()) return os_error("cannot open console " + (opts_.console.empty() ? "stdout" : opts_.console));

  auto vm = KvmVm::create();
  if (!vm) return vm.status();
  vm_.emplace(std::move(*vm));
  STRATA_RETURN_IF_ERROR(vm_->set_memory(mem_));
  STRATA_RETURN_IF_ERROR(build_devices());
  auto cpuid = vm_->supported_cpuid();
  if (!cpuid) return cpuid.status();
  for (uint32_t i = 0; i < opts_.vcpus; ++i) {
    auto vcpu = Vcpu::create(*vm_, i, *cpuid);
    if (!vcpu) return vcpu.status();
    vcpus_.push_back(std::move(*vcpu));
  }
  stop_event_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop_event_.valid()) return os_error("cannot create an eventfd");
  return Status::ok();
}

Result<std::vector<NetOption>> Vmm::restored_nets(const state::GuestConfig& saved) const {
  if (opts_.nets.empty()) return saved.nics;
  if (opts_.nets.size() != saved.nics.size()) {
    return invalid_argument("the saved guest has " + std::to_string(saved.nics.size()) + " NIC(s); give that many --net, not " +
                            std::to_string(opts_.nets.size()));
  }
  std::vector<NetOption> nets = opts_.nets;
  for (size_t i = 0; i < nets.size(); ++i) {
    if (!nets[i].mac_given) nets[i].mac = saved.nics[i].mac;
    nets[i].mac_given = true;
  }
  if (opts_.clone) {
    for (size_t i = 0; i < nets.size(); ++i) {
      if (!opts_.nets[i].mac_given) {
        return invalid_argument("--clone: give --net " + nets[i].socket + " a mac= of its own (the template's is " +
                                format_mac(saved.nics[i].mac) + ")");
      }
    }
  }
  return nets;
}

Status Vmm::restore_from_snapshot() {
  auto state = state::read_snapshot_state(opts_.restore);
  if (!state) return state.status();
  auto mem = GuestMemory::create(state->config.memory_bytes);
  if (!mem) return mem.status();
  auto copied = state::read_snapshot_memory(opts_.restore, *mem);
  if (!copied) return copied.status();
  STRATA_RETURN_IF_ERROR(build_for(state->config, std::move(*mem)));
  STRATA_RETURN_IF_ERROR(apply_state(*state));
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  char line[200];
  std::snprintf(line, sizeof line, "restored %s from %s in %.1f ms (%llu MiB of memory data)",
                opts_.clone ? "a clone" : "the guest", opts_.restore.c_str(), ms, static_cast<unsigned long long>(*copied >> 20));
  log(line);
  return Status::ok();
}

Status Vmm::build_for(const state::GuestConfig& saved, GuestMemory mem) {
  auto nets = restored_nets(saved);
  if (!nets) return nets.status();
  opts_.nets = *nets;
  opts_.memory_mib = saved.memory_bytes >> 20;
  opts_.vcpus = saved.vcpus;
  mem_ = std::move(mem);
  return assemble();
}

Status Vmm::apply_state(const state::GuestState& s) {
  if (s.vcpus.size() != vcpus_.size() || s.nics.size() != virtio_.size()) {
    return internal_error("saved state does not match the guest built from it");
  }
  // VM first (irqchips, PIT, clock), then each vCPU: its LAPIC routes
  // through the restored IOAPIC. Devices next; NICs last, since they hand
  // the rings back to the backend and the guest may be served at once.
  STRATA_RETURN_IF_ERROR(state::restore_vm(vm_->vm_fd(), s.vm));
  for (size_t i = 0; i < vcpus_.size(); ++i) {
    STRATA_RETURN_IF_ERROR(state::restore_vcpu(vcpus_[i]->fd(), s.vcpus[i]).with_context("vCPU " + std::to_string(i)));
  }
  uart_->restore(s.devices.uart);
  rtc_->restore_index(s.devices.cmos_index);
  control_->set_clock_base(s.devices.clock_us);
  generation_ = s.config.generation + (opts_.clone ? 1 : 0);
  control_->set_generation(uint32_t(generation_));
  for (size_t i = 0; i < virtio_.size(); ++i) STRATA_RETURN_IF_ERROR(virtio_[i]->restore(s.nics[i]));
  for (auto& vcpu : vcpus_) state::notify_clock_paused(vcpu->fd());
  return Status::ok();
}

Status Vmm::build_devices() {
  KvmVm& vm = *vm_;
  uart_ = std::make_unique<Uart>(console_.get(), [&vm](bool level) { (void)vm.set_irq_line(layout::kUartIrq, level); });
  STRATA_RETURN_IF_ERROR(pio_.add(Uart::kBase, Uart::kLength, uart_.get(), "uart"));
  control_ = std::make_unique<ControlPort>(start_, stats_, STDERR_FILENO, [this](int code) {
    request_stop({GuestStop::Kind::kExitCode, code, "guest exited with code " + std::to_string(code)});
  });
  STRATA_RETURN_IF_ERROR(pio_.add(ControlPort::kBase, ControlPort::kLength, control_.get(), "control port"));
  auto reset = [this] { request_stop({GuestStop::Kind::kReset, 0, "guest rebooted"}); };
  i8042_ = std::make_unique<ResetPort>(ResetPort::Kind::kI8042, reset);
  cf9_ = std::make_unique<ResetPort>(ResetPort::Kind::kCf9, reset);
  STRATA_RETURN_IF_ERROR(pio_.add(ResetPort::kI8042Base, ResetPort::kI8042Length, i8042_.get(), "i8042"));
  STRATA_RETURN_IF_ERROR(pio_.add(ResetPort::kCf9Base, ResetPort::kCf9Length, cf9_.get(), "reset register"));
  rtc_ = std::make_unique<CmosRtc>();
  STRATA_RETURN_IF_ERROR(pio_.add(CmosRtc::kBase, CmosRtc::kLength, rtc_.get(), "cmos rtc"));
  for (uint32_t i = 0; i < pending_nets_.size(); ++i) {
    uint64_t base = layout::virtio_mmio_base(i);
    STRATA_RETURN_IF_ERROR(pending_nets_[i]->attach(vm, base, layout::virtio_irq(i)));
    log("net" + std::to_string(i) + ": " + format_mac(opts_.nets[i].mac) + " on vhost-user " + opts_.nets[i].socket +
        " at " + hex(base) + " irq " + std::to_string(layout::virtio_irq(i)));
    virtio_.push_back(std::make_unique<VirtioMmio>(std::move(pending_nets_[i]), "net" + std::to_string(i), STDERR_FILENO));
    STRATA_RETURN_IF_ERROR(mmio_.add(base, mmio_reg::kWindow, virtio_.back().get(), "net" + std::to_string(i)));
  }
  pending_nets_.clear();
  return Status::ok();
}

Vmm::~Vmm() {
  if (uart_) uart_->flush();
}

void Vmm::request_stop(GuestStop why) {
  {
    std::lock_guard lock(stop_mu_);
    if (stop_reason_) return;
    stop_reason_ = std::move(why);
  }
  stop_.store(true);
  uint64_t one = 1;
  (void)!::write(stop_event_.get(), &one, sizeof one);
}

void Vmm::vcpu_thread(Vcpu& vcpu) {
  GuestStop why = vcpu.run(pio_, mmio_, stats_, stop_, gate_);
  if (why.kind != GuestStop::Kind::kSignal) request_stop(std::move(why));
}

void Vmm::kick_vcpus() {
  for (size_t i = 0; i < vcpu_threads_.size(); ++i) {
    vcpus_[i]->request_immediate_exit();
    pthread_kill(vcpu_threads_[i].native_handle(), SIGUSR1);
  }
}

Status Vmm::pause() {
  if (paused_) return Status::ok();
  gate_.request_pause();
  kick_vcpus();
  constexpr auto kParkTimeout = std::chrono::seconds(5);
  if (!gate_.wait_parked(uint32_t(vcpus_.size()), kParkTimeout)) {
    gate_.release();
    return Status(StatusCode::kDeadlineExceeded, "a vCPU did not stop within 5 s; the guest keeps running");
  }
  // Rings after vCPUs: no driver can touch a queue register meanwhile.
  for (size_t i = 0; i < virtio_.size(); ++i) {
    Status s = virtio_[i]->pause();
    if (!s.is_ok()) {
      for (size_t j = 0; j < i; ++j) (void)virtio_[j]->resume();
      gate_.release();
      return s.with_context("pause");
    }
  }
  paused_ = true;
  log("paused");
  return Status::ok();
}

Status Vmm::resume() {
  if (!paused_) return Status::ok();
  for (auto& nic : virtio_) STRATA_RETURN_IF_ERROR(nic->resume().with_context("resume"));
  for (auto& vcpu : vcpus_) state::notify_clock_paused(vcpu->fd());
  paused_ = false;
  gate_.release();
  log("resumed");
  return Status::ok();
}

Result<state::GuestState> Vmm::save_state() {
  if (!paused_) return failed_precondition("the guest is running; pause it first");
  if (!state_ctx_) {
    auto ctx = state::VcpuStateContext::probe(vm_->kvm_fd(), vm_->vm_fd());
    if (!ctx) return ctx.status();
    state_ctx_ = std::move(*ctx);
  }
  state::GuestState s;
  s.config = config();
  auto vm = state::save_vm(vm_->vm_fd());
  if (!vm) return vm.status();
  s.vm = *vm;
  for (auto& vcpu : vcpus_) {
    auto v = state::save_vcpu(vcpu->fd(), *state_ctx_);
    if (!v) return v.status().with_context("vCPU " + std::to_string(vcpu->index()));
    s.vcpus.push_back(std::move(*v));
  }
  s.devices.uart = uart_->save();
  s.devices.cmos_index = rtc_->save_index();
  s.devices.clock_us = control_->clock_us();
  for (auto& nic : virtio_) s.nics.push_back(nic->save());
  return s;
}

Result<state::SnapshotFigures> Vmm::snapshot(const std::string& dir) {
  auto s = save_state();
  if (!s) return s.status();
  return state::write_snapshot(dir, mem_, *s);
}

std::string Vmm::handle_control(const Result<control::Request>& request) {
  using control::Command;
  if (!request) return control::format_error(request.status());
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed_ms = [&t0] { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(); };
  switch (request->command) {
    case Command::kStatus:
      return control::format_reply({{"state", std::string(paused_ ? "paused" : "running")},
                                    {"vcpus", uint64_t(vcpus_.size())},
                                    {"memory_bytes", mem_.size()},
                                    {"nics", uint64_t(virtio_.size())},
                                    {"generation", generation_},
                                    {"pid", uint64_t(::getpid())}});
    case Command::kPause: {
      Status s = pause();
      return s.is_ok() ? control::format_reply({{"ms", elapsed_ms()}}) : control::format_error(s);
    }
    case Command::kResume: {
      Status s = resume();
      return s.is_ok() ? control::format_reply({{"ms", elapsed_ms()}}) : control::format_error(s);
    }
    case Command::kSnapshot: {
      auto f = snapshot(request->dir);
      if (!f) return control::format_error(f.status());
      log("snapshot of " + std::to_string(f->memory_bytes >> 20) + " MiB (" + std::to_string(f->data_bytes >> 10) +
          " KiB of data) written to " + request->dir);
      return control::format_reply({{"memory_bytes", f->memory_bytes},
                                    {"data_bytes", f->data_bytes},
                                    {"state_bytes", f->state_bytes},
                                    {"ms", elapsed_ms()}});
    }
    case Command::kMigrate: {
      auto r = migration::send_guest(*this, request->to, request->downtime_ms);
      if (!r) return control::format_error(r.status());
      return control::format_reply(migration::report_fields(*r));
    }
    case Command::kStop:
      request_stop({GuestStop::Kind::kPowerOff, 0, "stopped by a control request"});
      return control::format_reply({});
  }
  return control::format_error(internal_error("unhandled command"));
}

void Vmm::main_loop() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  UniqueFd sfd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  bool stdin_open = true;
  // A backend that hung up (stratad restarted, upgraded, crashed) is
  // reconnected every kReconnectMs until it answers; the guest meanwhile
  // runs on, its frames to that NIC waiting in its rings.
  constexpr int kReconnectMs = 250;
  std::vector<bool> backend_up(virtio_.size(), true);
  std::vector<pollfd> fds;
  while (!stop_.load()) {
    // Rebuilt each round: control clients come and go, sockets change.
    fds.clear();
    fds.push_back({stop_event_.get(), POLLIN, 0});
    fds.push_back({sfd.get(), POLLIN, 0});
    fds.push_back({stdin_open ? STDIN_FILENO : -1, POLLIN, 0});
    for (size_t i = 0; i < virtio_.size(); ++i) fds.push_back({backend_up[i] ? virtio_[i]->backend_socket() : -1, POLLRDHUP, 0});
    const size_t control_at = fds.size();
    if (control_server_) control_server_->poll_fds(fds);
    const bool any_down = std::find(backend_up.begin(), backend_up.end(), false) != backend_up.end();
    if (::poll(fds.data(), fds.size(), any_down ? kReconnectMs : -1) < 0) continue;
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo si{};
      if (::read(sfd.get(), &si, sizeof si) == sizeof si) {
        request_stop({GuestStop::Kind::kSignal, int(si.ssi_signo), std::string("stopped by ") + strsignal(int(si.ssi_signo))});
      }
    }
    if (fds[2].revents) {
      uint8_t buf[256];
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n > 0) {
        uart_->receive({buf, size_t(n)});
      } else {
        stdin_open = false;  // end of input (or /dev/null): stop watching it
      }
    }
    for (size_t i = 0; i < virtio_.size(); ++i) {
      const std::string nic = "net" + std::to_string(i) + ": vhost-user backend " + opts_.nets[i].socket;
      if (backend_up[i] && (fds[3 + i].revents & (POLLRDHUP | POLLHUP | POLLERR))) {
        log(nic + " hung up; reconnecting every " + std::to_string(kReconnectMs) + " ms");
        backend_up[i] = false;
      } else if (!backend_up[i]) {
        Status s = virtio_[i]->reconnect_backend(mem_);
        if (s.is_ok()) {
          log(nic + " reconnected");
          backend_up[i] = true;
        } else if (s.code() != StatusCode::kUnavailable && s.code() != StatusCode::kNotFound) {
          log(nic + ": reconnecting: " + s.message());  // not just "not there yet"
        }
      }
    }
    if (control_server_) {
      control_server_->serve(std::span<const pollfd>(fds).subspan(control_at),
                             [this](const Result<control::Request>& r) { return handle_control(r); });
    }
  }
}

int Vmm::run() {
  // SIGINT/SIGTERM are read from a signalfd by this thread; the vCPU threads
  // inherit the blocked mask. SIGUSR1 only knocks a vCPU out of KVM_RUN.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_kick_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, nullptr);

  for (auto& vcpu : vcpus_) vcpu_threads_.emplace_back([this, v = vcpu.get()] { vcpu_thread(*v); });
  main_loop();
  gate_.notify_stop();  // parked vCPUs see stop_ and return
  kick_vcpus();
  for (auto& t : vcpu_threads_) t.join();
  vcpu_threads_.clear();
  uart_->flush();

  GuestStop why;
  {
    std::lock_guard lock(stop_mu_);
    why = *stop_reason_;
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  char summary[200];
  std::snprintf(summary, sizeof summary, "after %.1f ms; userspace exits: io %llu, mmio %llu, other %llu, unhandled %llu", ms,
                static_cast<unsigned long long>(stats_.io.load()), static_cast<unsigned long long>(stats_.mmio.load()),
                static_cast<unsigned long long>(stats_.other.load()), static_cast<unsigned long long>(stats_.unhandled.load()));
  std::string summary_text = summary;
  if (stats_.unhandled.load() > 0) summary_text += " (last unhandled at " + hex(stats_.last_unhandled.load()) + ")";
  // A guest that did not end by itself (a crash, or stopped from outside
  // because it never finished) says where each vCPU was and how long it
  // had gone without an exit: enough to tell a guest spinning in its own
  // code from one wedged inside KVM.
  if (why.kind == GuestStop::Kind::kError || why.kind == GuestStop::Kind::kSignal) {
    const int64_t last = stats_.last_exit_ns.load();
    if (last != 0) {
      const double quiet_ms = double(std::chrono::steady_clock::now().time_since_epoch().count() - last) / 1e6;
      char line[120];
      std::snprintf(line, sizeof line, "last exit from KVM_RUN %.1f ms before the stop report", quiet_ms);
      log(line);
    }
    for (const auto& vcpu : vcpus_) log(vcpu->state_report(mem_));
  }
  switch (why.kind) {
    case GuestStop::Kind::kExitCode: log(why.message + " " + summary_text); return why.exit_code;
    case GuestStop::Kind::kReset:
    case GuestStop::Kind::kPowerOff: log(why.message + " " + summary_text); return 0;
    case GuestStop::Kind::kSignal: log(why.message + " " + summary_text); return 128 + why.exit_code;
    case GuestStop::Kind::kError: log("error: " + why.message + " " + summary_text); return 1;
    case GuestStop::Kind::kMigrated: log(why.message + " " + summary_text); return kExitMigrated;
  }
  return 1;
}

}  // namespace strata::hv
