#include "daemon/controller_target.h"

#include <arpa/inet.h>

namespace strata::daemon {

namespace {

bool parse_port(const std::string& s, uint16_t* out) {
  if (s.empty() || s.size() > 5) return false;
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v == 0 || v > 65535) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// A DNS name or an address: what `tcp:HOST:PORT` may name.
bool is_host(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  if (is_ip(s)) return true;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
      return false;
    }
  }
  return true;
}

// "[v6]" -> "v6"; anything else unchanged.
std::string unbracket(const std::string& s) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

Result<ControllerTarget> parse_controller_target(const std::string& text, const std::string& field) {
  const std::string where = field + ": '" + text + "'";
  ControllerTarget t;
  if (text.rfind("ptcp:", 0) == 0) {
    // ptcp:PORT[:IP]; an IPv6 address is written in brackets.
    const std::string rest = text.substr(5);
    const size_t colon = rest.find(':');
    const std::string port = rest.substr(0, colon);
    if (!parse_port(port, &t.port)) return invalid_argument(where + ": PORT must be 1..65535 (ptcp:PORT[:IP])");
    t.passive = true;
    t.host = "127.0.0.1";
    if (colon != std::string::npos) {
      t.host = unbracket(rest.substr(colon + 1));
      if (!is_ip(t.host)) return invalid_argument(where + ": '" + t.host + "' is not an IP address (ptcp:PORT[:IP])");
    }
    return t;
  }
  if (text.rfind("tcp:", 0) == 0) {
    const std::string rest = text.substr(4);
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos) return invalid_argument(where + ": expected tcp:HOST:PORT");
    t.host = unbracket(rest.substr(0, colon));
    if (!is_host(t.host)) return invalid_argument(where + ": '" + t.host + "' is not a host name or address");
    if (!parse_port(rest.substr(colon + 1), &t.port)) {
      return invalid_argument(where + ": PORT must be 1..65535 (tcp:HOST:PORT)");
    }
    return t;
  }
  return invalid_argument(where + " is not a controller target (ptcp:PORT[:IP] or tcp:HOST:PORT)");
}

}  // namespace strata::daemon
