#include "daemon/pidfile.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "daemon/atomic_file.h"

namespace strata::daemon {

Result<std::unique_ptr<Pidfile>> Pidfile::lock(const std::string& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return failed_precondition("--pidfile '" + path + "': " + errno_text(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    const ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    close(fd);
    std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "?";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    return failed_precondition("--pidfile '" + path + "' is held by another stratad (pid " + holder + ")");
  }
  return std::unique_ptr<Pidfile>(new Pidfile(path, fd));
}

Pidfile::~Pidfile() {
  // Unlink while still holding the lock: no one can take it in between.
  unlink(path_.c_str());
  close(fd_);
}

Status Pidfile::write(pid_t pid) {
  const std::string text = std::to_string(pid) + "\n";
  if (ftruncate(fd_, 0) != 0 || pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    return failed_precondition("--pidfile '" + path_ + "': cannot write: " + errno_text(errno));
  }
  return Status::ok();
}

}  // namespace strata::daemon
