// The management API's views of the running switch: the configuration the
// caller holds, joined with what ofproto and the datapath report (OpenFlow
// and datapath port numbers, links, counters, megaflows).
//
// Control thread only: these read ofproto and the Dpif.
#pragma once

#include <string>

#include "base/status.h"
#include "datapath/dpif.h"
#include "ofproto/ofproto.h"
#include "strata/v1/config.pb.h"
#include "strata/v1/management.pb.h"

namespace strata::daemon {

// One bridge as configured plus its ports' runtime state.
Result<v1::BridgeStatus> bridge_status(const v1::Config& config, const std::string& bridge,
                                       ofproto::Ofproto& ofp, const datapath::Dpif& dpif);
// `bridge` empty: every bridge.
Result<v1::ShowResponse> show(const v1::Config& config, const std::string& bridge, ofproto::Ofproto& ofp,
                              const datapath::Dpif& dpif);
Result<v1::PortStatus> port_status(const v1::Config& config, const std::string& bridge, const std::string& port,
                                   ofproto::Ofproto& ofp, const datapath::Dpif& dpif);

Result<v1::PortStatsResponse> port_stats(const std::string& bridge, ofproto::Ofproto& ofp,
                                         const datapath::Dpif& dpif);
v1::PmdStatsResponse pmd_stats(const datapath::Dpif& dpif);
Result<v1::DumpDatapathFlowsResponse> datapath_flows(const std::string& bridge, ofproto::Ofproto& ofp,
                                                     const datapath::Dpif& dpif);

}  // namespace strata::daemon
