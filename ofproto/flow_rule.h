// One OpenFlow flow entry as the pipeline keeps it. Owned by the Pipeline;
// tables and megaflow records refer to it by pointer (tables) or by id
// (records, which may outlive it). Control thread only.
#pragma once

#include <cstdint>

#include "ofproto/match.h"
#include "ofproto/of_action.h"

namespace strata::ofproto {

struct Rule {
  uint64_t id = 0;            // unique within its bridge, never reused
  uint8_t table_id = 0;       // the table it lives in
  uint16_t priority = 0;      // higher wins
  Match match;                // what it matches
  uint64_t cookie = 0;        // the controller's opaque value
  Instructions instructions;  // what it does
  uint16_t idle_timeout = 0;  // seconds idle before removal, 0 = never
  uint16_t hard_timeout = 0;  // seconds after adding before removal, 0 = never
  uint16_t flags = 0;         // ofp::FlowModFlags (SEND_FLOW_REM, ...)
  uint64_t created_ms = 0;    // when added (duration, hard timeout)
  uint64_t used_ms = 0;       // last time a frame hit it (idle timeout)
  uint64_t packets = 0;       // frames that hit it
  uint64_t bytes = 0;         // bytes of those frames

  // A catch-all entry of priority 0: its packet-ins say NO_MATCH.
  bool is_table_miss() const { return priority == 0 && match.is_catchall(); }
};

}  // namespace strata::ofproto
