// A stratactl command: its name, its help, its options and what it does.
// The command files (bridge_commands.cc, port_commands.cc, ...) each return
// their commands; stratactl_main.cc parses the command line against them.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "daemon/stratactl/client.h"

namespace strata::ctl {

namespace po = boost::program_options;

// What a command runs with.
struct Context {
  Client& client;     // the connection to stratad
  bool json;          // --json: print the reply as JSON
  std::ostream& out;  // standard output
};

// A command's parsed arguments.
struct Args {
  std::vector<std::string> positional;  // in order
  po::variables_map options;            // its own options
};

struct Command {
  // Static text (literals), not std::string: nothing to copy, and g++ 12
  // at -O3 warns falsely about std::string assignments of literals.
  const char* name = "";                // "add-br"
  const char* usage = "";               // "BR [--fail-mode secure|standalone] [--datapath-id HEX]"
  const char* summary = "";             // one line, for `stratactl --help`
  const char* details = "";             // more lines for `stratactl CMD --help`; may be empty
  size_t min_args = 0;                  // positional arguments required
  size_t max_args = 0;                  // at most this many; SIZE_MAX: any number
  std::function<void(po::options_description&)> options;  // adds the command's options; may be empty
  std::function<void(Context&, const Args&)> run;          // does it; throws CliError
};

std::vector<Command> bridge_commands();
std::vector<Command> port_commands();
std::vector<Command> flow_commands();
std::vector<Command> stats_commands();
std::vector<Command> dcn_commands();
std::vector<Command> guest_commands();
// The DCNs of a Show reply, as `show` and `container-list` print them.
void print_dcns(const google::protobuf::RepeatedPtrField<v1::DcnStatus>& dcns, std::ostream& out);
// The guests of a Show reply, as `show` prints them.
void print_guests(const google::protobuf::RepeatedPtrField<v1::GuestStatus>& guests, std::ostream& out);

}  // namespace strata::ctl
