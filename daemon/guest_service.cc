// The guest calls of strata.v1.Management: the same transaction as every
// other change (management_service.h). AddGuest: validate (guest_edit.h,
// then the files), start strata-hv on the control thread (the supervisor
// forks there: guest_supervisor.h), commit, reply; a failed commit stops
// it again. DelGuest: commit, then stop (SIGTERM, SIGKILL after 2 s) on
// this gRPC thread, so the control loop never waits for a guest.
#include <spdlog/spdlog.h>

#include "daemon/guest_edit.h"
#include "daemon/management_service.h"
#include "daemon/service_guard.h"

namespace strata::daemon {

v1::GuestStatus ManagementService::guest_status(const v1::Guest& guest) const {
  v1::GuestStatus out;
  *out.mutable_guest() = guest;
  guests_.fill_status(guest.name(), &out);
  return out;
}

grpc::Status ManagementService::AddGuest(grpc::ServerContext*, const v1::AddGuestRequest* req,
                                         v1::AddGuestResponse* resp) {
  return guarded_call("AddGuest", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto edit = edit_add_guest(store_.current(), req->guest());
    if (!edit) return edit.status();
    STRATA_RETURN_IF_ERROR(check_guest_files(req->guest(), "guest"));
    if (Status st = loop_.call([&] { return guests_.start(edit->plan); }); !st) {
      return failed_precondition("guest: " + st.message());
    }
    if (Status st = store_.commit(edit->config); !st) {
      (void)guests_.stop(edit->plan.name);
      spdlog::error("mgmt: {}; the guest was stopped again", st.message());
      return internal_error(st.message() + "; nothing changed");
    }
    spdlog::info("mgmt: added guest {} on bridge {} with {} NIC(s)", edit->plan.name, edit->plan.bridge,
                 edit->plan.nics.size());
    *resp->mutable_guest() = guest_status(req->guest());
    return Status::ok();
  });
}

grpc::Status ManagementService::DelGuest(grpc::ServerContext*, const v1::DelGuestRequest* req,
                                         v1::DelGuestResponse* resp) {
  return guarded_call("DelGuest", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    auto edited = edit_del_guest(store_.current(), req->guest());
    if (!edited) return edited.status();
    const v1::Guest guest = store_.current().guests(guest_index(store_.current(), req->guest()));
    if (Status st = store_.commit(*edited); !st) return internal_error(st.message() + "; nothing changed");
    auto last = guests_.stop(req->guest());
    v1::GuestStatus* out = resp->mutable_guest();
    if (last) *out = std::move(*last);
    *out->mutable_guest() = guest;
    spdlog::info("mgmt: removed guest {}", req->guest());
    return Status::ok();
  });
}

grpc::Status ManagementService::ListGuests(grpc::ServerContext*, const v1::ListGuestsRequest*,
                                           v1::ListGuestsResponse* resp) {
  return guarded_call("ListGuests", [&]() -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& g : store_.current().guests()) *resp->add_guests() = guest_status(g);
    return Status::ok();
  });
}

}  // namespace strata::daemon
