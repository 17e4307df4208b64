// The pipeline's actions and instructions, decoded: what a flow entry, a
// group bucket or a packet-out does. The wire codec (ofp_actions.h) turns
// bytes into these; the native API builds them directly.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "l2tags/tag.h"
#include "ofproto/ofp_constants.h"
#include "ofproto/oxm_fields.h"

namespace strata::ofproto {

enum class ActionKind : uint8_t {
  kOutput,    // port (a number or a reserved port), max_len for CONTROLLER
  kGroup,     // group_id
  kPushVlan,  // ethertype: the TPID of the new outermost tag
  kPopVlan,   // remove the outermost tag
  kSetField,  // field = value
  kSetQueue,  // queue_id (accepted; Strata has one queue per port)
};

struct OfAction {
  ActionKind kind = ActionKind::kOutput;  // what
  uint32_t port = 0;                      // kOutput: the port; kGroup: group id; kSetQueue: queue id
  uint16_t max_len = 0;                   // kOutput to CONTROLLER: bytes of the frame to send up
  uint16_t ethertype = 0;                 // kPushVlan: TPID
  FieldId field = FieldId::kInPort;       // kSetField: which field
  FieldValue value;                       // kSetField: the value, wire order

  static OfAction output(uint32_t port, uint16_t max_len = ofp::kControllerMaxLenNoBuffer) {
    OfAction a;
    a.port = port;
    a.max_len = max_len;
    return a;
  }
  static OfAction group(uint32_t id) {
    OfAction a;
    a.kind = ActionKind::kGroup;
    a.port = id;
    return a;
  }
  static OfAction push_vlan(uint16_t tpid) {
    OfAction a;
    a.kind = ActionKind::kPushVlan;
    a.ethertype = tpid;
    return a;
  }
  static OfAction pop_vlan() {
    OfAction a;
    a.kind = ActionKind::kPopVlan;
    return a;
  }
  static OfAction set_field(FieldId f, uint64_t host_value) {
    OfAction a;
    a.kind = ActionKind::kSetField;
    a.field = f;
    a.value = field_from_uint(field_info(f), host_value);
    return a;
  }
  static OfAction set_field_bytes(FieldId f, const FieldValue& v) {
    OfAction a;
    a.kind = ActionKind::kSetField;
    a.field = f;
    a.value = v;
    return a;
  }
  friend bool operator==(const OfAction& a, const OfAction& b) {
    return a.kind == b.kind && a.port == b.port && a.max_len == b.max_len && a.ethertype == b.ethertype &&
           a.field == b.field && a.value.bytes == b.value.bytes;
  }
};

using OfActions = std::vector<OfAction>;

// The native API's "push this whole tag": push_vlan + set VID + set PCP.
inline void append_push_tag(OfActions& out, const l2tags::Tag& tag) {
  out.push_back(OfAction::push_vlan(tag.tpid));
  out.push_back(OfAction::set_field(FieldId::kVlanVid, ofp::kVidPresent | tag.vid));
  out.push_back(OfAction::set_field(FieldId::kVlanPcp, tag.pcp));
}

// A flow entry's instructions (at most one of each type, as on the wire).
struct Instructions {
  std::optional<OfActions> apply;    // apply-actions: run now, in order
  bool clear_actions = false;        // clear-actions: empty the action set
  std::optional<OfActions> write;    // write-actions: merge into the action set
  std::optional<uint64_t> metadata;  // write-metadata value ...
  uint64_t metadata_mask = 0;        // ... under this mask
  std::optional<uint8_t> goto_table; // goto-table

  // The common case: apply these actions and stop.
  static Instructions apply_actions(OfActions a) {
    Instructions i;
    i.apply = std::move(a);
    return i;
  }
  friend bool operator==(const Instructions& a, const Instructions& b) {
    return a.apply == b.apply && a.clear_actions == b.clear_actions && a.write == b.write &&
           a.metadata == b.metadata && a.metadata_mask == b.metadata_mask && a.goto_table == b.goto_table;
  }
};

// Whether any action outputs to `port` (ANY matches everything), or uses
// `group` (ANY: everything): the out_port / out_group filters of flow_mod
// and stats requests.
bool actions_output_to(const OfActions& a, uint32_t port);
bool actions_use_group(const OfActions& a, uint32_t group);
bool instructions_output_to(const Instructions& i, uint32_t port);
bool instructions_use_group(const Instructions& i, uint32_t group);

}  // namespace strata::ofproto
