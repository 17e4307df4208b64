#include "ofproto/controller_target.h"

#include <arpa/inet.h>
#include <sys/un.h>

#include <charconv>

namespace strata::ofproto {

namespace {

Result<uint16_t> parse_port(std::string_view s, const std::string& where) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 65535) {
    return invalid_argument(where + ": '" + std::string(s) + "' is not a TCP port (1-65535)");
  }
  return static_cast<uint16_t>(v);
}

bool is_ipv4(const std::string& s) {
  in_addr a;
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

// A DNS name or an IPv4 address: what tcp:HOST may name.
bool is_host(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<ControllerTarget> parse_controller_target(std::string_view text) {
  ControllerTarget t;
  t.text = std::string(text);
  const std::string where = "controller target '" + t.text + "'";
  if (text.find('[') != std::string_view::npos) {
    return invalid_argument(where + ": IPv6 addresses are not supported (IPv4 or a Unix socket)");
  }
  if (text.substr(0, 5) == "ptcp:") {
    t.passive = true;
    const std::string_view rest = text.substr(5);
    const size_t colon = rest.find(':');
    auto port = parse_port(rest.substr(0, colon), where);
    if (!port) return port.status();
    t.port = *port;
    t.host = colon == std::string_view::npos ? "127.0.0.1" : std::string(rest.substr(colon + 1));
    if (!is_ipv4(t.host)) {
      return invalid_argument(where + ": '" + t.host + "' is not an IPv4 address (ptcp:PORT[:IP])");
    }
    return t;
  }
  if (text.substr(0, 6) == "punix:") {
    t.passive = true;
    t.unix_path = std::string(text.substr(6));
    if (t.unix_path.empty()) return invalid_argument(where + ": no path (punix:PATH)");
    if (t.unix_path.size() >= sizeof(sockaddr_un::sun_path)) {
      return invalid_argument(where + ": the path is longer than a Unix socket's " +
                              std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes");
    }
    return t;
  }
  if (text.substr(0, 4) == "tcp:") {
    const std::string_view rest = text.substr(4);
    const size_t colon = rest.rfind(':');
    t.host = std::string(rest.substr(0, colon));
    if (!is_host(t.host)) return invalid_argument(where + ": '" + t.host + "' is not a host name or IPv4 address");
    if (colon != std::string_view::npos) {
      auto port = parse_port(rest.substr(colon + 1), where);
      if (!port) return port.status();
      t.port = *port;
    }
    return t;
  }
  return invalid_argument(where + ": expected ptcp:PORT[:IP], punix:PATH or tcp:HOST[:PORT]");
}

}  // namespace strata::ofproto
