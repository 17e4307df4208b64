#include "ofproto/mac_learning.h"

#include <iterator>

namespace strata::ofproto {

std::string MacLearningTable::make_key(const l2tags::TagStack& domain, const uint8_t mac[6]) {
  std::string k(reinterpret_cast<const char*>(mac), 6);
  for (const auto& t : domain) {
    const char b[4] = {static_cast<char>(t.tpid >> 8), static_cast<char>(t.tpid), static_cast<char>(t.vid >> 8),
                       static_cast<char>(t.vid)};
    k.append(b, 4);
  }
  return k;
}

bool MacLearningTable::learn(const l2tags::TagStack& domain, const uint8_t mac[6], uint32_t port,
                             uint64_t now_ms) {
  if (mac[0] & 1) return false;  // group addresses are never sources
  auto [it, inserted] = table_.try_emplace(make_key(domain, mac), Entry{port, now_ms});
  if (inserted) {
    if (table_.size() > max_entries_) {
      table_.erase(it);
      return false;
    }
    return true;
  }
  const bool moved = it->second.port != port;
  it->second = Entry{port, now_ms};
  return moved;
}

std::optional<uint32_t> MacLearningTable::lookup(const l2tags::TagStack& domain, const uint8_t mac[6],
                                                 uint64_t now_ms) const {
  auto it = table_.find(make_key(domain, mac));
  if (it == table_.end() || now_ms - it->second.seen_ms > max_age_ms_) return std::nullopt;
  return it->second.port;
}

void MacLearningTable::flush_port(uint32_t port) {
  std::erase_if(table_, [&](const auto& kv) { return kv.second.port == port; });
}

void MacLearningTable::age(uint64_t now_ms) {
  std::erase_if(table_, [&](const auto& kv) { return now_ms - kv.second.seen_ms > max_age_ms_; });
}

}  // namespace strata::ofproto
