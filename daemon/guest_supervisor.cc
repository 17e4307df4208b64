#include "daemon/guest_supervisor.h"

#include "base/hv_exit.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

namespace strata::daemon {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

bool executable(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// Reads [offset, end) of a file, at most the last `cap` bytes of it.
std::string read_tail(const std::string& path, off_t offset, size_t cap) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st {};
  std::string out;
  if (fstat(fd, &st) == 0 && st.st_size > offset) {
    off_t from = offset;
    if (size_t(st.st_size - offset) > cap) from = st.st_size - off_t(cap);
    out.resize(size_t(st.st_size - from));
    const ssize_t n = pread(fd, out.data(), out.size(), from);
    out.resize(n > 0 ? size_t(n) : 0);
  }
  close(fd);
  return out;
}

int open_log(const std::string& path) {
  return open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}

std::string describe_exit(int wait_status) {
  if (WIFEXITED(wait_status)) return "exit code " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    const char* name = sigabbrev_np(WTERMSIG(wait_status));
    return "signal " + (name != nullptr ? "SIG" + std::string(name) : std::to_string(WTERMSIG(wait_status)));
  }
  return "status " + std::to_string(wait_status);
}

}  // namespace

uint64_t RestartPolicy::delay_ms(uint32_t failures_in_a_row) const {
  uint64_t d = first_ms;
  for (uint32_t i = 1; i < failures_in_a_row && d < max_ms; ++i) d *= 2;
  return std::min(d, max_ms);
}

Result<std::string> find_strata_hv(const std::string& given) {
  if (!given.empty()) {
    if (!executable(given)) return invalid_argument("--hv: '" + given + "' is not an executable file");
    return given;
  }
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::string beside = (self.parent_path() / "strata-hv").string();
    if (executable(beside)) return beside;
  }
  if (const char* path = std::getenv("PATH")) {
    std::string dirs = path;
    size_t start = 0;
    while (start <= dirs.size()) {
      const size_t end = std::min(dirs.find(':', start), dirs.size());
      const std::string dir = dirs.substr(start, end - start);
      if (!dir.empty() && executable(dir + "/strata-hv")) return dir + "/strata-hv";
      start = end + 1;
    }
  }
  return std::string();
}

std::string last_line(const std::string& text) {
  size_t end = text.size();
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' ')) --end;
  const size_t nl = text.rfind('\n', end == 0 ? 0 : end - 1);
  const size_t begin = (nl == std::string::npos || end == 0) ? 0 : nl + 1;
  std::string line = text.substr(begin, end - begin);
  if (line.size() > 512) line.resize(512);
  return line;
}

