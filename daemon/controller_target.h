// OpenFlow controller targets as users write them (DESIGN.md):
//   ptcp:PORT[:IP]   listen for controllers on PORT (IP default 127.0.0.1)
//   tcp:HOST:PORT    connect to a controller
// Checked when configured, so a typo is refused up front rather than
// failing later inside the connection manager.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace strata::daemon {

struct ControllerTarget {
  bool passive = false;  // ptcp: listen; tcp: connect
  std::string host;      // ptcp: address to bind; tcp: host to connect to
  uint16_t port = 0;     // TCP port, 1..65535
};

// Parses `text`; errors start with `field`.
Result<ControllerTarget> parse_controller_target(const std::string& text, const std::string& field);
inline Status check_controller_target(const std::string& text, const std::string& field) {
  return parse_controller_target(text, field).status();
}

}  // namespace strata::daemon
