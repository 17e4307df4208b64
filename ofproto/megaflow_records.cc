#include "ofproto/megaflow_records.h"

#include <cstring>

namespace strata::ofproto {

size_t MegaflowRecords::IdHash::operator()(const Id& id) const {
  uint64_t h = 0x84222325cbf29ce4ull;
  for (int i = 0; i < datapath::kFlowKeyWords; ++i) {
    h = (h ^ id.key.words()[i]) * 0x100000001b3ull;
    h = (h ^ id.mask.words()[i]) * 0x100000001b3ull;
  }
  return static_cast<size_t>(h ^ (h >> 31));
}

MegaflowRecords::Id MegaflowRecords::make_id(const datapath::FlowKey& masked_key, const datapath::FlowMask& mask) {
  Id id;
  id.key = masked_key;
  id.mask = mask;
  return id;
}

void MegaflowRecords::count(const MegaflowRecord& rec, int delta) {
  std::array<bool, 256> seen{};
  for (const auto& [t, hit] : rec.tables) {
    if (seen[t]) continue;
    seen[t] = true;
    per_table_[t] += static_cast<uint32_t>(delta);
  }
  if (!rec.buckets.empty()) with_groups_ += static_cast<uint32_t>(delta);
}

void MegaflowRecords::add(const datapath::FlowKey& key, const datapath::FlowMask& mask, MegaflowRecord rec) {
  datapath::FlowKey masked = key;
  for (int i = 0; i < datapath::kFlowKeyWords; ++i) masked.words()[i] &= mask.words()[i];
  const Id id = make_id(masked, mask);
  auto it = records_.find(id);
  if (it != records_.end()) count(it->second, -1);
  count(rec, +1);
  records_[id] = std::move(rec);
}

MegaflowRecord* MegaflowRecords::find(const datapath::FlowKey& masked_key, const datapath::FlowMask& mask) {
  auto it = records_.find(make_id(masked_key, mask));
  return it == records_.end() ? nullptr : &it->second;
}

void MegaflowRecords::erase(const datapath::FlowKey& masked_key, const datapath::FlowMask& mask) {
  auto it = records_.find(make_id(masked_key, mask));
  if (it == records_.end()) return;
  count(it->second, -1);
  records_.erase(it);
}

}  // namespace strata::ofproto
