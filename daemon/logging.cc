#include "daemon/logging.h"

#include <rte_log.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <mutex>

#include "daemon/atomic_file.h"

namespace strata::daemon {

namespace {

// Writes to one FILE*, which DPDK's log shares. Reopening uses freopen so
// the FILE* DPDK holds stays valid.
class StreamSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  StreamSink(FILE* stream, std::string path) : stream_(stream), path_(std::move(path)) {}

  Status reopen() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (path_.empty()) return Status::ok();
    if (std::freopen(path_.c_str(), "a", stream_) == nullptr) {
      return failed_precondition("--log-file '" + path_ + "': " + errno_text(errno));
    }
    return Status::ok();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), stream_);
    std::fflush(stream_);
  }
  void flush_() override { std::fflush(stream_); }

 private:
  FILE* stream_;      // stderr or the opened --log-file
  std::string path_;  // --log-file, empty for stderr
};

std::shared_ptr<StreamSink> g_sink;  // set once by setup_logging

}  // namespace

Status setup_logging(const std::string& level, const std::string& log_file) {
  const auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    return invalid_argument("--log-level '" + level + "': expected trace, debug, info, warn, error or off");
  }
  FILE* stream = stderr;
  if (!log_file.empty()) {
    stream = std::fopen(log_file.c_str(), "a");
    if (stream == nullptr) return failed_precondition("--log-file '" + log_file + "': " + errno_text(errno));
    rte_openlog_stream(stream);
  }
  g_sink = std::make_shared<StreamSink>(stream, log_file);
  auto logger = std::make_shared<spdlog::logger>("stratad", g_sink);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e stratad %l: %v");
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return Status::ok();
}

Status reopen_log() {
  if (!g_sink) return Status::ok();
  return g_sink->reopen();
}

}  // namespace strata::daemon
