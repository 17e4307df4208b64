// ConfigStore: the db (`stratad --db`), the persisted strata.v1.Config.
//
// Every accepted management change is committed here before its reply, and
// stratad restores from it on start. A commit replaces the file atomically
// (atomic_file.h), so a crash leaves the previous or the new configuration,
// never a torn one. One stratad at a time: the store holds an exclusive
// flock on FILE.lock for the life of the process.
//
// File format, version 1 (all integers little-endian):
//   0   8 bytes  magic "STRATADB"
//   8   u32      format version (1)
//   12  u32      CRC-32 (zlib's) of bytes 16.. (seed and payload)
//   16  u64      payload length
//   24  u64      seed: fingerprint of the --config that seeded the db (0: none)
//   32  ...      payload: strata.v1.Config in Protobuf binary
// Binary, not text format, because a db written by a newer stratad then
// keeps the fields an older one does not know; the length and CRC tell a
// truncated or damaged file from a good one, which the text format cannot.
// `stratactl dump-config` prints it as text.
//
// Not thread-safe: the management service serialises its changes.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "strata/v1/config.pb.h"

namespace strata::daemon {

inline constexpr char kDbMagic[8] = {'S', 'T', 'R', 'A', 'T', 'A', 'D', 'B'};
inline constexpr uint32_t kDbVersion = 1;
inline constexpr size_t kDbHeaderSize = 32;

// What a db file holds.
struct DbContent {
  v1::Config config;  // the committed configuration
  uint64_t seed = 0;  // config_fingerprint() of the --config that seeded it; 0: none
};

// Serialises in the db format.
std::string encode_db(const DbContent& content);
// Parses the db format; DATA_LOSS saying what is wrong when it is damaged.
Result<DbContent> decode_db(std::string_view bytes);
// A stable 64-bit fingerprint of a configuration (never 0): the db keeps
// the one of the --config that seeded it, so a restart with the same
// command line is told apart from a different --config.
uint64_t config_fingerprint(const v1::Config& config);

class ConfigStore {
 public:
  // The db at `path`: creates its directory if missing and takes the lock.
  // FAILED_PRECONDITION when another process holds it.
  static Result<std::unique_ptr<ConfigStore>> open(const std::string& path);
  // A store that keeps the configuration in memory only (`--no-db`).
  static std::unique_ptr<ConfigStore> in_memory();
  ~ConfigStore();
  ConfigStore(const ConfigStore&) = delete;
  ConfigStore& operator=(const ConfigStore&) = delete;

  // Reads the file: nullopt when there is none; DATA_LOSS naming the file
  // when it cannot be trusted. Does not change current().
  Result<std::optional<DbContent>> load() const;
  // Renames the file to FILE.bad-<unix time> (the db is then missing) and
  // returns the new name; nullopt when there was no file.
  Result<std::optional<std::string>> move_aside();

  // Writes `config` durably, then makes it current(). On error the file
  // and current() are unchanged.
  Status commit(const v1::Config& config);
  // The last committed configuration (empty before the first commit).
  const v1::Config& current() const { return current_; }
  // Sets current() without writing: after load() of a file that is good.
  void adopt(const v1::Config& config) { current_ = config; }
  // How many commits this process made: a watcher compares two readings to
  // learn that current() changed (the one thing safe from any thread).
  uint64_t commits() const { return commits_.load(std::memory_order_acquire); }
  // The seed fingerprint every later commit records.
  void set_seed(uint64_t seed) { seed_ = seed; }
  uint64_t seed() const { return seed_; }

  bool persistent() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

 private:
  ConfigStore() = default;

  std::string path_;    // db file; empty: in memory only
  int lock_fd_ = -1;    // FILE.lock, flock()ed while we live
  v1::Config current_;  // what the file holds (or would)
  uint64_t seed_ = 0;   // written with every commit (see DbContent)
  std::atomic<uint64_t> commits_{0};  // successful commits (writer: the transaction holder)
};

}  // namespace strata::daemon
