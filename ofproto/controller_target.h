// Controller targets as written in configuration and on the command line:
//   ptcp:PORT[:IP]   listen (default IP 127.0.0.1) for controllers and tools
//   tcp:HOST:PORT    connect to a controller (HOST an IPv4 address or name)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace strata::ofproto {

struct ControllerTarget {
  bool passive = false;  // ptcp: listen instead of connect
  std::string host;      // address to bind (ptcp) or to connect to (tcp)
  uint16_t port = 6653;  // TCP port
  std::string text;      // as written, for logs and status
};

Result<ControllerTarget> parse_controller_target(std::string_view text);

}  // namespace strata::ofproto