Status GuestSupervisor::spawn(Guest& g) {
  if (options_.hv.empty()) {
    return failed_precondition("no strata-hv to run: none beside stratad's executable nor on PATH (stratad --hv PATH)");
  }
  std::error_code ec;
  std::filesystem::create_directories(options_.guest_dir, ec);
  if (ec) return failed_precondition("cannot create --guest-dir '" + options_.guest_dir + "': " + ec.message());
  const int out = open_log(g.console_file);
  if (out < 0) return failed_precondition("cannot open '" + g.console_file + "': " + errno_text(errno));
  const int err = open_log(g.stderr_file);
  if (err < 0) {
    const int e = errno;
    close(out);
    return failed_precondition("cannot open '" + g.stderr_file + "': " + errno_text(e));
  }
  const int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int report[2];  // the child's exec errno, if exec fails; EOF once it succeeded
  if (devnull < 0 || pipe2(report, O_CLOEXEC) != 0) {
    const int e = errno;
    close(out);
    close(err);
    if (devnull >= 0) close(devnull);
    return failed_precondition(std::string("cannot prepare to start strata-hv: ") + errno_text(e));
  }
  g.stderr_offset = lseek(err, 0, SEEK_END);

  // Everything the child needs is made before fork: after it, only
  // async-signal-safe calls (stratad has many threads).
  std::vector<std::string> args = guest_hv_args(g.plan);
  args.insert(args.begin(), options_.hv);
  // The control socket (pause, snapshot, migrate), unless its path is too
  // long for a Unix socket (108 bytes): then the guest runs without one.
  if (control_path(g.plan.name).size() < sizeof(sockaddr_un::sun_path)) {
    args.push_back("--control");
    args.push_back(control_path(g.plan.name));
  } else {
    spdlog::warn("guest {}: control socket path '{}' is too long; started without one", g.plan.name,
                 control_path(g.plan.name));
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const char* hv = options_.hv.c_str();
  const cpu_set_t* cpus = options_.cpus ? &*options_.cpus : nullptr;
  const sched_param normal_priority{};
  const auto t_fork = Clock::now();

  const pid_t pid = fork();
  if (pid == 0) {
    setsid();  // a session of its own: it outlives stratad, and a terminal's ^C or hang-up is not its
    if (cpus != nullptr) sched_setaffinity(0, sizeof(cpu_set_t), cpus);  // not the EAL main lcore's one CPU
    sched_setscheduler(0, SCHED_OTHER, &normal_priority);                   // not the control thread's SCHED_BATCH
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s) signal(s, SIG_DFL);  // SIG_IGN (SIGPIPE) would survive exec
    dup2(devnull, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    // No descriptor of stratad's (db lock, sockets, DPDK's) goes along.
    if (report[1] > 3) close_range(3, unsigned(report[1]) - 1, 0);
    close_range(unsigned(report[1]) + 1, ~0U, 0);
    execv(hv, argv.data());
    const int e = errno;
    (void)!write(report[1], &e, sizeof e);
    _exit(127);
  }
  const int fork_errno = errno;
  close(report[1]);
  close(out);
  close(err);
  close(devnull);
  if (pid < 0) {
    close(report[0]);
    return failed_precondition("cannot fork for strata-hv: " + errno_text(fork_errno));
  }
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(report[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == sizeof exec_errno) {
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return failed_precondition("cannot run strata-hv '" + options_.hv + "': " + errno_text(exec_errno));
  }
  g.pid = pid;
  g.adopted = false;
  g.state = v1::GUEST_STATE_RUNNING;
  g.started = Clock::now();
  g.start_ticks = process_start_ticks(pid).value_or(0);
  if (Status st = write_guest_pidfile(pidfile_path(g.plan.name), {pid, g.start_ticks}); !st) {
    spdlog::warn("guest {}: {}; a restarted stratad will not find it", g.plan.name, st.message());
  }
  spdlog::info("guest {}: strata-hv started, pid {} (fork to exec {:.1f} ms)", g.plan.name, pid,
               std::chrono::duration<double, std::milli>(g.started - t_fork).count());
  return Status::ok();
}

Status GuestSupervisor::start(const GuestPlan& plan) {
  std::lock_guard<std::mutex> lock(mu_);
  if (guests_.count(plan.name) != 0) return already_exists("guest.name: guest '" + plan.name + "' is already running");
  Guest g;
  g.plan = plan;
  g.console_file = options_.guest_dir + "/" + plan.name + ".console";
  g.stderr_file = options_.guest_dir + "/" + plan.name + ".stderr";
  STRATA_RETURN_IF_ERROR(spawn(g));
  guests_.emplace(plan.name, std::move(g));
  return Status::ok();
}

void GuestSupervisor::restore(const GuestPlan& plan) {
  std::lock_guard<std::mutex> lock(mu_);
  Guest g;
  g.plan = plan;
  g.console_file = options_.guest_dir + "/" + plan.name + ".console";
  g.stderr_file = options_.guest_dir + "/" + plan.name + ".stderr";
  // Still running from before stratad restarted: adopt it.
  if (auto running = read_guest_pidfile(pidfile_path(plan.name)); running && still_running(*running)) {
    g.pid = running->pid;
    g.start_ticks = running->start_ticks;
    g.adopted = true;
    g.state = v1::GUEST_STATE_RUNNING;
    g.started = Clock::now();
    struct stat st {};
    g.stderr_offset = ::stat(g.stderr_file.c_str(), &st) == 0 ? st.st_size : 0;
    spdlog::info("guest {}: adopted strata-hv pid {}, still running from before this stratad", plan.name, g.pid);
    guests_.insert_or_assign(plan.name, std::move(g));
    return;
  }
  if (Status st = spawn(g); !st) {
    g.state = v1::GUEST_STATE_FAILED;
    g.last_error = st.message();
    spdlog::error("guest {}: {}", plan.name, st.message());
  }
  guests_.insert_or_assign(plan.name, std::move(g));
}

void GuestSupervisor::note_exit(Guest& g, int wait_status) {
  g.pid = 0;
  g.last_exit_code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  g.last_signal = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
  // The line before strata-hv's "exit status N" says why; that one only what.
  std::string tail = read_tail(g.stderr_file, g.stderr_offset, 4096);
  std::string line = last_line(tail);
  if (exit_status_from_stderr(line)) {
    tail.resize(tail.rfind(line));
    line = last_line(tail);
  }
  g.last_error = line;
}

int GuestSupervisor::adopted_exit_status(const Guest& g, int if_unknown) const {
  auto code = exit_status_from_stderr(last_line(read_tail(g.stderr_file, g.stderr_offset, 4096)));
  return code ? (*code << 8) : if_unknown;  // as waitpid() would have said it
}

bool GuestSupervisor::signal_and_wait(Guest& g, int sig, Clock::time_point deadline, int* wait_status) {
  kill(g.pid, sig);
  for (;;) {
    if (g.adopted) {
      if (!still_running({g.pid, g.start_ticks})) {
        *wait_status = adopted_exit_status(g, sig);
        return true;
      }
    } else {
      const pid_t r = waitpid(g.pid, wait_status, WNOHANG);
      if (r == g.pid || (r < 0 && errno != EINTR)) return true;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void GuestSupervisor::record_exit(Guest& g, int wait_status) {
  const auto run_ms =
      uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - g.started).count());
  note_exit(g, wait_status);
  ::unlink(pidfile_path(g.plan.name).c_str());
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
    g.state = v1::GUEST_STATE_STOPPED;
    g.failures_in_a_row = 0;
    spdlog::info("guest {}: powered off after {} ms (exit code 0); not restarted", g.plan.name, run_ms);
    return;
  }
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == kHvExitMigrated) {
    g.state = v1::GUEST_STATE_STOPPED;
    g.failures_in_a_row = 0;
    spdlog::info("guest {}: live-migrated away after {} ms; not restarted here", g.plan.name, run_ms);
    return;
  }
  g.failures_in_a_row = options_.policy.next_failures(g.failures_in_a_row, run_ms);
  const uint64_t delay = options_.policy.delay_ms(g.failures_in_a_row);
  g.state = v1::GUEST_STATE_BACKOFF;
  g.restart_at = Clock::now() + std::chrono::milliseconds(delay);
  spdlog::warn("guest {}: strata-hv ended ({}) after {} ms: {}; restarting in {} ms", g.plan.name,
               describe_exit(wait_status), run_ms, g.last_error.empty() ? "(no stderr)" : g.last_error, delay);
}

void GuestSupervisor::tick() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = Clock::now();
  for (auto& [name, g] : guests_) {
    if (g.pid > 0 && g.adopted) {
      if (!still_running({g.pid, g.start_ticks})) record_exit(g, adopted_exit_status(g, SIGKILL));
    } else if (g.pid > 0) {
      int st = 0;
      const pid_t r = waitpid(g.pid, &st, WNOHANG);
      if (r == g.pid) record_exit(g, st);
    } else if (g.state == v1::GUEST_STATE_BACKOFF && now >= g.restart_at) {
      ++g.restarts;
      if (Status st = spawn(g); !st) {
        g.state = v1::GUEST_STATE_FAILED;
        g.last_error = st.message();
        spdlog::error("guest {}: {}; not retried", name, st.message());
      }
    }
  }
}


