// Status -> grpc::Status. The codes are the same numbers by design
// (base/status.h mirrors gRPC's canonical codes), so this is a cast.
#pragma once

#include <grpcpp/support/status.h>

#include "base/status.h"

namespace strata::daemon {

inline grpc::Status to_grpc(const Status& st) {
  if (st.is_ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(st.code()), st.message());
}

}  // namespace strata::daemon
