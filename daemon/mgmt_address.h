// The management API's address as `--mgmt` takes it, for stratad (listen)
// and stratactl (connect):
//   unix:/run/strata/stratad.sock   a Unix socket (the default; mode 0600)
//   /path/to/sock                   the same, without the prefix
//   tcp:127.0.0.1:50051             TCP, only when asked; [::1]:50051 for IPv6
#pragma once

#include <string>

#include "base/status.h"

namespace strata::daemon {

inline constexpr char kDefaultMgmtAddress[] = "unix:/run/strata/stratad.sock";

struct MgmtAddress {
  bool is_unix = true;      // Unix socket, else TCP
  std::string path;         // is_unix: the socket's path
  std::string grpc_target;  // what gRPC's ServerBuilder / CreateChannel take
  std::string text;         // as the user wrote it, for messages
};

Result<MgmtAddress> parse_mgmt_address(const std::string& text);

}  // namespace strata::daemon
