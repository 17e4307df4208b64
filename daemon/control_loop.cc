#include "daemon/control_loop.h"

#include <rte_cycles.h>

#include <chrono>

namespace strata::daemon {

namespace {
uint64_t now_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}
}  // namespace

void ControlLoop::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push_back(std::move(fn));
  }
  wake_.notify_one();
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
      // Idle: nap briefly, but wake at once for posted work. Upcalls are
      // polled, so the nap stays short to keep flow setup latency low.
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, std::chrono::microseconds(100), [&] { return !tasks_.empty(); });
    }
  }
  // Work posted after the end runs nowhere: drop it so callers see a
  // broken promise instead of hanging.
  std::lock_guard<std::mutex> lock(mu_);
  tasks_.clear();
  thread_.store(std::thread::id{});
}

}  // namespace strata::daemon
