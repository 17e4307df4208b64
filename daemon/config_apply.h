// Applying validated plans to the running switch (control thread only).
// Each function is all-or-nothing: on error it removes what it added, so
// the switch is as it was and the caller's configuration still describes it.
#pragma once

#include <string>

#include "base/status.h"
#include "daemon/config_loader.h"
#include "ofproto/ofproto.h"
#include "strata/v1/config.pb.h"

namespace strata::daemon {

// Creates the bridge and its ports.
Status apply_add_bridge(ofproto::Ofproto& ofp, const BridgePlan& bridge);
// Adds one port to an existing bridge.
Status apply_add_port(ofproto::Ofproto& ofp, const std::string& bridge, const PortPlan& port);
// Every bridge of a configuration (at start).
Status apply_plan(ofproto::Ofproto& ofp, const ConfigPlan& plan);

// `config` with each port's ofport set to the number the switch gave it
// (a --config may leave them 0): what the db should record.
v1::Config with_assigned_ofports(const v1::Config& config, ofproto::Ofproto& ofp);

}  // namespace strata::daemon
