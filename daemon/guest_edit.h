// The management API's guest changes as pure functions of the
// configuration (like config_edit.h and dcn_edit.h): each validates the
// request completely, with the request's field names ("guest.nics[0].port:
// ..."), and returns the configuration with the change made plus what the
// supervisor is to run. Nothing is started here.
#pragma once

#include <string>

#include "base/status.h"
#include "daemon/guest_config.h"
#include "strata/v1/config.pb.h"

namespace strata::daemon {

struct AddGuestEdit {
  v1::Config config;  // with the guest appended
  GuestPlan plan;     // what to start
};
// Name unique, then plan_guest(). The files are the caller's to check
// (check_guest_files), so that this stays pure.
Result<AddGuestEdit> edit_add_guest(const v1::Config& current, const v1::Guest& guest);

// Without the guest; NOT_FOUND for an unknown name.
Result<v1::Config> edit_del_guest(const v1::Config& current, const std::string& guest);

}  // namespace strata::daemon
