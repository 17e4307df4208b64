// Controller targets are checked when configured, so a typo is refused up
// front rather than failing later inside the connection manager. The
// syntax is ofproto's (ofproto/controller_target.h): one parser for both.
#pragma once

#include <string>

#include "base/status.h"
#include "ofproto/controller_target.h"

namespace strata::daemon {

// OK when `text` is a target the connection manager can open; the error
// starts with `field`.
inline Status check_controller_target(const std::string& text, const std::string& field) {
  return ofproto::parse_controller_target(text).status().with_context(field);
}

}  // namespace strata::daemon
