// strata-hv guests in strata.v1.Config: the rules a Guest message must
// follow, checked with the request's field names ("guest.nics[1].port:
// ..."), and the plan the supervisor runs (the strata-hv command line).
// Pure except check_guest_files(), which looks at the file system.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "strata/v1/config.pb.h"

namespace strata::daemon {

// strata-hv's own limits (hv/options.h, hv/guest_memory.h, hv/layout.h),
// repeated here because stratad links nothing of hv/ (a unit test keeps
// the two in step).
inline constexpr uint32_t kGuestMinMemoryMib = 2;
inline constexpr uint32_t kGuestMaxMemoryMib = 3072;
inline constexpr uint32_t kGuestDefaultMemoryMib = 128;
inline constexpr uint32_t kGuestMaxVcpus = 64;
inline constexpr int kGuestMaxNics = 6;
inline constexpr size_t kGuestMaxNameLength = 64;

struct GuestNicPlan {
  std::string port;    // the vhostuser port
  std::string socket;  // its socket (the port's path= option)
  std::string mac;     // empty: strata-hv's default
};

// One guest, validated: what strata-hv is started with.
struct GuestPlan {
  std::string name;         // guest name (also names its files in --guest-dir)
  std::string bridge;       // its bridge
  std::string kernel;       // bzImage, or empty
  std::string elf;          // flat ELF, or empty
  std::string snapshot;     // snapshot directory to restore, or empty
  bool clone = false;       // with snapshot: a clone of it
  std::string initrd;       // empty: none
  std::string cmdline;      // empty: strata-hv's default
  bool cmdline_given = false;
  uint32_t memory_mib = kGuestDefaultMemoryMib;
  uint32_t vcpus = 1;
  std::vector<GuestNicPlan> nics;  // in order
  std::string console;      // empty: stdout, which the supervisor sends to a file
};

// The guest's own fields (the request alone): name syntax, exactly one
// absolute image path, initrd only with a kernel, memory and vCPUs in
// strata-hv's ranges, 1..6 NICs with distinct ports and valid MACs.
Status check_guest_fields(const v1::Guest& guest, const std::string& field);

// The guest against a configuration that does not hold it yet: the bridge
// exists; each NIC's port is a `vhostuser` port of that bridge with a
// socket path, used by no other guest. Also runs check_guest_fields.
// Does not check the name's uniqueness (the edits do).
Result<GuestPlan> plan_guest(const v1::Config& config, const v1::Guest& guest, const std::string& field);

// Every guest of a configuration (startup): each planned against the
// others, names unique; fields "guests[i]...".
Result<std::vector<GuestPlan>> plan_guests(const v1::Config& config);

// The image, initrd (and the console's directory) can be read (written) by
// stratad now. Only for a new guest: a restored one whose file went away
// still starts, and strata-hv's own error says why it stops.
Status check_guest_files(const v1::Guest& guest, const std::string& field);

// The strata-hv command line (without the program name) of a plan.
std::vector<std::string> guest_hv_args(const GuestPlan& plan);

// The guest (index) that uses port `port` of bridge `bridge`, or -1.
int guest_using_port(const v1::Config& config, const std::string& bridge, const std::string& port);
// The guest (index) named `name`, or -1.
int guest_index(const v1::Config& config, const std::string& name);
// FAILED_PRECONDITION when a guest's NIC is on this port / bridge:
//   "port: port 'p1' is NIC 0 of guest 'g1'; remove the guest first (guest-del)"
Status check_no_guest_on_port(const v1::Config& config, const std::string& bridge, const std::string& port,
                              const std::string& field);
Status check_no_guest_on_bridge(const v1::Config& config, const std::string& bridge, const std::string& field);

}  // namespace strata::daemon
