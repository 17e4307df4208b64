// Reading and validating strata.v1.Config: every check happens before
// anything is started, and an error names the field it is about
// ("bridges[0].ports[1].access.stack.tags[0].vid: 4096 is out of range").
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "daemon/dcn_config.h"
#include "l2tags/tpid_set.h"
#include "ofproto/port_config.h"
#include "strata/v1/config.pb.h"
#include "vnic/port_spec.h"

namespace strata::daemon {

// Parses a Protobuf text-format Config file.
Result<v1::Config> read_config_file(const std::string& path);

// One port, validated and converted.
struct PortPlan {
  vnic::PortSpec spec;         // driver view
  ofproto::BridgePort bridge;  // bridge view (dp_port filled in when added)
};
struct BridgePlan {
  std::string name;                      // bridge name
  std::vector<PortPlan> ports;           // in config order
  bool secure = false;                   // fail mode secure (else standalone)
  uint64_t datapath_id = 0;              // 0: derived from the name
  std::vector<std::string> controllers;  // OpenFlow controller targets
};
struct ConfigPlan {
  l2tags::TpidSet tpids;           // recognised TPIDs
  uint32_t megaflow_idle_ms = 10000;
  uint32_t emc_insert_inv_prob = 100;
  std::vector<BridgePlan> bridges;
  std::vector<DcnPlan> dcns;       // container DCNs, applied after the bridges
};

// Validates the whole config and converts it; nothing is applied.
Result<ConfigPlan> plan_config(const v1::Config& config);

// The pieces plan_config is made of, shared with the management API, which
// validates one bridge or port of a request with the request's field names
// ("port.access.stack.tags[0].vid: ..."). Uniqueness across bridges is the
// caller's to check.
Result<l2tags::TpidSet> plan_tpids(const v1::DatapathSettings& datapath);
// A bridge's own fields, and its ports (port names and ofports unique within it).
Result<BridgePlan> plan_bridge(const v1::Bridge& bridge, const l2tags::TpidSet& tpids, const std::string& field);
Result<PortPlan> plan_port(const v1::Port& port, const l2tags::TpidSet& tpids, const std::string& field);
// Names of bridges and ports: 1..64 of letters, digits and - _ . : @, so
// they survive flow syntax, device arguments and tables unquoted.
Status check_name(const std::string& name, const std::string& field, const char* what);
// OpenFlow port numbers a port may be given (0 = the bridge picks one).
inline constexpr uint32_t kMaxOfport = 0xfffffeff;

// Converters shared with the management API.
Result<l2tags::TagStack> to_tag_stack(const v1::TagStack& stack, const l2tags::TpidSet& tpids,
                                      const std::string& field);
Result<l2tags::StackPattern> to_stack_pattern(const v1::TagStack& stack, const l2tags::TpidSet& tpids,
                                              const std::string& field);

}  // namespace strata::daemon