Result<v1::GuestStatus> GuestSupervisor::stop(const std::string& name) {
  Guest g;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = guests_.find(name);
    if (it == guests_.end()) return not_found("guest: no guest '" + name + "'");
    g = std::move(it->second);
    guests_.erase(it);  // from here on only this thread waits for its PID
  }
  if (g.pid > 0) {
    const pid_t pid = g.pid;
    int st = 0;
    if (!signal_and_wait(g, SIGTERM, Clock::now() + options_.stop_grace, &st)) {
      spdlog::warn("guest {}: strata-hv (pid {}) did not end on SIGTERM within {} ms: SIGKILL", name, pid,
                   options_.stop_grace.count());
      signal_and_wait(g, SIGKILL, Clock::now() + std::chrono::seconds(10), &st);
    }
    note_exit(g, st);
    spdlog::info("guest {}: stopped (pid {}, {})", name, pid, describe_exit(st));
  }
  ::unlink(pidfile_path(name).c_str());
  g.state = v1::GUEST_STATE_STOPPED;
  g.restart_at = {};
  v1::GuestStatus out;
  fill(g, &out);
  return out;
}

void GuestSupervisor::stop_all() {
  std::map<std::string, Guest> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(guests_);
  }
  for (auto& [name, g] : all) {
    if (g.pid > 0) kill(g.pid, SIGTERM);
  }
  const auto deadline = Clock::now() + options_.stop_grace;
  for (auto& [name, g] : all) {
    if (g.pid <= 0) continue;
    int st = 0;
    if (!signal_and_wait(g, SIGTERM, deadline, &st)) signal_and_wait(g, SIGKILL, Clock::now() + std::chrono::seconds(10), &st);
    ::unlink(pidfile_path(name).c_str());
    spdlog::info("guest {}: stopped (pid {}, {})", name, g.pid, describe_exit(st));
  }
}

