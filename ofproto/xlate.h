// Translation: one frame through a bridge's OpenFlow pipeline, producing
// the datapath actions for it and the megaflow mask, i.e. every bit of the
// *original* key the outcome depended on (OVS's xlate + wildcards).
//
// The pipeline sees the frame as actions change it: after push/pop/set_field
// a later table matches the new stack. Translation keeps the current view
// (a MatchKey) and, for every current tag, where it came from (a pushed
// constant, or original tag k possibly rewritten), so a consulted bit of the
// current frame becomes a consulted bit of the original key, or nothing when
// the value is a constant the actions wrote. Group buckets and NORMAL act on
// copies: the frame is restored (lazily, only when something follows) before
// the pipeline carries on.
//
// Control thread only.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "datapath/actions.h"
#include "datapath/flow_key.h"
#include "ofproto/of_action.h"

namespace strata::ofproto {

class Bridge;

struct XlateIn {
  const datapath::FlowKey* key = nullptr;  // the original frame's key (in_port = datapath port)
  uint32_t in_ofport = 0;                  // its OpenFlow in_port (CONTROLLER for a packet-out without one)
  const OfActions* actions = nullptr;      // packet-out: run these instead of the tables
};

struct XlateOut {
  datapath::ActionBuilder actions;  // what the datapath does with the frame
  datapath::FlowMask mask{};        // original-key bits the decision read
  std::vector<uint64_t> rules;      // ids of the entries hit, in order (statistics, idle timeouts)
  std::vector<std::pair<uint8_t, bool>> tables;      // tables looked up and whether they hit
  std::vector<std::pair<uint32_t, uint32_t>> buckets;  // (group, bucket) executed
  bool used_normal = false;         // NORMAL ran (MAC learning can change the outcome)
};

// Runs the pipeline (or the packet-out actions) for one frame.
void xlate(Bridge& bridge, const XlateIn& in, XlateOut* out);

}  // namespace strata::ofproto
