// strata-hv's exit statuses: the contract between the shim and whatever
// supervises it (stratad's GuestSupervisor, a systemd unit, a script).
//   0      the guest powered off or rebooted: done, do not restart
//   1      an error (a crash of the guest is one): restart
//   2      a bad command line
//   80     the guest was live-migrated away and runs elsewhere: do not restart
//   128+N  stopped by signal N
// A guest that writes its own code to the control port exits with that code.
#pragma once

namespace strata {

inline constexpr int kHvExitMigrated = 80;

}  // namespace strata
