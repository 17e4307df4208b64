// What ofproto remembers about each megaflow it installed: the OpenFlow
// entries, tables and group buckets the translation went through. Used to
// credit datapath counters to flows/tables/groups (the datapath counts per
// megaflow only) and to find the megaflows a flow-table change makes stale.
// Keyed by (masked key, mask), which is how the datapath names a megaflow.
// Control thread only.
#pragma once

#include <array>
#include <cstring>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "datapath/dpif.h"
#include "datapath/flow_key.h"

namespace strata::ofproto {

struct MegaflowRecord {
  std::vector<uint64_t> rules;                          // entries hit, by id
  std::vector<std::pair<uint8_t, bool>> tables;         // tables looked up, hit or not
  std::vector<std::pair<uint32_t, uint32_t>> buckets;   // (group, bucket) executed
  bool fail_open = false;                               // made by NORMAL while failing open
  uint64_t generation = 0;                              // the pipeline's generation when translated
  uint64_t packets = 0;                                 // datapath counters already credited
  uint64_t bytes = 0;                                   // ... bytes
};

class MegaflowRecords {
 public:
  // Records a megaflow about to be installed (key unmasked; it is masked here).
  void add(const datapath::FlowKey& key, const datapath::FlowMask& mask, MegaflowRecord rec);
  MegaflowRecord* find(const datapath::FlowKey& masked_key, const datapath::FlowMask& mask);
  void erase(const datapath::FlowKey& masked_key, const datapath::FlowMask& mask);
  size_t size() const { return records_.size(); }
  void clear() {
    records_.clear();
    per_table_.fill(0);
    with_groups_ = 0;
  }
  // How many recorded megaflows looked at table `t` / used a group: when
  // none did, a change there needs no walk over the datapath's megaflows.
  uint32_t looked_at(uint8_t t) const { return per_table_[t]; }
  uint32_t with_groups() const { return with_groups_; }

  // Credits every megaflow of `dump` that has a record: fn(record, new
  // packets, new bytes). Records of megaflows the datapath no longer has are
  // dropped (they expired there).
  template <typename Fn>
  void harvest(const std::vector<datapath::MegaflowInfo>& dump, Fn&& fn);

 private:
  struct Id {
    datapath::FlowKey key;   // masked key
    datapath::FlowMask mask; // mask
    friend bool operator==(const Id& a, const Id& b) {
      return std::memcmp(a.key.words(), b.key.words(), sizeof(a.key)) == 0 &&
             std::memcmp(a.mask.words(), b.mask.words(), sizeof(a.mask)) == 0;
    }
  };
  struct IdHash {
    size_t operator()(const Id& id) const;
  };
  static Id make_id(const datapath::FlowKey& masked_key, const datapath::FlowMask& mask);
  void count(const MegaflowRecord& rec, int delta);

  std::unordered_map<Id, MegaflowRecord, IdHash> records_;  // every megaflow this bridge installed
  std::array<uint32_t, 256> per_table_{};                   // records that looked at each table
  uint32_t with_groups_ = 0;                                // records that went through a group
};

template <typename Fn>
void MegaflowRecords::harvest(const std::vector<datapath::MegaflowInfo>& dump, Fn&& fn) {
  std::unordered_map<const MegaflowRecord*, bool> present;
  present.reserve(dump.size());
  for (const auto& info : dump) {
    auto it = records_.find(make_id(info.key, info.mask));
    if (it == records_.end()) continue;
    MegaflowRecord& rec = it->second;
    present[&rec] = true;
    if (info.packets > rec.packets) {
      fn(rec, info.packets - rec.packets, info.bytes - rec.bytes);
      rec.packets = info.packets;
      rec.bytes = info.bytes;
    }
  }
  for (auto it = records_.begin(); it != records_.end();) {
    if (present.count(&it->second) != 0) {
      ++it;
    } else {
      count(it->second, -1);
      it = records_.erase(it);
    }
  }
}

}  // namespace strata::ofproto
