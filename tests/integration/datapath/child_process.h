// A peer program a test starts (testpmd, QEMU): spawned with its output in
// a log file, ended by its PID (never by name) when the test is done or
// fails, so no process outlives the test.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace strata::testing {

class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, std::string log_path);
  ~ChildProcess();  // SIGTERM, then SIGKILL after 3 s

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `sig` and reaps the process.
  void stop(int sig, std::chrono::milliseconds grace = std::chrono::seconds(3));
  // True once the log contains `text` (polls until `timeout`).
  bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const;
  std::string log() const;

 private:
  pid_t pid_ = -1;        // the child, -1 once reaped
  std::string log_path_;  // its stdout and stderr
};

}  // namespace strata::testing
