#include "daemon/mgmt_address.h"

namespace strata::daemon {

Result<MgmtAddress> parse_mgmt_address(const std::string& text) {
  MgmtAddress a;
  a.text = text;
  if (text.rfind("unix:", 0) == 0 || text.rfind('/', 0) == 0) {
    a.path = text.rfind("unix:", 0) == 0 ? text.substr(5) : text;
    if (a.path.empty()) return invalid_argument("--mgmt '" + text + "': the socket path is empty");
    // sun_path holds 108 bytes with its terminator.
    if (a.path.size() > 107) return invalid_argument("--mgmt '" + text + "': a socket path has at most 107 bytes");
    a.grpc_target = "unix:" + a.path;
    return a;
  }
  if (text.rfind("tcp:", 0) == 0) {
    const std::string hp = text.substr(4);
    const size_t colon = hp.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == hp.size()) {
      return invalid_argument("--mgmt '" + text + "': expected tcp:HOST:PORT");
    }
    const std::string port = hp.substr(colon + 1);
    if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 || std::stoul(port) > 65535) {
      return invalid_argument("--mgmt '" + text + "': '" + port + "' is not a TCP port");
    }
    a.is_unix = false;
    a.grpc_target = hp;
    return a;
  }
  return invalid_argument("--mgmt '" + text + "': expected unix:PATH or tcp:HOST:PORT");
}

}  // namespace strata::daemon
