// The flow-table API: what the OpenFlow FLOW_MOD and the native Flows
// service both submit, and what dumps return. See ofproto/README.md.
#pragma once

#include <cstdint>

#include "ofproto/flow_rule.h"
#include "ofproto/match.h"
#include "ofproto/of_action.h"
#include "ofproto/ofp_constants.h"

namespace strata::ofproto {

enum class FlowCommand : uint8_t {
  kAdd = ofp::kFcAdd,                    // add, replacing an entry with the same match and priority
  kModify = ofp::kFcModify,              // change instructions of every entry the match covers
  kModifyStrict = ofp::kFcModifyStrict,  // ... of the entry with exactly this match and priority
  kDelete = ofp::kFcDelete,              // delete every entry the match covers
  kDeleteStrict = ofp::kFcDeleteStrict,  // delete the entry with exactly this match and priority
};

struct FlowMod {
  FlowCommand command = FlowCommand::kAdd;  // what to do
  uint8_t table_id = 0;                     // table; ofp::kTableAll for modify/delete on every table
  uint16_t priority = 0x8000;               // higher wins (strict commands: must be equal)
  uint64_t cookie = 0;                      // add: the entry's cookie
  uint64_t cookie_mask = 0;                 // modify/delete: only entries whose cookie matches under this mask
  Match match;                              // what the entry matches (modify/delete: the selection)
  Instructions instructions;                // add/modify: what the entry does
  uint16_t idle_timeout = 0;                // add: seconds without traffic before removal, 0 = never
  uint16_t hard_timeout = 0;                // add: seconds before removal, 0 = never
  uint16_t flags = 0;                       // ofp::FlowModFlags
  uint32_t out_port = ofp::kPortAny;        // delete: only entries that output here
  uint32_t out_group = ofp::kGroupAny;      // delete: only entries that use this group
};

// Which entries a dump (or aggregate) selects: OpenFlow's non-strict rule.
struct FlowFilter {
  uint8_t table_id = ofp::kTableAll;    // one table or all
  Match match;                          // entries this match covers (catch-all: every entry)
  uint64_t cookie = 0;                  // cookie value ...
  uint64_t cookie_mask = 0;             // ... under this mask (0: any cookie)
  uint32_t out_port = ofp::kPortAny;    // only entries that output here
  uint32_t out_group = ofp::kGroupAny;  // only entries that use this group
};

// An entry that left a table, for FLOW_REMOVED.
struct RemovedFlow {
  Rule rule;       // the entry as it was (counters included)
  uint8_t reason;  // ofp::FlowRemovedReason
};

}  // namespace strata::ofproto
