#include "ofproto/controller_target.h"

#include <charconv>

namespace strata::ofproto {

namespace {

Result<uint16_t> parse_port(std::string_view s, std::string_view whole) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 65535) {
    return invalid_argument("controller target '" + std::string(whole) + "': '" + std::string(s) +
                            "' is not a TCP port (1-65535)");
  }
  return static_cast<uint16_t>(v);
}

}  // namespace

Result<ControllerTarget> parse_controller_target(std::string_view text) {
  ControllerTarget t;
  t.text = std::string(text);
  std::string_view rest;
  if (text.substr(0, 5) == "ptcp:") {
    t.passive = true;
    rest = text.substr(5);
    const size_t colon = rest.find(':');
    auto port = parse_port(rest.substr(0, colon), text);
    if (!port) return port.status();
    t.port = *port;
    t.host = colon == std::string_view::npos ? "127.0.0.1" : std::string(rest.substr(colon + 1));
    if (t.host.empty()) return invalid_argument("controller target '" + t.text + "': empty address");
    return t;
  }
  if (text.substr(0, 4) == "tcp:") {
    rest = text.substr(4);
    const size_t colon = rest.rfind(':');
    t.host = std::string(rest.substr(0, colon));
    if (t.host.empty()) return invalid_argument("controller target '" + t.text + "': no host");
    if (colon != std::string_view::npos) {
      auto port = parse_port(rest.substr(colon + 1), text);
      if (!port) return port.status();
      t.port = *port;
    }
    return t;
  }
  return invalid_argument("controller target '" + t.text + "': expected ptcp:PORT[:IP] or tcp:HOST:PORT");
}

}  // namespace strata::ofproto
