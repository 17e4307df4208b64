#include "ofproto/table_features.h"

#include "ofproto/pipeline.h"

namespace strata::ofproto {

namespace {

enum PropType : uint16_t {
  kInstructions = 0,
  kNextTables = 2,
  kWriteActions = 4,
  kApplyActions = 6,
  kMatch = 8,
  kWildcards = 10,
  kWriteSetfield = 12,
  kApplySetfield = 14,
};

// One property: type, length (without padding), payload, padding to 8.
template <typename Fill>
void prop(Writer& w, uint16_t type, Fill&& fill) {
  const size_t start = w.size();
  w.u16(type);
  w.u16(0);
  fill();
  w.patch_u16(start + 2, static_cast<uint16_t>(w.size() - start));
  w.pad_to(start, 8);
}

// Basic-class OXM headers only: experimenter ids would need their 4-byte
// experimenter field in every entry, which some controllers do not parse.
template <typename Pred>
void oxm_ids(Writer& w, Pred&& pred) {
  for (const FieldInfo& f : field_table()) {
    if (f.oxm_class != ofp::kOxmClassBasic || !pred(f)) continue;
    w.u32(uint32_t{f.oxm_class} << 16 | uint32_t{f.oxm_field} << 9 | f.wire_len);
  }
}

constexpr uint16_t kInstructionIds[] = {ofp::kItGotoTable, ofp::kItWriteMetadata, ofp::kItWriteActions,
                                        ofp::kItApplyActions, ofp::kItClearActions};
constexpr uint16_t kActionIds[] = {ofp::kAtOutput, ofp::kAtSetQueue, ofp::kAtGroup,
                                   ofp::kAtPushVlan, ofp::kAtPopVlan, ofp::kAtSetField};

}  // namespace

std::vector<msg::TableFeatures> describe_table_features() {
  std::vector<msg::TableFeatures> out;
  for (int t = 0; t < kNumTables; ++t) {
    msg::TableFeatures tf;
    tf.table_id = static_cast<uint8_t>(t);
    tf.name = "table" + std::to_string(t);
    tf.metadata_match = ~uint64_t{0};
    tf.metadata_write = ~uint64_t{0};
    tf.max_entries = 1000000;
    Writer w(tf.properties);
    prop(w, kInstructions, [&] {
      for (uint16_t id : kInstructionIds) {
        if (id == ofp::kItGotoTable && t == kNumTables - 1) continue;
        w.u16(id);
        w.u16(4);
      }
    });
    prop(w, kNextTables, [&] {
      for (int n = t + 1; n < kNumTables; ++n) w.u8(static_cast<uint8_t>(n));
    });
    for (uint16_t type : {kWriteActions, kApplyActions}) {
      prop(w, type, [&] {
        for (uint16_t id : kActionIds) {
          w.u16(id);
          w.u16(4);
        }
      });
    }
    prop(w, kMatch, [&] { oxm_ids(w, [](const FieldInfo&) { return true; }); });
    prop(w, kWildcards, [&] { oxm_ids(w, [](const FieldInfo& f) { return f.maskable; }); });
    for (uint16_t type : {kWriteSetfield, kApplySetfield}) {
      prop(w, type, [&] { oxm_ids(w, [](const FieldInfo& f) { return f.settable; }); });
    }
    out.push_back(std::move(tf));
  }
  return out;
}

}  // namespace strata::ofproto
