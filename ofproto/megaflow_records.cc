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

void MegaflowRecords::add(const datapath::FlowKey& key, const datapath::FlowMask& mask, MegaflowRecord rec) {
  datapath::FlowKey masked = key;
  for (int i = 0; i < datapath::kFlowKeyWords; ++i) masked.words()[i] &= mask.words()[i];
  records_[make_id(masked, mask)] = std::move(rec);
}

MegaflowRecord* MegaflowRecords::find(const datapath::FlowKey& masked_key, const datapath::FlowMask& mask) {
  auto it = records_.find(make_id(masked_key, mask));
  return it == records_.end() ? nullptr : &it->second;
}

void MegaflowRecords::erase(const datapath::FlowKey& masked_key, const datapath::FlowMask& mask) {
  records_.erase(make_id(masked_key, mask));
}

}  // namespace strata::ofproto
