#include "hv/state/snapshot_dir.h"

#include <fcntl.h>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "hv/os_error.h"
#include "hv/unique_fd.h"

namespace strata::hv::state {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMaxStateBytes = 64u << 20;

bool page_is_zero(const uint8_t* p) {
  uint64_t acc = 0;
  for (uint64_t i = 0; i < kPage; i += sizeof(uint64_t)) {
    uint64_t w;
    std::memcpy(&w, p + i, sizeof w);
    acc |= w;
  }
  return acc == 0;
}

Status pwrite_all(int fd, const uint8_t* p, uint64_t len, uint64_t off, const std::string& path) {
  while (len > 0) {
    ssize_t n = ::pwrite(fd, p, len, off_t(off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return os_error("cannot write " + path);
    p += n;
    off += uint64_t(n);
    len -= uint64_t(n);
  }
  return Status::ok();
}

Status pread_all(int fd, uint8_t* p, uint64_t len, uint64_t off, const std::string& path) {
  while (len > 0) {
    ssize_t n = ::pread(fd, p, len, off_t(off));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("cannot read " + path);
    if (n == 0) return data_loss(path + " ended early");
    p += n;
    off += uint64_t(n);
    len -= uint64_t(n);
  }
  return Status::ok();
}

// Writes `bytes` to dir/name through a temporary file, fsynced and renamed.
Status write_file_atomically(const std::string& dir, const char* name, const std::function<Status(int, const std::string&)>& fill) {
  const std::string final_path = dir + "/" + name;
  const std::string tmp = final_path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return os_error("cannot create " + tmp);
  Status s = fill(fd.get(), tmp);
  if (s.is_ok() && ::fsync(fd.get()) != 0) s = os_error("cannot sync " + tmp);
  if (s.is_ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) s = os_error("cannot rename " + tmp);
  if (!s.is_ok()) ::unlink(tmp.c_str());
  return s;
}

}  // namespace

Result<std::vector<uint8_t>> read_small_file(const std::string& path, uint64_t max) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return os_error("cannot open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return os_error("cannot stat " + path);
  if (!S_ISREG(st.st_mode)) return invalid_argument(path + " is not a regular file");
  if (uint64_t(st.st_size) > max) return invalid_argument(path + " is larger than " + std::to_string(max) + " bytes");
  std::vector<uint8_t> bytes(size_t(st.st_size));
  STRATA_RETURN_IF_ERROR(pread_all(fd.get(), bytes.data(), bytes.size(), 0, path));
  return bytes;
}

Result<SnapshotFigures> write_snapshot(const std::string& dir, const GuestMemory& mem, const GuestState& state) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return os_error("cannot create snapshot directory " + dir);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return invalid_argument(dir + " is not a directory");
  if (::access((dir + "/" + kStateFile).c_str(), F_OK) == 0) {
    return already_exists(dir + " already holds a snapshot; give a new directory");
  }
  SnapshotFigures f;
  f.memory_bytes = mem.size();
  STRATA_RETURN_IF_ERROR(write_file_atomically(dir, kMemoryFile, [&](int fd, const std::string& path) -> Status {
    // The file's length is the RAM size; only nonzero pages are written,
    // so a mostly idle guest's snapshot is mostly holes.
    if (::ftruncate(fd, off_t(mem.size())) != 0) return os_error("cannot size " + path);
    const uint8_t* base = mem.host_base();
    for (uint64_t off = 0; off < mem.size();) {
      if (page_is_zero(base + off)) {
        off += kPage;
        continue;
      }
      uint64_t end = off + kPage;
      while (end < mem.size() && !page_is_zero(base + end)) end += kPage;
      STRATA_RETURN_IF_ERROR(pwrite_all(fd, base + off, end - off, off, path));
      f.data_bytes += end - off;
      off = end;
    }
    return Status::ok();
  }));
  std::vector<uint8_t> encoded = encode_guest_state(state);
  f.state_bytes = encoded.size();
  STRATA_RETURN_IF_ERROR(write_file_atomically(dir, kStateFile, [&](int fd, const std::string& path) {
    return pwrite_all(fd, encoded.data(), encoded.size(), 0, path);
  }));
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.valid()) (void)::fsync(dfd.get());  // the renames themselves
  return f;
}

Result<GuestState> read_snapshot_state(const std::string& dir) {
  const std::string path = dir + "/" + kStateFile;
  if (::access(dir.c_str(), F_OK) != 0) return os_error("cannot open snapshot directory " + dir);
  if (::access(path.c_str(), F_OK) != 0) {
    return not_found(dir + " holds no finished snapshot (no " + kStateFile + " file)");
  }
  auto bytes = read_small_file(path, kMaxStateBytes);
  if (!bytes) return bytes.status();
  auto state = decode_guest_state(*bytes);
  if (!state) return state.status().with_context(path);
  return state;
}

Result<uint64_t> read_snapshot_memory(const std::string& dir, GuestMemory& mem) {
  const std::string path = dir + "/" + kMemoryFile;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return os_error("cannot open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return os_error("cannot stat " + path);
  if (uint64_t(st.st_size) != mem.size()) {
    return data_loss(path + " holds " + std::to_string(st.st_size) + " bytes, the snapshot's guest has " +
                     std::to_string(mem.size()));
  }
  // Only the data extents: holes are zero pages, and the memfd is zero.
  uint64_t copied = 0;
  off_t off = 0;
  while (uint64_t(off) < mem.size()) {
    off_t data = ::lseek(fd.get(), off, SEEK_DATA);
    if (data < 0) break;  // ENXIO: no data after `off`
    off_t hole = ::lseek(fd.get(), data, SEEK_HOLE);
    if (hole < 0) hole = off_t(mem.size());
    STRATA_RETURN_IF_ERROR(pread_all(fd.get(), mem.host_base() + data, uint64_t(hole - data), uint64_t(data), path));
    copied += uint64_t(hole - data);
    off = hole;
  }
  return copied;
}

}  // namespace strata::hv::state
