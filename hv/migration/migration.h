// Live migration of one strata-hv guest to another strata-hv process
// (stream.h says what crosses the wire):
//   - unix:PATH (same host): the RAM's memfd is handed over; the guest
//     pauses, its state crosses, the destination resumes it. No copy.
//   - tcp:HOST:PORT: pre-copy. Dirty logging on (KVM's and the backend's,
//     dirty_log.h), all pages sent while the guest runs, then the pages
//     dirtied meanwhile, round after round, until what is left would copy
//     within the downtime target; then pause, the last pages, the state.
// Failure before the state is handed over leaves the guest running on the
// source (logging off, resumed if it was paused by the migration). Once the
// destination has the state, the source never resumes on its own: if the
// destination's answer is lost, the source stays paused and says so.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/status.h"
#include "hv/control/request.h"

namespace strata::hv {
class Vmm;
}

namespace strata::hv::migration {

struct Report {
  std::string transport;      // "unix" or "tcp"
  uint32_t rounds = 0;        // pre-copy rounds (0 for unix)
  uint64_t bytes_sent = 0;    // page bytes sent over the stream
  uint64_t final_bytes = 0;   // of them, sent while paused
  double setup_ms = 0;        // connect to READY (the destination built and its NICs connected)
  double downtime_ms = 0;     // pause to the destination's DONE, as the source measures it
  double restore_ms = 0;      // the destination's part of it: state in to vCPUs ready
  double total_ms = 0;        // request to DONE
};

// Sends the guest to `to` (unix:PATH or tcp:HOST:PORT). On success the
// guest runs at the destination and `vmm` has been asked to stop with
// kMigrated. `downtime_ms` is the pre-copy's target.
Result<Report> send_guest(Vmm& vmm, const std::string& to, uint32_t downtime_ms);
// Waits at `from` for one source, builds the guest it describes (NIC
// sockets from the command line's --net, if any), and takes its state.
// On return the guest is ready to run.
Status receive_guest(Vmm& vmm, const std::string& from);
std::map<std::string, control::ReplyValue> report_fields(const Report& r);

}  // namespace strata::hv::migration
