// Turns a failed system call into a Status a user can act on:
// "cannot open /dev/kvm: No such file or directory", never a bare errno.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>

#include "base/status.h"

namespace strata::hv {

// `what` says what was attempted ("cannot open /dev/kvm"); errno says why.
inline Status os_error(const std::string& what, int err = errno) {
  StatusCode code = StatusCode::kInternal;
  switch (err) {
    case ENOENT: code = StatusCode::kNotFound; break;
    case EACCES:
    case EPERM: code = StatusCode::kPermissionDenied; break;
    case ENOMEM:
    case ENOSPC:
    case EMFILE: code = StatusCode::kResourceExhausted; break;
    case ECONNREFUSED:
    case ETIMEDOUT:
    case EPIPE:
    case ECONNRESET: code = StatusCode::kUnavailable; break;
    case EINVAL: code = StatusCode::kInvalidArgument; break;
    default: break;
  }
  return Status(code, what + ": " + std::strerror(err));
}

}  // namespace strata::hv
