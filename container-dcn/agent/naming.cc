#include "container-dcn/agent/naming.h"

#include <cstdint>
#include <cstdio>

#include "container-dcn/agent/container_spec.h"

namespace strata::dcn_agent {

namespace {

// 48 bits of FNV-1a over "dcn\0container": 12 hex digits, so two names
// of one DCN collide with odds of about n^2 / 2^49 (negligible for 4094).
std::string hash12(const std::string& dcn, const std::string& container) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 0x100000001b3ULL;
  };
  for (char c : dcn) mix(static_cast<unsigned char>(c));
  mix(0);
  for (char c : container) mix(static_cast<unsigned char>(c));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(h & 0xffffffffffffULL));
  return buf;
}

}  // namespace

std::string namespace_name(const std::string& dcn, const std::string& container) {
  return std::string(kNamespacePrefix) + dcn + "-" + container;
}

std::optional<std::string> container_of_namespace(const std::string& dcn, const std::string& ns) {
  const std::string prefix = std::string(kNamespacePrefix) + dcn + "-";
  if (ns.size() <= prefix.size() || ns.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  std::string container = ns.substr(prefix.size());
  if (!validate_name(container, "container")) return std::nullopt;
  return container;
}

std::string veth_ifname(const std::string& dcn, const std::string& container) {
  return "sd" + hash12(dcn, container);
}

std::string vlan_staging_ifname(const std::string& dcn, const std::string& container) {
  return "sv" + hash12(dcn, container);
}

}  // namespace strata::dcn_agent
