// The management API's DCN changes as pure functions of the configuration
// (like config_edit.h): each validates the request completely, with the
// request's field names ("container.tag.vid: ..."), through the DCN model,
// and returns the configuration with the change made plus what to apply.
#pragma once

#include <string>

#include "base/status.h"
#include "daemon/dcn_config.h"
#include "strata/v1/config.pb.h"

namespace strata::daemon {

struct AddDcnEdit {
  v1::Config config;  // with the DCN appended (container ofports assigned)
  DcnPlan plan;       // the DCN and its containers, to apply
};
Result<AddDcnEdit> edit_add_dcn(const v1::Config& current, const v1::Dcn& dcn);

struct DelDcnEdit {
  v1::Config config;  // without the DCN
  DcnPlan removed;    // what to take down
};
Result<DelDcnEdit> edit_del_dcn(const v1::Config& current, const std::string& dcn);

struct AddContainerEdit {
  v1::Config config;   // with the container appended to its DCN (ofport assigned)
  std::string bridge;  // the DCN's bridge
  ContainerPlan plan;  // the container's port, to apply
};
Result<AddContainerEdit> edit_add_container(const v1::Config& current, const std::string& dcn,
                                            const v1::Container& container);

struct DelContainerEdit {
  v1::Config config;   // without the container
  std::string bridge;  // the DCN's bridge
  std::string port;    // the container's port
};
Result<DelContainerEdit> edit_del_container(const v1::Config& current, const std::string& dcn,
                                            const std::string& container);

}  // namespace strata::daemon
