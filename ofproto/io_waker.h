// IoWaker: prompt wake-ups for OpenFlow sockets on a polled control loop.
//
// The control loop polls its pollers and naps briefly when idle, so a
// request arriving during a nap waits for the nap to end. ovs-ofctl sends
// each flow_mod with a barrier and waits for the reply before the next, so
// that wait is paid once per flow. A helper thread blocks in poll(2) on the
// OpenFlow sockets and, when one becomes readable, calls `wake` (which posts
// to the control loop) and then waits until the control thread has had its
// turn (rearm()) before polling again, so it never spins on data it does not
// read. It only watches: all reads, writes and protocol work stay on the
// control thread.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace strata::ofproto {

class IoWaker {
 public:
  explicit IoWaker(std::function<void()> wake);
  ~IoWaker();  // stops and joins the helper
  IoWaker(const IoWaker&) = delete;
  IoWaker& operator=(const IoWaker&) = delete;

  // Control thread: the sockets to watch (when they change).
  void set_fds(const std::vector<int>& fds);
  // Control thread, after each turn: the helper may watch again.
  void rearm();

 private:
  void run();
  void kick();

  std::function<void()> wake_;        // posts to the control loop (any thread)
  int event_fd_ = -1;                 // interrupts the helper's poll (new fds, rearm, stop)
  std::mutex mu_;                     // guards fds_
  std::vector<int> fds_;              // what to watch (control thread writes under mu_)
  std::atomic<bool> waiting_{false};  // the helper woke the loop and waits for rearm()
  std::atomic<bool> stop_{false};     // the helper should end
  std::thread thread_;                // the helper
};

}  // namespace strata::ofproto
