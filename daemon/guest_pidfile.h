// A running strata-hv that a stratad can find again after it restarted:
// NAME.pid in --guest-dir holds the PID and the process's start time
// (/proc/PID/stat field 22, clock ticks since boot), so a PID the kernel
// has since given to another process is never taken for the guest.
// Guests outlive stratad (stop, crash, upgrade); the restarted stratad
// adopts them instead of starting duplicates.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"

namespace strata::daemon {

struct GuestProcess {
  pid_t pid = 0;             // strata-hv's PID
  uint64_t start_ticks = 0;  // its start time since boot (clock ticks)
};

// The start time of `pid`, or nullopt when there is no such process.
std::optional<uint64_t> process_start_ticks(pid_t pid);
// True while `p` is the very process that was recorded (same PID and start time).
bool still_running(const GuestProcess& p);

Status write_guest_pidfile(const std::string& path, const GuestProcess& p);
// The recorded process, if the file exists and parses.
std::optional<GuestProcess> read_guest_pidfile(const std::string& path);

// strata-hv's exit code from the last line it wrote to stderr
// ("strata-hv: exit status N"), for a guest stratad adopted and so cannot
// waitpid() for; nullopt when it ended without saying (killed).
std::optional<int> exit_status_from_stderr(const std::string& last_line);

}  // namespace strata::daemon
