// stratactl: the command-line client of stratad's gRPC management API
// (docs/DESIGN.md, "Command contract"). Exit status: 0 done, 1 stratad refused
// the request or cannot be reached, 2 the command line is wrong; errors
// are one line on stderr.
#include <boost/program_options.hpp>
#include <iostream>
#include <map>

#include "base/version.h"
#include "daemon/mgmt_address.h"
#include "daemon/stratactl/client.h"
#include "daemon/stratactl/command.h"

using namespace strata::ctl;

namespace {

struct Global {
  std::string mgmt = strata::daemon::kDefaultMgmtAddress;  // --mgmt
  bool json = false;                                       // --json
  double timeout_s = 10;                                   // --timeout
  bool help = false;                                       // --help
  bool version = false;                                    // --version
};

std::vector<Command> all_commands() {
  std::vector<Command> all;
  for (auto group : {bridge_commands, port_commands, dcn_commands, guest_commands, flow_commands, stats_commands}) {
    for (auto& c : group()) all.push_back(std::move(c));
  }
  return all;
}

po::options_description global_options(Global* g) {
  po::options_description d("Global options (before or after the command)");
  d.add_options()("mgmt", po::value(&g->mgmt)->default_value(g->mgmt), "stratad's address: unix:PATH or tcp:HOST:PORT")(
      "json", po::bool_switch(&g->json), "print the reply as JSON (the API's field names)")(
      "timeout", po::value(&g->timeout_s)->default_value(g->timeout_s), "seconds to wait for stratad")(
      "help,h", po::bool_switch(&g->help), "show help (after a command: that command's)")(
      "version", po::bool_switch(&g->version), "print the version and exit");
  return d;
}

void print_usage(const std::vector<Command>& commands, const po::options_description& global) {
  std::cout << "usage: stratactl [--mgmt ADDR] [--json] COMMAND [ARGS]\n\ncommands:\n";
  for (const auto& c : commands) {
    std::cout << "  " << c.name << (*c.usage ? " " : "") << c.usage << "\n      " << c.summary << "\n";
  }
  std::cout << "\n" << global << "\n'stratactl COMMAND --help' describes one command.\n";
}

void print_command_help(const Command& c, const po::options_description& own, const po::options_description& global) {
  std::cout << "usage: stratactl [--mgmt ADDR] [--json] " << c.name << (*c.usage ? " " : "") << c.usage << "\n\n"
            << c.summary << "\n";
  if (*c.details) std::cout << "\n" << c.details << "\n";
  if (!own.options().empty()) std::cout << "\n" << own;
  std::cout << "\n" << global;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<Command> commands = all_commands();
  Global g;
  const po::options_description global = global_options(&g);
  std::string name = "stratactl";
  try {
    // The global options are recognised anywhere; everything else (the
    // command, its arguments and its options) is kept in order for the
    // command's own parser.
    po::options_description first(global);
    first.add_options()("command", po::value<std::string>())("rest", po::value<std::vector<std::string>>());
    po::positional_options_description pos;
    pos.add("command", 1).add("rest", -1);
    po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(first).positional(pos).allow_unregistered().run();
    po::variables_map vm;
    po::store(parsed, vm);
    po::notify(vm);
    if (g.version) {
      std::cout << "stratactl " << strata::version() << "\n";
      return 0;
    }
    if (!vm.count("command")) {
      print_usage(commands, global);
      return g.help ? 0 : kExitUsage;
    }
    const std::string wanted = vm["command"].as<std::string>();
    const Command* cmd = nullptr;
    for (const auto& c : commands) {
      if (c.name == wanted) cmd = &c;
    }
    if (cmd == nullptr) throw CliError("unknown command '" + wanted + "' (stratactl --help lists them)", kExitUsage);
    name = wanted;
    std::vector<std::string> rest = po::collect_unrecognized(parsed.options, po::include_positional);
    rest.erase(rest.begin());  // the command itself

    po::options_description own(std::string(cmd->name) + " options");
    if (cmd->options) cmd->options(own);
    if (g.help) {
      print_command_help(*cmd, own, global);
      return 0;
    }
    po::options_description all(own);
    all.add_options()("args", po::value<std::vector<std::string>>());
    po::positional_options_description args_pos;
    args_pos.add("args", -1);
    Args args;
    po::store(po::command_line_parser(rest).options(all).positional(args_pos).run(), args.options);
    po::notify(args.options);
    if (args.options.count("args")) args.positional = args.options["args"].as<std::vector<std::string>>();
    if (args.positional.size() < cmd->min_args || args.positional.size() > cmd->max_args) {
      throw CliError("expected: " + std::string(cmd->name) + " " + cmd->usage + " (stratactl " + cmd->name + " --help)",
                     kExitUsage);
    }
    if (!(g.timeout_s > 0)) throw CliError("--timeout must be positive", kExitUsage);
    Client client(g.mgmt, std::chrono::milliseconds(static_cast<int64_t>(g.timeout_s * 1000)));
    Context ctx{client, g.json, std::cout};
    cmd->run(ctx, args);
    std::cout.flush();
    return 0;
  } catch (const CliError& e) {
    std::cerr << "stratactl: " << (name == "stratactl" ? "" : name + ": ") << e.what() << "\n";
    return e.code();
  } catch (const po::error& e) {
    std::cerr << "stratactl: " << name << ": " << e.what() << " (stratactl " << (name == "stratactl" ? "" : name + " ")
              << "--help)\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "stratactl: " << name << ": " << e.what() << "\n";
    return kExitError;
  }
}
