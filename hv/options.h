// strata-hv's command line (DESIGN.md command contract):
//   strata-hv --kernel FILE | --elf FILE | --restore DIR | --incoming ADDR
//             [--initrd FILE] [--cmdline STR] [--memory MiB] [--vcpus N]
//             [--net vhost-user=SOCKET[,mac=MAC]]... [--console FILE]
//             [--control SOCKET]
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::hv {

using MacAddress = std::array<uint8_t, 6>;

struct NetOption {
  std::string socket;  // vhost-user socket the backend (stratad, testpmd) serves
  MacAddress mac{};    // the guest NIC's address: given, or derived from the socket path
  bool mac_given = false;  // mac= was on the command line (a restore keeps the saved MAC otherwise)
};

struct HvOptions {
  std::string kernel;             // bzImage path (exclusive with elf)
  std::string elf;                // flat ELF path (exclusive with kernel)
  std::string initrd;             // initrd path; --kernel only
  std::string cmdline;            // guest command line, without the shim's additions
  bool cmdline_given = false;     // false: a Linux guest gets kDefaultLinuxCmdline
  uint64_t memory_mib = 128;      // guest RAM
  uint32_t vcpus = 1;             // vCPU threads
  std::vector<NetOption> nets;    // one virtio-net device per entry, in order
  std::string console;            // UART output file; empty = stdout
  std::string control;            // --control: the control socket (pause, snapshot, migrate); empty = none
  std::string restore;            // --restore: start from this snapshot directory instead of an image
  std::string incoming;           // --incoming: receive the guest from a live migration at unix:PATH | tcp:HOST:PORT
  bool clone = false;             // --clone: a restore that is a new guest (next clone generation; give it a new mac=)
};

// What a Linux guest gets without --cmdline: a serial console, reboot through
// the keyboard controller (a clean exit), and an exit instead of a hang on panic.
inline constexpr std::string_view kDefaultLinuxCmdline = "console=ttyS0 reboot=k panic=-1";
inline constexpr uint32_t kMaxVcpus = 64;      // far above what a nested guest uses
inline constexpr uint64_t kMinMemoryMib = 2;   // boot tables below 1 MiB plus an image above it

struct CommandLine {
  bool help = false;   // --help: print usage and exit 0
  bool version = false;  // --version: print the version and exit 0
  std::string usage;   // the option summary for --help and errors
  HvOptions options;   // valid when !help
};

Result<CommandLine> parse_command_line(int argc, const char* const* argv);

// "vhost-user=/run/x.sock,mac=02:00:00:00:00:01"; `index` picks the default MAC.
Result<NetOption> parse_net_option(std::string_view spec);
Result<MacAddress> parse_mac(std::string_view text);
std::string format_mac(const MacAddress& mac);
// A locally administered unicast MAC derived from the socket path, so two
// guests on two sockets differ and a restarted guest keeps its address.
MacAddress default_mac(std::string_view socket);

}  // namespace strata::hv
