#include "ofproto/io_waker.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace strata::ofproto {

IoWaker::IoWaker(std::function<void()> wake) : wake_(std::move(wake)) {
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  thread_ = std::thread([this] { run(); });
}

IoWaker::~IoWaker() {
  stop_.store(true);
  kick();
  thread_.join();
  if (event_fd_ >= 0) close(event_fd_);
}

void IoWaker::kick() {
  const uint64_t one = 1;
  (void)!write(event_fd_, &one, sizeof(one));
}

void IoWaker::set_fds(const std::vector<int>& fds) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    fds_ = fds;
  }
  kick();
}

void IoWaker::rearm() {
  if (waiting_.exchange(false)) kick();
}

void IoWaker::run() {
  std::vector<pollfd> pfds;
  while (!stop_.load()) {
    pfds.clear();
    pfds.push_back(pollfd{event_fd_, POLLIN, 0});
    if (!waiting_.load()) {
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : fds_) pfds.push_back(pollfd{fd, POLLIN, 0});
    }
    // The timeout only bounds the damage of a lost kick; kicks are the norm.
    if (poll(pfds.data(), pfds.size(), 50) <= 0) continue;
    if (pfds[0].revents & POLLIN) {
      uint64_t n = 0;
      (void)!read(event_fd_, &n, sizeof(n));
    }
    bool readable = false;
    for (size_t i = 1; i < pfds.size(); ++i) readable |= (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
    if (readable && !stop_.load()) {
      waiting_.store(true);
      wake_();
    }
  }
}

}  // namespace strata::ofproto
