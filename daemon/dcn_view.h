// The management API's views of container DCNs: each DCN and container as
// configured, joined with the ports ofproto and the datapath have for them.
// Control thread only (reads ofproto and the Dpif).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "datapath/dpif.h"
#include "ofproto/ofproto.h"
#include "strata/v1/config.pb.h"
#include "strata/v1/management.pb.h"

namespace strata::daemon {

v1::DcnStatus dcn_status(const v1::Dcn& dcn, ofproto::Ofproto& ofp, const datapath::Dpif& dpif);
// The DCN named `name`, or NOT_FOUND ("dcn: no DCN 'd9'").
Result<v1::DcnStatus> dcn_status(const v1::Config& config, const std::string& name, ofproto::Ofproto& ofp,
                                 const datapath::Dpif& dpif);
// The ports of the containers of every DCN on `bridge` (type "container").
std::vector<v1::PortStatus> container_port_statuses(const v1::Config& config, const std::string& bridge,
                                                    ofproto::Ofproto& ofp,
                                                    const std::map<uint32_t, datapath::DpPortInfo>& dp_ports);
// Sets `dcn` on the status of a port that is a DCN's VNIC.
void mark_vnic(const v1::Config& config, v1::PortStatus* port);

}  // namespace strata::daemon
