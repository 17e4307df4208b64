// A megaflow's match as text, showing only the fields its mask consults
// (what makes a megaflow "mega"), in the flow syntax users already read:
//   in_port=1,tags=88a8:100/8100:200,dl_src=02:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff
// in_port is translated to the OpenFlow port number when the caller knows it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "datapath/flow_key.h"

namespace strata::daemon {

// `ofport_of(dp_port)`: the OpenFlow number of a datapath port, if known.
std::string format_megaflow_match(const datapath::FlowKey& key, const datapath::FlowMask& mask,
                                  const std::function<std::optional<uint32_t>(uint32_t)>& ofport_of);

}  // namespace strata::daemon
