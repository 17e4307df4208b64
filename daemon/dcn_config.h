// Container DCNs in strata.v1.Config: the messages turned into the model
// (container-dcn/dcn_model.h), which checks every DCN rule, and into plans
// config_apply can run (a container's port as ofproto sees it, its tag).
// Pure: nothing here touches the switch.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "container-dcn/dcn_model.h"
#include "l2tags/tpid_set.h"
#include "ofproto/port_config.h"
#include "strata/v1/config.pb.h"

namespace strata::daemon {

// One container, validated: its port (name, ofport, tag mode, VNIC) and its tag.
struct ContainerPlan {
  ofproto::BridgePort port;  // `vnic` names the DCN's VNIC; dp_port filled in when added
  uint16_t tpid = 0x8100;    // container tag on the VNIC
  uint16_t vid = 0;
};
struct DcnPlan {
  std::string name;                        // DCN name
  std::string bridge;                      // its bridge
  std::string vnic;                        // its VNIC port
  std::vector<ContainerPlan> containers;   // in configuration order
};

// What of the switch DCNs refer to: bridges and their plain ports.
container_dcn::PortView port_view(const v1::Config& config);
// The configuration's DCNs as the model holds them.
container_dcn::DcnSet dcn_set(const v1::Config& config);
container_dcn::Dcn to_model(const v1::Dcn& dcn);
container_dcn::Container to_model(const v1::Container& c);

// A container's own fields: the tag as a message can be wrong (a 32-bit VID,
// a wildcard) and the tag mode. The model checks the DCN rules.
Result<ContainerPlan> plan_container(const v1::Container& c, const std::string& vnic, const l2tags::TpidSet& tpids,
                                     const std::string& field);
Result<DcnPlan> plan_dcn(const v1::Dcn& dcn, const l2tags::TpidSet& tpids, const std::string& field);
// Every DCN of a configuration, checked against its bridges (field "dcns[i]...").
Result<std::vector<DcnPlan>> plan_dcns(const v1::Config& config, const l2tags::TpidSet& tpids);

// The DCN named `name` in `config` (index), or -1.
int dcn_index(const v1::Config& config, const std::string& name);

}  // namespace strata::daemon
