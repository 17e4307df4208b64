// What a datapath controller action stands for. The datapath's controller
// action carries only a 32-bit cookie; translation interns everything a
// PACKET_IN needs besides the frame (bridge, reason, table, flow cookie,
// metadata) and puts the id in that cookie, so frames sent up from the fast
// path come back with their context. Control thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace strata::ofproto {

struct PacketInContext {
  std::string bridge;     // the bridge whose controllers receive it
  uint8_t reason = 0;     // ofp::PacketInReason
  uint8_t table_id = 0;   // table of the entry that sent it
  uint64_t cookie = 0;    // that entry's cookie
  uint64_t metadata = 0;  // the metadata register at that point
  uint32_t in_port = 0;   // OpenFlow in_port when not the frame's datapath port (packet-out); 0 = from the frame

  auto tie() const { return std::tie(bridge, reason, table_id, cookie, metadata, in_port); }
  friend bool operator<(const PacketInContext& a, const PacketInContext& b) { return a.tie() < b.tie(); }
};

class PacketInContexts {
 public:
  // The id of `ctx`, the same every time for the same context. Past
  // kMaxContexts (a controller varying cookies without end) new contexts
  // get kNone, whose frames are dropped instead of growing memory forever.
  static constexpr uint32_t kMaxContexts = 1u << 20;
  static constexpr uint32_t kNone = 0xffffffff;
  uint32_t intern(const PacketInContext& ctx) {
    auto it = ids_.find(ctx);
    if (it != ids_.end()) return it->second;
    if (contexts_.size() >= kMaxContexts) return kNone;
    const auto id = static_cast<uint32_t>(contexts_.size());
    contexts_.push_back(ctx);
    ids_.emplace(ctx, id);
    return id;
  }
  const PacketInContext* find(uint32_t id) const { return id < contexts_.size() ? &contexts_[id] : nullptr; }

 private:
  std::map<PacketInContext, uint32_t> ids_;  // context -> id
  std::vector<PacketInContext> contexts_;    // by id
};

}  // namespace strata::ofproto
