// Applying validated DCN plans to the running switch (control thread only).
// All-or-nothing like config_apply.h: on error whatever was added is
// removed again, so the switch is as it was.
#pragma once

#include <string>

#include "base/status.h"
#include "daemon/dcn_config.h"
#include "ofproto/ofproto.h"

namespace strata::daemon {

// Makes the VNIC a DCN's VNIC and adds every container's port.
Status apply_add_dcn(ofproto::Ofproto& ofp, const DcnPlan& dcn);
// Removes the containers' ports, then gives the VNIC back as a plain port.
Status apply_del_dcn(ofproto::Ofproto& ofp, const DcnPlan& dcn);
// Adds one container's port (its DCN exists).
Status apply_add_container(ofproto::Ofproto& ofp, const std::string& bridge, const ContainerPlan& container);

}  // namespace strata::daemon
