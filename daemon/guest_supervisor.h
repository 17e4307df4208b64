// GuestSupervisor: one strata-hv process per configured guest, started,
// watched and stopped by stratad.
//
// - Spawned with fork + exec, in a session of its own, with a control
//   socket (NAME.ctl) and a pidfile (NAME.pid: PID and start time) in
//   --guest-dir. Guests outlive stratad: stopping, crashing or upgrading
//   stratad leaves them running (their vhost-user sessions reconnect by
//   themselves), and a restarted stratad adopts each one its pidfile names
//   instead of starting a duplicate. An adopted guest is not stratad's
//   child: it is watched by PID and start time, and its exit code read
//   from strata-hv's last stderr line ("strata-hv: exit status N").
// - stdout (the guest's console unless it has --console) and stderr go to
//   NAME.console and NAME.stderr in --guest-dir, appended per run; the last
//   stderr line of a run is its `last_error`.
// - Reaped with waitpid(pid, WNOHANG) by tick() (a ControlLoop periodic),
//   only for the PIDs it started. Exit code 0 = the guest powered off:
//   stopped, not restarted; 80 = it was live-migrated away: stopped, not
//   restarted. Any other end: restarted after a backoff of 1 s, 2 s,
//   4 s ... 30 s (RestartPolicy).
// - stop(): SIGTERM, up to 2 s, then SIGKILL, by PID; waits for it.
//
// Thread safety: every member function may be called from any thread
// (one mutex), but start() and tick() fork, so call them on the control
// thread (see above). stop() waits up to ~2 s and must not run there.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "daemon/guest_config.h"
#include "daemon/guest_pidfile.h"
#include "strata/v1/management.pb.h"

namespace strata::daemon {

// How long to wait before starting a guest again after an unexpected exit.
struct RestartPolicy {
  uint64_t first_ms = 1000;       // after the first failure in a row
  uint64_t max_ms = 30000;        // the doubling stops here
  uint64_t stable_run_ms = 30000;  // a run this long resets the sequence

  // failures_in_a_row >= 1: first_ms * 2^(n-1), at most max_ms.
  uint64_t delay_ms(uint32_t failures_in_a_row) const;
  // The count after a run of `run_ms` that ended unexpectedly.
  uint32_t next_failures(uint32_t failures_in_a_row, uint64_t run_ms) const {
    return run_ms >= stable_run_ms ? 1 : failures_in_a_row + 1;
  }
};

// The strata-hv to run: `given` (--hv) if not empty (it must be
// executable), else `strata-hv` next to stratad's own executable, else the
// first one on PATH. Empty when there is none (guests then cannot start,
// and say so).
Result<std::string> find_strata_hv(const std::string& given);

// The last non-empty line of `text` (without its newline), at most 512 bytes.
std::string last_line(const std::string& text);

class GuestSupervisor {
 public:
  struct Options {
    std::string hv;         // strata-hv's path; empty: none found
    std::string guest_dir;  // where the per-guest files go (created 0700 when needed)
    RestartPolicy policy;
    std::chrono::milliseconds stop_grace{2000};  // SIGTERM to SIGKILL
    // The guests' CPUs: stratad's own affinity from before DPDK pinned its
    // threads. Unset: a guest inherits the forking thread's, which is the
    // EAL main lcore's one CPU, so every guest would share that CPU.
    std::optional<cpu_set_t> cpus;
  };
  explicit GuestSupervisor(Options options) : options_(std::move(options)) {}
  // Stops what was not released (a supervisor that goes without release_all()).
  ~GuestSupervisor() { stop_all(); }
  GuestSupervisor(const GuestSupervisor&) = delete;
  GuestSupervisor& operator=(const GuestSupervisor&) = delete;

  // Control thread. Starts a new guest; FAILED_PRECONDITION (and nothing
  // registered) when strata-hv cannot be run at all or its files cannot
  // be opened.
  Status start(const GuestPlan& plan);
  // Control thread. A guest restored at startup: adopted when its pidfile
  // names a strata-hv that still runs, else as start(), but a guest that
  // cannot be run is kept, in state FAILED, with the reason.
  void restore(const GuestPlan& plan);
  // Control thread: reaps exited guests and restarts those due.
  void tick();

  // Not the control thread: stops the guest (SIGTERM, SIGKILL after the
  // grace, by PID), forgets it and returns its final state. NOT_FOUND if
  // the supervisor does not know it.
  Result<v1::GuestStatus> stop(const std::string& name);
  // Stops every guest (SIGTERM to all, one grace, SIGKILL to the rest).
  void stop_all();
  // stratad is going: forgets every guest and leaves it running, for the
  // next stratad to adopt.
  void release_all();

  // Where a guest's files live.
  std::string pidfile_path(const std::string& name) const { return options_.guest_dir + "/" + name + ".pid"; }
  std::string control_path(const std::string& name) const { return options_.guest_dir + "/" + name + ".ctl"; }

  // Fills the runtime fields of `out` (state, pid, restarts, ...); leaves
  // `out->guest` alone. A guest it does not know reads as STOPPED.
  void fill_status(const std::string& name, v1::GuestStatus* out) const;
  // PIDs of the running strata-hv processes (tests, logs).
  std::vector<pid_t> pids() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Guest {
    GuestPlan plan;
    std::string console_file;    // stdout (the UART unless plan.console)
    std::string stderr_file;     // stderr, appended per run
    pid_t pid = 0;               // running strata-hv, 0 if none
    v1::GuestState state = v1::GUEST_STATE_STOPPED;
    uint32_t restarts = 0;       // starts after an unexpected exit
    uint32_t failures_in_a_row = 0;
    int last_exit_code = -1;     // -1: none yet, or a signal
    int last_signal = 0;
    std::string last_error;      // last stderr line of the last run
    off_t stderr_offset = 0;     // where this run's stderr starts
    Clock::time_point started;   // of this run
    Clock::time_point restart_at;  // BACKOFF: when
    bool adopted = false;        // found running at startup: not our child, watched by PID and start time
    uint64_t start_ticks = 0;    // the running strata-hv's start time (/proc/PID/stat), for its pidfile
  };

  Status spawn(Guest& g);                        // mu_ held
  void note_exit(Guest& g, int wait_status);     // what ended it (pid, code, signal, last_error)
  void record_exit(Guest& g, int wait_status);   // note_exit, then stopped or backoff; mu_ held
  void fill(const Guest& g, v1::GuestStatus* out) const;
  // An adopted guest that is gone: its end as a wait status, from its stderr.
  int adopted_exit_status(const Guest& g, int if_unknown) const;
  // Sends `sig` and waits until `deadline` for the guest's process to end;
  // fills *wait_status. False when it is still there.
  bool signal_and_wait(Guest& g, int sig, Clock::time_point deadline, int* wait_status);

  const Options options_;
  mutable std::mutex mu_;                // guards guests_
  std::map<std::string, Guest> guests_;  // by name
};

}  // namespace strata::daemon
