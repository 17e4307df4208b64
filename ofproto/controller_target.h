// Controller targets as written in configuration and on the command line,
// in OVS's forms (docs/DESIGN.md):
//   ptcp:PORT[:IP]    listen on TCP for controllers and tools (IP default
//                     127.0.0.1)
//   punix:PATH        listen on a Unix socket (ovs-ofctl ... unix:PATH), the
//                     cheaper transport for local tools, as OVS's br.mgmt
//   tcp:HOST[:PORT]   connect to a controller (PORT default 6653)
// IPv4 only: an IPv6 address is refused here rather than at bind time.
// The daemon checks configuration with the same parser, so what it accepts
// the connection manager can open.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace strata::ofproto {

struct ControllerTarget {
  bool passive = false;   // ptcp:/punix: listen instead of connect
  std::string host;       // address to bind (ptcp) or to connect to (tcp)
  uint16_t port = 6653;   // TCP port
  std::string unix_path;  // punix: the socket's path (empty for TCP)
  std::string text;       // as written, for logs and status
};

// Errors name the target and say which form was expected.
Result<ControllerTarget> parse_controller_target(std::string_view text);

}  // namespace strata::ofproto
