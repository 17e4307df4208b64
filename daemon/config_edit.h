// The management API's changes as pure functions of the configuration:
// each takes the current strata.v1.Config and a request, validates the
// request completely (field names are the request's: "port.ofport: ...")
// and returns the configuration with the change made. Nothing is applied
// here; the service applies the returned plan, then commits the returned
// configuration. Keeping validation free of the running switch is what
// lets it be tested without DPDK and makes "validated before applied" a
// property of the code's shape.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "daemon/config_loader.h"
#include "strata/v1/config.pb.h"

namespace strata::daemon {

struct AddBridgeEdit {
  v1::Config config;  // with the bridge appended (every ofport assigned)
  BridgePlan plan;    // the bridge and its ports, to apply
};
Result<AddBridgeEdit> edit_add_bridge(const v1::Config& current, const v1::Bridge& bridge);

// Removes the bridge and its ports.
Result<v1::Config> edit_del_bridge(const v1::Config& current, const std::string& bridge);

struct AddPortEdit {
  v1::Config config;   // with the port appended to its bridge (ofport assigned)
  std::string bridge;  // where it goes
  PortPlan plan;       // the port, to apply
};
Result<AddPortEdit> edit_add_port(const v1::Config& current, const std::string& bridge, const v1::Port& port);

Result<v1::Config> edit_del_port(const v1::Config& current, const std::string& bridge, const std::string& port);

// Replaces the bridge's controller list.
Result<v1::Config> edit_set_controller(const v1::Config& current, const std::string& bridge,
                                       const std::vector<std::string>& targets);

// The bridge named `name`, or NOT_FOUND ("bridge: no bridge 'br9'").
Result<const v1::Bridge*> find_bridge(const v1::Config& config, const std::string& name,
                                      const std::string& field = "bridge");

}  // namespace strata::daemon
