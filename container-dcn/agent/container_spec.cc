#include "container-dcn/agent/container_spec.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstdio>

namespace strata::dcn_agent {

namespace {

constexpr size_t kMaxNameLength = 64;

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

Status validate_address(const std::string& cidr) {
  const auto slash = cidr.find('/');
  if (slash == std::string::npos) return invalid_argument("'" + cidr + "' has no /PREFIX (e.g. 10.1.0.2/24)");
  const std::string ip = cidr.substr(0, slash);
  const std::string prefix = cidr.substr(slash + 1);
  unsigned char buf[16];
  int max_prefix = 0;
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) {
    max_prefix = 32;
  } else if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
    max_prefix = 128;
  } else {
    return invalid_argument("'" + ip + "' is not an IPv4 or IPv6 address");
  }
  if (prefix.empty() || prefix.size() > 3) return invalid_argument("'" + prefix + "' is not a prefix length");
  int len = 0;
  for (char c : prefix) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return invalid_argument("'" + prefix + "' is not a prefix length");
    len = len * 10 + (c - '0');
  }
  if (len > max_prefix) {
    return invalid_argument("prefix length " + prefix + " is out of range 0.." + std::to_string(max_prefix));
  }
  return Status::ok();
}

Status validate_mac(const std::string& mac) {
  unsigned b[6];
  char tail;
  if (mac.size() != 17 ||
      std::sscanf(mac.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6) {
    return invalid_argument("'" + mac + "' is not a MAC address like 02:00:00:00:01:02");
  }
  if (b[0] & 1) return invalid_argument("'" + mac + "' is a multicast address");
  if ((b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0) return invalid_argument("'" + mac + "' is all zeros");
  return Status::ok();
}

}  // namespace

Status validate_name(const std::string& name, const std::string& field) {
  if (name.empty()) return invalid_argument(field + ": empty");
  if (name.size() > kMaxNameLength) {
    return invalid_argument(field + ": '" + name + "' is longer than " + std::to_string(kMaxNameLength) + " characters");
  }
  if (name[0] == '-' || name[0] == '.') return invalid_argument(field + ": '" + name + "' starts with '" + name[0] + "'");
  for (char c : name) {
    if (!name_char(c)) {
      return invalid_argument(field + ": '" + name + "' has '" + std::string(1, c) +
                              "'; only letters, digits, '_', '.' and '-' are allowed");
    }
  }
  return Status::ok();
}

Status validate_spec(const ContainerSpec& spec) {
  STRATA_RETURN_IF_ERROR(validate_name(spec.name, "container name"));
  const std::string who = "container '" + spec.name + "': ";
  if (spec.vid < 1 || spec.vid > 4094) {
    return invalid_argument(who + "--tag: " + std::to_string(spec.vid) + " is out of range 1..4094");
  }
  if (spec.tpid != kTpid8021q && spec.tpid != kTpid8021ad) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%04x", spec.tpid);
    return invalid_argument(who + "--tpid: " + hex +
                            " is not one the kernel can push or pop (0x8100 or 0x88a8)");
  }
  if (!spec.address.empty()) {
    Status st = validate_address(spec.address);
    if (!st) return invalid_argument(who + "--addr: " + st.message());
  }
  if (!spec.mac.empty()) {
    Status st = validate_mac(spec.mac);
    if (!st) return invalid_argument(who + "--mac: " + st.message());
  }
  return Status::ok();
}

Result<uint16_t> parse_tpid(const std::string& text) {
  std::string digits = text;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) digits = digits.substr(2);
  if (digits.empty() || digits.size() > 4) return invalid_argument("--tpid: '" + text + "' is not a hex TPID like 0x8100");
  unsigned value = 0;
  for (char c : digits) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return invalid_argument("--tpid: '" + text + "' is not a hex TPID like 0x8100");
    }
    value = value * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10));
  }
  return static_cast<uint16_t>(value);
}

std::string tag_text(uint16_t tpid, uint16_t vid) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04x:%u", tpid, vid);
  return buf;
}

}  // namespace strata::dcn_agent
