// The guest calls of strata.v1.Management: the same transaction as every
// other change (management_service.h). AddGuest: validate (guest_edit.h,
// then the files), start strata-hv on the control thread (the supervisor
// forks there: guest_supervisor.h), commit, reply; a failed commit stops
// it again. DelGuest: commit, then stop (SIGTERM, SIGKILL after 2 s) on
// this gRPC thread, so the control loop never waits for a guest.
#include <spdlog/spdlog.h>

#include "daemon/guest_edit.h"
#include "hv/control/client.h"
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

grpc::Status ManagementService::ControlGuest(grpc::ServerContext*, const v1::ControlGuestRequest* req,
                                             v1::ControlGuestResponse* resp) {
  return guarded_call("ControlGuest", [&]() -> Status {
    hv::control::Request r;
    switch (req->action()) {
      case v1::ControlGuestRequest::ACTION_STATUS: r.command = hv::control::Command::kStatus; break;
      case v1::ControlGuestRequest::ACTION_PAUSE: r.command = hv::control::Command::kPause; break;
      case v1::ControlGuestRequest::ACTION_RESUME: r.command = hv::control::Command::kResume; break;
      case v1::ControlGuestRequest::ACTION_SNAPSHOT:
        r.command = hv::control::Command::kSnapshot;
        if (req->dir().empty() || req->dir()[0] != '/') {
          return invalid_argument("dir: a snapshot needs an absolute directory on stratad's host, not '" + req->dir() + "'");
        }
        r.dir = req->dir();
        break;
      default: return invalid_argument("action: say what to do (status, pause, resume, snapshot)");
    }
    v1::GuestStatus st;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (guest_index(store_.current(), req->guest()) < 0) return not_found("guest: no guest '" + req->guest() + "'");
      guests_.fill_status(req->guest(), &st);
    }
    if (st.state() != v1::GUEST_STATE_RUNNING) {
      return failed_precondition("guest '" + req->guest() + "' is not running, so there is nothing to control");
    }
    // On this gRPC thread, never the control loop: a snapshot takes a while.
    constexpr int kReplyTimeoutMs = 300000;
    auto reply = hv::control::call(guests_.control_path(req->guest()), r, kReplyTimeoutMs);
    if (!reply) return reply.status().with_context("guest '" + req->guest() + "'");
    spdlog::info("mgmt: guest {}: {} -> {}", req->guest(), hv::control::command_name(r.command), *reply);
    resp->set_reply(*reply);
    return Status::ok();
  });
}

}  // namespace strata::daemon
