// The --pidfile of stratad: holds the daemon's PID and an flock for the
// life of the process, so a second stratad given the same pidfile refuses
// to start instead of overwriting the first one's.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "base/status.h"

namespace strata::daemon {

class Pidfile {
 public:
  // Opens and locks `path` (FAILED_PRECONDITION naming the holder's PID
  // when another process has it). Writes nothing yet.
  static Result<std::unique_ptr<Pidfile>> lock(const std::string& path);
  ~Pidfile();  // removes the file
  Pidfile(const Pidfile&) = delete;
  Pidfile& operator=(const Pidfile&) = delete;

  // Writes `pid` (after --detach's fork: the child's).
  Status write(pid_t pid);

 private:
  Pidfile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;  // the file
  int fd_ = -1;       // open and flock()ed
};

}  // namespace strata::daemon
