// VcpuGate: where vCPU threads wait while the guest is paused. The main
// thread asks for a pause, knocks each vCPU out of KVM_RUN (immediate_exit
// and a signal), and waits until all are parked; each vCPU first re-enters
// KVM_RUN with immediate_exit set, so a port or MMIO access it was in the
// middle of completes and it parks at an instruction boundary.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace strata::hv {

class VcpuGate {
 public:
  // vCPU threads poll this between KVM_RUN calls.
  bool pause_requested() const { return pause_.load(std::memory_order_acquire); }

  // vCPU thread: wait here until release() or `stop`.
  void park(const std::atomic<bool>& stop) {
    std::unique_lock lock(mu_);
    ++parked_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !pause_.load() || stop.load(); });
    --parked_;
  }

  // Main thread: from now on vCPUs park (the caller then kicks them).
  void request_pause() { pause_.store(true, std::memory_order_release); }
  // Main thread: true once `n` vCPUs are parked, false after `timeout`.
  bool wait_parked(uint32_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return parked_ >= n; });
  }
  // Main thread: let every parked vCPU run again (also used to wake them
  // for a stop: park() returns when its `stop` is set and it is notified).
  void release() {
    std::lock_guard lock(mu_);
    pause_.store(false);
    cv_.notify_all();
  }
  void notify_stop() {
    std::lock_guard lock(mu_);
    cv_.notify_all();
  }

 private:
  std::atomic<bool> pause_{false};  // set by the main thread, read by vCPU threads
  std::mutex mu_;                   // guards parked_ and the waits
  std::condition_variable cv_;      // parked_ changed, or pause_/stop cleared/set
  uint32_t parked_ = 0;             // vCPU threads inside park()
};

}  // namespace strata::hv
