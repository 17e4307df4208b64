#include "ofproto/group_table.h"

#include <functional>
#include <set>

namespace strata::ofproto {

const Group* GroupTable::find(uint32_t id) const {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

Group* GroupTable::find_mut(uint32_t id) {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

bool GroupTable::would_loop(uint32_t id, const std::vector<msg::Bucket>& buckets) const {
  std::set<uint32_t> seen;
  std::function<bool(const std::vector<msg::Bucket>&)> reaches = [&](const std::vector<msg::Bucket>& bs) {
    for (const auto& b : bs) {
      for (const auto& a : b.actions) {
        if (a.kind != ActionKind::kGroup) continue;
        if (a.port == id) return true;
        if (!seen.insert(a.port).second) continue;
        const Group* g = find(a.port);
        if (g != nullptr && reaches(g->buckets)) return true;
      }
    }
    return false;
  };
  return reaches(buckets);
}

OfStatus GroupTable::check(const msg::GroupMod& gm) const {
  if (gm.type > ofp::kGtFastFailover) return group_mod_failed(ofp::kGmfcBadType, "unknown group type");
  if (gm.buckets.size() > kMaxBuckets) return group_mod_failed(ofp::kGmfcOutOfBuckets, "too many buckets");
  if (gm.type == ofp::kGtIndirect && gm.buckets.size() != 1) {
    return group_mod_failed(ofp::kGmfcInvalidGroup, "an indirect group has exactly one bucket");
  }
  for (const auto& b : gm.buckets) {
    if (gm.type != ofp::kGtSelect && b.weight != 0) {
      return group_mod_failed(ofp::kGmfcWeightUnsupported, "only select groups weigh buckets");
    }
    if (gm.type == ofp::kGtFastFailover && b.watch_port == ofp::kPortAny && b.watch_group == ofp::kGroupAny) {
      return group_mod_failed(ofp::kGmfcBadWatch, "a fast-failover bucket needs a watch port or group");
    }
    for (const auto& a : b.actions) {
      if (a.kind == ActionKind::kGroup && find(a.port) == nullptr && a.port != gm.group_id) {
        return group_mod_failed(ofp::kGmfcBadBucket, "bucket chains to unknown group " + std::to_string(a.port));
      }
      if (a.kind == ActionKind::kOutput &&
          (a.port == 0 || a.port == ofp::kPortAny || a.port == ofp::kPortTable ||
           (a.port > ofp::kPortMax && a.port < ofp::kPortInPort))) {
        return bad_action(ofp::kBacBadOutPort, "bucket outputs to an invalid port");
      }
    }
    if (b.watch_group != ofp::kGroupAny && find(b.watch_group) == nullptr) {
      return group_mod_failed(ofp::kGmfcBadWatch, "watched group does not exist");
    }
  }
  if (would_loop(gm.group_id, gm.buckets)) return group_mod_failed(ofp::kGmfcLoop, "group chains back to itself");
  return OfStatus::ok();
}

OfStatus GroupTable::apply(const msg::GroupMod& gm, uint64_t now_ms, std::vector<uint32_t>* deleted) {
  switch (gm.command) {
    case ofp::kGcAdd: {
      if (gm.group_id > ofp::kGroupMax) return group_mod_failed(ofp::kGmfcInvalidGroup, "reserved group id");
      if (groups_.count(gm.group_id) != 0) return group_mod_failed(ofp::kGmfcGroupExists, "group exists");
      if (groups_.size() >= kMaxGroups) return group_mod_failed(ofp::kGmfcOutOfGroups, "group table is full");
      STRATA_OF_RETURN_IF_ERROR(check(gm));
      Group g;
      g.id = gm.group_id;
      g.type = gm.type;
      g.buckets = gm.buckets;
      g.created_ms = now_ms;
      g.bucket_counts.resize(g.buckets.size());
      groups_[g.id] = std::move(g);
      return OfStatus::ok();
    }
    case ofp::kGcModify: {
      if (gm.group_id > ofp::kGroupMax) return group_mod_failed(ofp::kGmfcInvalidGroup, "reserved group id");
      Group* g = find_mut(gm.group_id);
      if (g == nullptr) return group_mod_failed(ofp::kGmfcUnknownGroup, "no such group");
      STRATA_OF_RETURN_IF_ERROR(check(gm));
      g->type = gm.type;
      g->buckets = gm.buckets;
      g->bucket_counts.assign(g->buckets.size(), msg::BucketCounter{});
      return OfStatus::ok();
    }
    case ofp::kGcDelete: {
      if (gm.group_id == ofp::kGroupAll) {
        for (const auto& [id, g] : groups_) deleted->push_back(id);
        groups_.clear();
      } else if (groups_.erase(gm.group_id) != 0) {
        deleted->push_back(gm.group_id);
      }
      // Groups chaining to a deleted one now drop there; they stay.
      return OfStatus::ok();
    }
    default:
      return group_mod_failed(ofp::kGmfcBadCommand, "unknown group command " + std::to_string(gm.command));
  }
}

}  // namespace strata::ofproto
