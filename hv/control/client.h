// One control request to a running strata-hv and its reply: what
// strata-hv-remote and stratad (guest-pause, guest-snapshot ...) both do.
#pragma once

#include <string>

#include "base/status.h"
#include "hv/control/request.h"

namespace strata::hv::control {

// Connects to `socket_path`, sends `r`, waits at most `timeout_ms` for the
// reply line. The line (without newline) when strata-hv said ok; its
// reason as a FAILED_PRECONDITION when it refused; UNAVAILABLE or
// DEADLINE_EXCEEDED when it could not be reached or did not answer.
Result<std::string> call(const std::string& socket_path, const Request& r, int timeout_ms);

}  // namespace strata::hv::control
