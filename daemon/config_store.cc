#include "daemon/config_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <zlib.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "daemon/atomic_file.h"

namespace strata::daemon {

namespace {

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_le(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(in[at + static_cast<size_t>(i)])} << (8 * i);
  return v;
}

uint32_t crc_of(std::string_view payload) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed big payloads in pieces.
  size_t done = 0;
  while (done < payload.size()) {
    const size_t n = std::min<size_t>(payload.size() - done, 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(payload.data() + done), static_cast<uInt>(n));
    done += n;
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace

std::string encode_db(const DbContent& content) {
  std::string body;  // length, seed, payload: what the CRC covers
  std::string payload;
  content.config.SerializeToString(&payload);
  put_le(body, payload.size(), 8);
  put_le(body, content.seed, 8);
  body += payload;
  std::string out(kDbMagic, sizeof(kDbMagic));
  put_le(out, kDbVersion, 4);
  put_le(out, crc_of(body), 4);
  out += body;
  return out;
}

uint64_t config_fingerprint(const v1::Config& config) {
  std::string bytes;
  google::protobuf::io::StringOutputStream raw(&bytes);
  {
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    config.SerializeToCodedStream(&out);
  }
  const uint64_t fp = (uint64_t{crc_of(bytes)} << 32) | static_cast<uint32_t>(bytes.size() * 0x9e3779b1u);
  return fp == 0 ? 1 : fp;
}

Result<DbContent> decode_db(std::string_view bytes) {
  if (bytes.size() < kDbHeaderSize) {
    return data_loss("truncated: " + std::to_string(bytes.size()) + " bytes, shorter than the " +
                     std::to_string(kDbHeaderSize) + "-byte header");
  }
  if (std::memcmp(bytes.data(), kDbMagic, sizeof(kDbMagic)) != 0) return data_loss("not a Strata db (bad magic)");
  const uint64_t version = get_le(bytes, 8, 4);
  if (version != kDbVersion) {
    return data_loss("format version " + std::to_string(version) + ", this stratad reads version " +
                     std::to_string(kDbVersion));
  }
  const uint64_t length = get_le(bytes, 16, 8);
  if (length != bytes.size() - kDbHeaderSize) {
    return data_loss("payload is " + std::to_string(bytes.size() - kDbHeaderSize) + " bytes, the header says " +
                     std::to_string(length));
  }
  if (crc_of(bytes.substr(16)) != get_le(bytes, 12, 4)) return data_loss("checksum mismatch: the content is damaged");
  const std::string_view payload = bytes.substr(kDbHeaderSize);
  DbContent content;
  content.seed = get_le(bytes, 24, 8);
  if (!content.config.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return data_loss("the checksum holds but the Config does not parse");
  }
  return content;
}

Result<std::unique_ptr<ConfigStore>> ConfigStore::open(const std::string& path) {
  if (path.empty()) return invalid_argument("--db: empty path");
  STRATA_RETURN_IF_ERROR(make_directories(parent_directory(path), 0755).with_context("db '" + path + "'"));
  const std::string lock = path + ".lock";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return failed_precondition("db '" + path + "': cannot open '" + lock + "': " + errno_text(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    close(fd);
    if (err == EWOULDBLOCK) {
      return failed_precondition("db '" + path + "' is in use by another stratad (it holds '" + lock + "')");
    }
    return failed_precondition("db '" + path + "': cannot lock '" + lock + "': " + errno_text(err));
  }
  std::unique_ptr<ConfigStore> store(new ConfigStore);
  store->path_ = path;
  store->lock_fd_ = fd;
  return store;
}

std::unique_ptr<ConfigStore> ConfigStore::in_memory() { return std::unique_ptr<ConfigStore>(new ConfigStore); }

ConfigStore::~ConfigStore() {
  // The lock file stays: removing it would race with a starting stratad
  // that has it open already.
  if (lock_fd_ >= 0) close(lock_fd_);
}

Result<std::optional<DbContent>> ConfigStore::load() const {
  if (!persistent()) return std::optional<DbContent>();
  auto bytes = read_file(path_);
  if (!bytes) {
    if (bytes.status().code() == StatusCode::kNotFound) return std::optional<DbContent>();
    return bytes.status().with_context("db");
  }
  auto content = decode_db(*bytes);
  if (!content) return content.status().with_context("db '" + path_ + "'");
  return std::optional<DbContent>(std::move(*content));
}

Result<std::optional<std::string>> ConfigStore::move_aside() {
  if (!persistent() || access(path_.c_str(), F_OK) != 0) return std::optional<std::string>();
  std::string aside = path_ + ".bad-" + std::to_string(time(nullptr));
  for (int i = 1; access(aside.c_str(), F_OK) == 0; ++i) aside = path_ + ".bad-" + std::to_string(time(nullptr)) + "." + std::to_string(i);
  if (rename(path_.c_str(), aside.c_str()) != 0) {
    return failed_precondition("db '" + path_ + "': cannot move it to '" + aside + "': " + errno_text(errno));
  }
  return std::optional<std::string>(aside);
}

Status ConfigStore::commit(const v1::Config& config) {
  if (persistent()) {
    STRATA_RETURN_IF_ERROR(write_file_atomically(path_, encode_db(DbContent{config, seed_}), 0600).with_context("db"));
  }
  current_ = config;
  commits_.fetch_add(1, std::memory_order_release);
  return Status::ok();
}

}  // namespace strata::daemon
