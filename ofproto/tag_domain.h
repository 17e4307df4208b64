// Tag domains: which frames a port may send and receive.
//
// Inside a bridge every frame has a *service stack*: its tags as they would
// appear on a trunk. An access port prepends its stack to what it receives;
// a trunk port's frames are their own service stack. A frame may leave on a
// port only if that port's filter accepts its service stack:
//   access S: the service stack starts with S (S is then popped);
//   trunk P1..Pn: the service stack starts with some Pi (empty list: any).
// A trunk admits on ingress exactly what it would accept on egress. This is
// the whole of tenant isolation: no flow, no forwarding outside the domain.
// A DCN's VNIC is in no domain: its containers' ports are, each by its own
// mode.
#pragma once

#include <optional>

#include "datapath/flow_key.h"
#include "l2tags/tag_stack.h"
#include "ofproto/port_config.h"

namespace strata::ofproto {

// The frame's tags from its flow key (TPID, PCP, DEI, VID).
l2tags::TagStack stack_from_key(const datapath::FlowKey& key);

// The service stack of a frame received on `port`, or nothing when the port
// does not admit it (trunk without a matching allowed stack, or more than
// kMaxTags tags once the access stack is pushed).
std::optional<l2tags::TagStack> ingress_service_stack(const BridgePort& port, const l2tags::TagStack& frame);

// Whether a frame with `service` may leave on `port`.
bool egress_allowed(const BridgePort& port, const l2tags::TagStack& service);

// How many outer tags of the service stack `port` removes on egress.
inline int egress_strip_depth(const BridgePort& port) {
  return port.mode == TagMode::kAccess ? port.access.size() : 0;
}

// True when any allowed stack of `port` matches on PCP (so the PCP bits of
// the frame's tags are consulted).
bool consults_pcp(const BridgePort& port);

}  // namespace strata::ofproto
