// ControlLoop: the control thread of stratad, in the manner of OVS's main
// loop. It owns the datapath and ofproto; every change to them happens on
// this thread. Other threads (the gRPC server, OpenFlow connections) hand
// work over with call(), which runs a function here and returns its result;
// components that need regular turns (connection managers, timers)
// register a poller, and the sockets whose input should end a nap.
//
// When an iteration finds no work the thread naps in ppoll(2) on an
// eventfd (posted work), the datapath's upcall eventfd (a PMD that queues
// a miss while the thread naps writes it) and the waiters' sockets, so a
// request, a new flow's first frame or a socket's input is handled at once
// rather than after the nap: an OpenFlow client that waits for each barrier
// reply (ovs-ofctl add-flows does) pays one wake-up per request. What is
// left to time: the periodic functions, RCU reclamation and megaflow
// expiry (Datapath::run_once); so the nap starts at kNapMicros after work
// and doubles while the loop stays idle, up to kMaxNapMicros and never past
// the next periodic function. A fixed 100 us nap was 10,000 wake-ups a
// second: 89% of a CPU in this machine's VM (measured, bench (f)), taken
// from whatever shared that core.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include <poll.h>
#include <vector>

#include "datapath/datapath.h"
#include "ofproto/ofproto.h"

namespace strata::daemon {

class ControlLoop {
 public:
  ControlLoop(datapath::Datapath& dp, ofproto::Ofproto& ofp);
  ~ControlLoop();
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  static constexpr long kNapMicros = 100;      // first nap after work
  static constexpr long kMaxNapMicros = 10000;  // longest nap, while idle

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
  // Control thread: `fds` appends the sockets (and events) that should end
  // a nap; called before every nap, so the set may change between naps.
  void add_waiter(std::function<void(std::vector<pollfd>*)> fds) { waiters_.push_back(std::move(fds)); }
  // Control thread: `fn(now_ms)` about every `period_ms`.
  void add_periodic(uint64_t period_ms, std::function<void(uint64_t)> fn);

  bool on_control_thread() const;

 private:
  size_t run_tasks();
  void nap();
  long nap_micros() const;  // how long the next nap may last

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
  int wake_fd_ = -1;                         // eventfd: a task arrived while the loop napped
  std::atomic<bool> napping_{false};         // the loop is (about to be) in ppoll: post() must kick
  std::vector<std::function<size_t()>> pollers_;  // polled every iteration (control thread)
  std::vector<std::function<void(std::vector<pollfd>*)>> waiters_;  // sockets that end a nap
  std::vector<pollfd> nap_fds_;              // reused by nap()
  std::vector<Periodic> periodic_;           // timers (control thread)
  unsigned idle_naps_ = 0;                   // naps since the loop last found work
  std::atomic<std::thread::id> thread_{};    // the control thread while run() runs
};

}  // namespace strata::daemon
