// hex(): "0x1f" for messages about guest addresses, which users read in hex.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace strata::hv {

inline std::string hex(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace strata::hv
