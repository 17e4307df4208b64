// stratad's log: spdlog (and DPDK's own log lines) to stderr, or to
// --log-file, appended. SIGHUP reopens the file (after logrotate moved
// it). Levels: trace, debug, info, warn, error.
#pragma once

#include <string>

#include "base/status.h"

namespace strata::daemon {

// Sets up the default logger. Call once, early, from the main thread.
Status setup_logging(const std::string& level, const std::string& log_file);
// Reopens --log-file (no-op for stderr). Any thread.
Status reopen_log();

}  // namespace strata::daemon
