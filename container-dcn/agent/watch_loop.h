// `strata-dcn-agent watch`: follows stratad's containers of one DCN
// (WatchContainers; ListContainers polling for a stratad without it) and
// converges the DCN to them after every change, and every --resync
// seconds in between (so a container someone deleted by hand comes back).
// When stratad cannot be reached the containers stay as they are and the
// agent retries; when stratad has no such DCN (it was removed) the DCN's
// containers are removed. SIGTERM / SIGINT end it cleanly.
#pragma once

#include <ostream>
#include <string>

#include "container-dcn/agent/agent.h"

namespace strata::dcn_agent {

struct WatchSettings {
  std::string mgmt;         // stratad's address
  double resync_s = 10;     // converge again this often without news
  double retry_s = 1;       // wait this long before reconnecting
};

// Runs until SIGTERM or SIGINT; returns the exit status (0, or 1 when the
// settings are wrong). Progress and errors go to `log`, one line each.
int run_watch(Agent& agent, const WatchSettings& settings, std::ostream& log);

}  // namespace strata::dcn_agent
