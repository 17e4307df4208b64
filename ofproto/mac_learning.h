// The MAC learning table of a bridge: (service stack, MAC) -> port. Keyed by
// the whole service stack, so tenants that reuse MAC or IP addresses never
// see each other's entries (independent learning per tag domain).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "l2tags/tag_stack.h"

namespace strata::ofproto {

class MacLearningTable {
 public:
  explicit MacLearningTable(uint64_t max_age_ms = 300000, size_t max_entries = 65536)
      : max_age_ms_(max_age_ms), max_entries_(max_entries) {}

  // Records that `mac` in `domain` is behind `port`. Returns true when this
  // is new or moved: forwarding decisions made before are stale.
  bool learn(const l2tags::TagStack& domain, const uint8_t mac[6], uint32_t port, uint64_t now_ms);
  std::optional<uint32_t> lookup(const l2tags::TagStack& domain, const uint8_t mac[6], uint64_t now_ms) const;
  // Forgets every entry on `port` (the port went away).
  void flush_port(uint32_t port);
  // Drops entries not refreshed for max_age_ms.
  void age(uint64_t now_ms);
  size_t size() const { return table_.size(); }

 private:
  struct Entry {
    uint32_t port;     // OpenFlow port the MAC was last seen on
    uint64_t seen_ms;  // when
  };
  static std::string make_key(const l2tags::TagStack& domain, const uint8_t mac[6]);

  uint64_t max_age_ms_;                            // idle entries expire after this
  size_t max_entries_;                             // table bound; learning stops when full
  std::unordered_map<std::string, Entry> table_;   // (domain, MAC) bytes -> entry
};

}  // namespace strata::ofproto
