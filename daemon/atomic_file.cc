#include "daemon/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace strata::daemon {

namespace {

// Closes on scope exit; error paths stay short.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return internal_error("cannot write '" + path + "': " + errno_text(errno));
    done += static_cast<size_t>(n);
  }
  return Status::ok();
}

}  // namespace

std::string errno_text(int err) { return std::strerror(err); }

std::string parent_directory(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status make_directories(const std::string& dir, mode_t mode) {
  if (dir.empty() || dir == "/" || dir == ".") return Status::ok();
  struct stat st {};
  if (stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::ok();
    return failed_precondition("'" + dir + "' exists and is not a directory");
  }
  STRATA_RETURN_IF_ERROR(make_directories(parent_directory(dir), mode));
  if (mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
    return failed_precondition("cannot create directory '" + dir + "': " + errno_text(errno));
  }
  return Status::ok();
}

Result<std::string> read_file(const std::string& path) {
  Fd f{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno == ENOENT) return not_found("'" + path + "' does not exist");
    return failed_precondition("cannot open '" + path + "': " + errno_text(errno));
  }
  std::string out;
  char buf[65536];
  while (true) {
    const ssize_t n = read(f.fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed_precondition("cannot read '" + path + "': " + errno_text(errno));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status write_file_atomically(const std::string& path, std::string_view bytes, mode_t mode) {
  const std::string dir = parent_directory(path);
  // One temporary name per writer process: a crashed writer's leftover is
  // simply overwritten next time (O_TRUNC).
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    Fd f{open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)};
    if (f.fd < 0) return internal_error("cannot create '" + tmp + "': " + errno_text(errno));
    if (Status st = write_all(f.fd, bytes, tmp); !st) {
      unlink(tmp.c_str());
      return st;
    }
    if (fchmod(f.fd, mode) != 0 || fsync(f.fd) != 0) {
      const int err = errno;
      unlink(tmp.c_str());
      return internal_error("cannot sync '" + tmp + "': " + errno_text(err));
    }
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    return internal_error("cannot rename '" + tmp + "' to '" + path + "': " + errno_text(err));
  }
  Fd d{open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0 || fsync(d.fd) != 0) {
    return internal_error("cannot sync directory '" + dir + "': " + errno_text(errno));
  }
  return Status::ok();
}

}  // namespace strata::daemon
