// Field checks of the Flows service's requests (flows.proto), before any
// pipeline sees them: ranges, formats, prerequisites, each error naming
// the request field ("flows[1].match.tags.tags[0].vid: 4096 is out of
// range 0..4095"). What needs the pipeline itself (does table 3 exist, is
// ofport 7 on the bridge) is the pipeline's to check.
#pragma once

#include <string>

#include "base/status.h"
#include "l2tags/tpid_set.h"
#include "strata/v1/flows.pb.h"

namespace strata::daemon {

Status check_flow_match(const v1::FlowMatch& match, const l2tags::TpidSet& tpids, const std::string& field);
Status check_action(const v1::Action& action, const l2tags::TpidSet& tpids, const std::string& field);
Status check_flow(const v1::Flow& flow, const l2tags::TpidSet& tpids, const std::string& field);

// "02:00:00:00:00:01" or "02:00:00:00:00:00/ff:ff:ff:00:00:00".
bool is_mac_or_masked(const std::string& text, bool allow_mask);
// "10.0.0.1" or "10.0.0.0/24" or "10.0.0.0/255.255.255.0".
bool is_ipv4_or_prefix(const std::string& text);

inline constexpr uint32_t kMaxTable = 254;

}  // namespace strata::daemon
