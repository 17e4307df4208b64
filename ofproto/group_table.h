// The group table of a bridge: ALL, SELECT, INDIRECT and FAST_FAILOVER
// groups with their buckets and counters. Control thread only.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "ofproto/of_status.h"
#include "ofproto/ofp_messages.h"

namespace strata::ofproto {

struct Group {
  uint32_t id = 0;                         // group id
  uint8_t type = 0;                        // ofp::GroupType
  std::vector<msg::Bucket> buckets;        // in order
  uint64_t created_ms = 0;                 // when added
  uint64_t packets = 0;                    // frames through the group
  uint64_t bytes = 0;                      // bytes through the group
  std::vector<msg::BucketCounter> bucket_counts;  // per bucket
};

class GroupTable {
 public:
  // Applies GROUP_MOD. `flows_using` says how many flows reference a group
  // (a group in use may not be deleted silently: its flows go too, which
  // the caller does). Nothing changes on error.
  OfStatus apply(const msg::GroupMod& gm, uint64_t now_ms, std::vector<uint32_t>* deleted);

  const Group* find(uint32_t id) const;
  Group* find_mut(uint32_t id);
  const std::map<uint32_t, Group>& groups() const { return groups_; }
  // Every group a bucket of `id` chains to, transitively, includes `id`?
  bool would_loop(uint32_t id, const std::vector<msg::Bucket>& buckets) const;
  void clear() { groups_.clear(); }

  static constexpr size_t kMaxGroups = 65536;   // table capacity
  static constexpr size_t kMaxBuckets = 1024;   // per group

 private:
  OfStatus check(const msg::GroupMod& gm) const;
  std::map<uint32_t, Group> groups_;  // by id
};

}  // namespace strata::ofproto
