#include "daemon/guest_edit.h"

namespace strata::daemon {

Result<AddGuestEdit> edit_add_guest(const v1::Config& current, const v1::Guest& guest) {
  // The request alone first, then against what exists.
  STRATA_RETURN_IF_ERROR(check_guest_fields(guest, "guest"));
  if (guest_index(current, guest.name()) >= 0) {
    return already_exists("guest.name: guest '" + guest.name() + "' already exists");
  }
  auto plan = plan_guest(current, guest, "guest");
  if (!plan) return plan.status();
  AddGuestEdit edit;
  edit.config = current;
  *edit.config.add_guests() = guest;
  edit.plan = std::move(*plan);
  return edit;
}

Result<v1::Config> edit_del_guest(const v1::Config& current, const std::string& guest) {
  if (guest.empty()) return invalid_argument("guest: a guest name is required");
  const int g = guest_index(current, guest);
  if (g < 0) return not_found("guest: no guest '" + guest + "'");
  v1::Config out = current;
  out.mutable_guests()->DeleteSubrange(g, 1);
  return out;
}

}  // namespace strata::daemon
