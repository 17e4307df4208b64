// ControlLoop: the control thread of stratad, in the manner of OVS's main
// loop. It owns the datapath and ofproto; every change to them happens on
// this thread. Other threads (the gRPC server, OpenFlow connections) hand
// work over with call(), which runs a function here and returns its result;
// components that need regular turns (connection managers, timers)
// register a poller.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "datapath/datapath.h"
#include "ofproto/ofproto.h"

namespace strata::daemon {

class ControlLoop {
 public:
  ControlLoop(datapath::Datapath& dp, ofproto::Ofproto& ofp) : dp_(dp), ofp_(ofp) {}

  datapath::Datapath& datapath() { return dp_; }
  ofproto::Ofproto& ofproto() { return ofp_; }

  // Runs until stop() (or `should_stop` returns true); the calling thread
  // becomes the control thread.
  void run(const std::function<bool()>& should_stop = [] { return false; });
  // Any thread: ends run() at its next iteration.
  void stop() { stop_.store(true); }

  // Any thread except the control thread: runs `fn` on the control thread
  // and returns its result. If the loop has stopped, fn runs nowhere and
  // the future throws std::future_error (broken promise).
  template <typename Fn>
  auto call(Fn&& fn) -> decltype(fn()) {
    using R = decltype(fn());
    auto task = std::make_shared<std::packaged_task<R()>>(std::forward<Fn>(fn));
    std::future<R> result = task->get_future();
    post([task] { (*task)(); });
    return result.get();
  }
  // Any thread: queues `fn` for the control thread without waiting.
  void post(std::function<void()> fn);

  // Control thread: `poll` is called every iteration and returns how much
  // work it did (0 = idle), so the loop knows when it may nap.
  void add_poller(std::function<size_t()> poll) { pollers_.push_back(std::move(poll)); }
  // Control thread: `fn(now_ms)` about every `period_ms`.
  void add_periodic(uint64_t period_ms, std::function<void(uint64_t)> fn);

  bool on_control_thread() const;

 private:
  size_t run_tasks();

  struct Periodic {
    uint64_t period_ms;                // how often
    uint64_t next_ms;                  // when next
    std::function<void(uint64_t)> fn;  // what
  };

  datapath::Datapath& dp_;                   // the fast path
  ofproto::Ofproto& ofp_;                    // the bridges
  std::atomic<bool> stop_{false};            // set by stop()
  std::mutex mu_;                            // guards tasks_
  std::deque<std::function<void()>> tasks_;  // posted work, FIFO
  std::condition_variable wake_;             // a task arrived (the loop naps on it)
  std::vector<std::function<size_t()>> pollers_;  // polled every iteration (control thread)
  std::vector<Periodic> periodic_;           // timers (control thread)
  std::atomic<std::thread::id> thread_{};    // the control thread while run() runs
};

}  // namespace strata::daemon