void GuestSupervisor::release_all() {
  std::map<std::string, Guest> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(guests_);
  }
  for (auto& [name, g] : all) {
    if (g.pid > 0) spdlog::info("guest {}: left running (pid {}) for the next stratad to adopt", name, g.pid);
  }
}

void GuestSupervisor::fill(const Guest& g, v1::GuestStatus* out) const {
  const auto now = Clock::now();
  out->set_state(g.state);
  out->set_pid(g.pid > 0 ? uint32_t(g.pid) : 0);
  out->set_restarts(g.restarts);
  out->set_last_exit_code(g.last_exit_code);
  out->set_last_signal(uint32_t(g.last_signal));
  out->set_last_error(g.last_error);
  out->set_uptime_ms(
      g.pid > 0 ? uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(now - g.started).count()) : 0);
  out->set_restart_in_ms(
      g.state == v1::GUEST_STATE_BACKOFF && g.restart_at > now
          ? uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(g.restart_at - now).count())
          : 0);
  out->set_console_file(g.plan.console.empty() ? g.console_file : g.plan.console);
  out->set_stderr_file(g.stderr_file);
  out->clear_sockets();
  for (const auto& nic : g.plan.nics) out->add_sockets(nic.socket);
}

void GuestSupervisor::fill_status(const std::string& name, v1::GuestStatus* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = guests_.find(name);
  if (it == guests_.end()) {
    out->set_state(v1::GUEST_STATE_STOPPED);
    out->set_last_exit_code(-1);
    return;
  }
  fill(it->second, out);
}

std::vector<pid_t> GuestSupervisor::pids() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<pid_t> out;
  for (const auto& [name, g] : guests_) {
    if (g.pid > 0) out.push_back(g.pid);
  }
  return out;
}

}  // namespace strata::daemon
