// Internal to l2tags' .cc files: building error messages and notation text.
// Not part of the public API.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace strata::l2tags::text {

// Concatenates by appending to one string. Besides saving temporaries, it
// avoids `"literal" + std::string&&`, on which g++ 12 at -O3 raises a false
// -Wrestrict (GCC bug 105329) that -Werror turns into a build failure.
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

// A 16-bit value as 4 lowercase hex digits, the way TPIDs are written.
inline std::string hex4(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04x", v);
  return buf;
}

inline std::string quoted(std::string_view s) { return cat("\"", s, "\""); }

}  // namespace strata::l2tags::text
