#include "daemon/control_loop.h"

#include <errno.h>
#include <rte_cycles.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

namespace strata::daemon {

namespace {
uint64_t now_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}
}  // namespace

ControlLoop::ControlLoop(datapath::Datapath& dp, ofproto::Ofproto& ofp) : dp_(dp), ofp_(ofp) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::runtime_error(std::string("control loop: eventfd: ") + std::strerror(errno));
}

ControlLoop::~ControlLoop() { close(wake_fd_); }

void ControlLoop::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push_back(std::move(fn));
  }
  // Only a napping loop needs the syscall; nap() sets napping_ before it
  // looks at tasks_ under mu_, so a task pushed after that look sees it.
  if (napping_.load()) {
    const uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
  }
}

void ControlLoop::nap() {
  nap_fds_.clear();
  nap_fds_.push_back(pollfd{wake_fd_, POLLIN, 0});
  nap_fds_.push_back(pollfd{dp_.upcall_wake_fd(), POLLIN, 0});
  for (auto& w : waiters_) w(&nap_fds_);
  napping_.store(true);
  bool idle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle = tasks_.empty();
  }
  if (idle && dp_.prepare_upcall_sleep()) {
    const timespec timeout{0, nap_micros() * 1000};
    if (ppoll(nap_fds_.data(), nap_fds_.size(), &timeout, nullptr) > 0 && (nap_fds_[0].revents & POLLIN)) {
      uint64_t n;
      (void)!read(wake_fd_, &n, sizeof(n));
    }
    dp_.end_upcall_sleep();
  }
  napping_.store(false);
  ++idle_naps_;
}

long ControlLoop::nap_micros() const {
  long micros = kNapMicros << std::min(idle_naps_, 7u);  // 100 us, doubling: 10 ms after 7 idle naps
  const uint64_t now = now_ms();
  for (const auto& t : periodic_) {
    const long until = t.next_ms > now ? static_cast<long>(t.next_ms - now) * 1000 : 0;
    micros = std::min(micros, until);
  }
  return std::clamp(micros, 0L, kMaxNapMicros);
}

void ControlLoop::add_periodic(uint64_t period_ms, std::function<void(uint64_t)> fn) {
  periodic_.push_back(Periodic{period_ms, now_ms() + period_ms, std::move(fn)});
}

bool ControlLoop::on_control_thread() const { return thread_.load() == std::this_thread::get_id(); }

size_t ControlLoop::run_tasks() {
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(tasks_);
  }
  for (auto& t : batch) t();
  return batch.size();
}

void ControlLoop::run(const std::function<bool()>& should_stop) {
  thread_.store(std::this_thread::get_id());
  while (!stop_.load() && !should_stop()) {
    size_t work = dp_.run_once();
    work += run_tasks();
    for (auto& p : pollers_) work += p();
    const uint64_t now = now_ms();
    for (auto& t : periodic_) {
      if (now >= t.next_ms) {
        t.next_ms = now + t.period_ms;
        t.fn(now);
      }
    }
    if (work == 0) {
      nap();
    } else {
      idle_naps_ = 0;
    }
  }
  // Work posted after the end runs nowhere: drop it so callers see a
  // broken promise instead of hanging.
  std::lock_guard<std::mutex> lock(mu_);
  tasks_.clear();
  thread_.store(std::thread::id{});
}

}  // namespace strata::daemon
