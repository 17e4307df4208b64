#include "hv/vmm.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "hv/boot/bzimage.h"
#include "hv/boot/elf.h"
#include "hv/boot/linux.h"
#include "hv/boot/long_mode.h"
#include "hv/boot/mptable.h"
#include "hv/hex.h"
#include "hv/layout.h"
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

  // 1. Images and memory: errors here need no KVM.
  auto mem = GuestMemory::create(opts.memory_mib << 20);
  if (!mem) return mem.status();
  vmm->mem_ = std::move(*mem);
  std::string cmdline = guest_cmdline(opts);
  BootRegisters& regs = vmm->boot_regs_;
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
    auto boot = boot::load_linux(vmm->mem_, *header, *image, initrd, cmdline);
    if (!boot) return boot.status().with_context("kernel " + opts.kernel);
    regs.rip = boot->entry;
    regs.rsi = boot->zero_page;
  } else {
    auto image = read_file(opts.elf, "ELF guest");
    if (!image) return image.status();
    auto elf = boot::parse_elf(*image);
    if (!elf) return elf.status().with_context("ELF guest " + opts.elf);
    STRATA_RETURN_IF_ERROR(boot::load_elf(vmm->mem_, *image, *elf).with_context("ELF guest " + opts.elf));
    if (cmdline.size() >= layout::kCmdlineMax) return invalid_argument("--cmdline is longer than 64 KiB");
    STRATA_RETURN_IF_ERROR(vmm->mem_.fill(layout::kCmdline, 0, cmdline.size() + 1));
    STRATA_RETURN_IF_ERROR(vmm->mem_.write(layout::kCmdline, as_bytes(cmdline)));
    regs.rip = elf->entry;
    regs.rdi = layout::kCmdline;
    regs.rsi = vmm->mem_.size();
  }
  STRATA_RETURN_IF_ERROR(boot::write_boot_tables(vmm->mem_));
  STRATA_RETURN_IF_ERROR(boot::write_mptable(vmm->mem_, opts.vcpus));

  // 2. The switch: an unreachable socket is reported before KVM is touched.
  for (const NetOption& net : opts.nets) {
    auto dev = VhostUserNet::connect(net, vmm->mem_);
    if (!dev) return dev.status();
    vmm->backend_fds_.push_back((*dev)->frontend().socket_fd());
    vmm->pending_nets_.push_back(std::move(*dev));
  }

  // 3. The console.
  if (opts.console.empty()) {
    vmm->console_.reset(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
  } else {
    vmm->console_.reset(::open(opts.console.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  }
  if (!vmm->console_.valid()) return os_error("cannot open console " + (opts.console.empty() ? "stdout" : opts.console));

  // 4. KVM: the VM, devices, vCPUs.
  auto vm = KvmVm::create();
  if (!vm) return vm.status();
  vmm->vm_.emplace(std::move(*vm));
  STRATA_RETURN_IF_ERROR(vmm->vm_->set_memory(vmm->mem_));
  STRATA_RETURN_IF_ERROR(vmm->build_devices());
  auto cpuid = vmm->vm_->supported_cpuid();
  if (!cpuid) return cpuid.status();
  for (uint32_t i = 0; i < opts.vcpus; ++i) {
    auto vcpu = Vcpu::create(*vmm->vm_, i, *cpuid);
    if (!vcpu) return vcpu.status();
    vmm->vcpus_.push_back(std::move(*vcpu));
  }
  STRATA_RETURN_IF_ERROR(vmm->vcpus_[0]->set_boot_state(regs));
  vmm->stop_event_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!vmm->stop_event_.valid()) return os_error("cannot create an eventfd");
  return vmm;
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
  GuestStop why = vcpu.run(pio_, mmio_, stats_, stop_);
  if (why.kind != GuestStop::Kind::kSignal) request_stop(std::move(why));
}

void Vmm::main_loop() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  UniqueFd sfd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  std::vector<pollfd> fds;
  fds.push_back({stop_event_.get(), POLLIN, 0});
  fds.push_back({sfd.get(), POLLIN, 0});
  fds.push_back({STDIN_FILENO, POLLIN, 0});
  for (int fd : backend_fds_) fds.push_back({fd, POLLRDHUP, 0});
  while (!stop_.load()) {
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;
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
        fds[2].fd = -1;  // end of input (or /dev/null): stop watching it
      }
    }
    for (size_t i = 3; i < fds.size(); ++i) {
      if (fds[i].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
        // The data path keeps working until the backend unmaps the memory;
        // there is nothing to reconnect yet, so say it and go on.
        log("net" + std::to_string(i - 3) + ": vhost-user backend " + opts_.nets[i - 3].socket + " hung up");
        fds[i].fd = -1;
      }
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

  std::vector<std::thread> threads;
  for (auto& vcpu : vcpus_) threads.emplace_back([this, v = vcpu.get()] { vcpu_thread(*v); });
  main_loop();
  for (size_t i = 0; i < threads.size(); ++i) {
    vcpus_[i]->request_immediate_exit();
    pthread_kill(threads[i].native_handle(), SIGUSR1);
  }
  for (auto& t : threads) t.join();
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
  }
  return 1;
}

}  // namespace strata::hv
