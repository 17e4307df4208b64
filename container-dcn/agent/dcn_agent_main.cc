// strata-dcn-agent: runs inside a container DCN (a VM, or a network
// namespace standing in for one) and makes its containers' network on the
// DCN side. Exit status: 0 done, 1 the change failed, 2 the command line
// is wrong; errors are one line on stderr.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <map>

#include "base/version.h"
#include "container-dcn/agent/agent.h"
#include "container-dcn/agent/ebpf_tagging.h"
#include "container-dcn/agent/kernel_containers.h"
#include "container-dcn/agent/naming.h"
#include "container-dcn/agent/stratad_source.h"
#include "container-dcn/agent/watch_loop.h"

namespace po = boost::program_options;
using namespace strata;
using namespace strata::dcn_agent;

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CommandInfo {
  const char* usage;    // after the command's name
  const char* summary;  // one line
};

const std::map<std::string, CommandInfo>& commands() {
  static const std::map<std::string, CommandInfo> all = {
      {"add-container",
       {"NAME --tag VID [--tpid T] [--addr CIDR] [--mac MAC] --nic IFACE [--dcn DCN] [--mechanism M]",
        "make (or change) one container's namespace and tagged interface"}},
      {"del-container", {"NAME --nic IFACE [--dcn DCN]", "remove one container's namespace and interfaces"}},
      {"list", {"[--dcn DCN] [--nic IFACE]", "the DCN's containers as the kernel has them (with --nic: eBPF counters)"}},
      {"sync",
       {"--nic IFACE [--dcn DCN] [--mgmt ADDR] [--mechanism M]",
        "with --mgmt: converge once to stratad's containers; without: repair (remove interrupted "
        "creations, reload the eBPF tagging)"}},
      {"watch",
       {"--mgmt ADDR --dcn DCN --nic IFACE [--mechanism M] [--resync S]",
        "follow stratad's containers of the DCN and converge after every change, until SIGTERM"}},
  };
  return all;
}

void print_usage(std::ostream& out) {
  out << "usage: strata-dcn-agent COMMAND [ARGS]   (run inside the DCN's network namespace, as root)\n\ncommands:\n";
  for (const auto& [name, info] : commands()) out << "  " << name << " " << info.usage << "\n      " << info.summary << "\n";
  out << "\n'strata-dcn-agent COMMAND --help' describes one command; --version prints the version.\n";
}

// The options every command may take; each command says which it needs.
struct Options {
  std::string dcn = "local";
  std::string nic;
  std::string mechanism = "auto";
  std::string mgmt;
  std::string tag;
  std::string tpid = "0x8100";
  std::string addr;
  std::string mac;
  double resync_s = 10;
};

po::options_description options_for(const std::string& command, Options* o) {
  po::options_description d("Options of " + command);
  auto add = d.add_options();
  add("help,h", "show this help");
  add("dcn", po::value(&o->dcn)->default_value(o->dcn),
      "the DCN's name: its containers' namespaces are sdcn-<DCN>-<NAME>; as stratad names it");
  if (command != "list") add("nic", po::value(&o->nic)->required(), "the DCN's NIC, its link to Strata's VNIC");
  if (command == "list") add("nic", po::value(&o->nic), "the DCN's NIC: also show the eBPF tagging's counters");
  if (command == "add-container" || command == "sync" || command == "watch") {
    add("mechanism", po::value(&o->mechanism)->default_value(o->mechanism),
        "auto (vlan where the kernel has 8021q, else ebpf), vlan, or ebpf");
  }
  if (command == "add-container") {
    add("tag", po::value(&o->tag)->required(), "the container tag's VID, 1..4094 (as stratactl container-add --tag)");
    add("tpid", po::value(&o->tpid)->default_value(o->tpid), "the container tag's TPID: 0x8100 or 0x88a8");
    add("addr", po::value(&o->addr), "address of the container's eth0, e.g. 10.1.0.2/24");
    add("mac", po::value(&o->mac), "MAC of the container's eth0 (default: the kernel's choice)");
  }
  if (command == "sync") add("mgmt", po::value(&o->mgmt), "stratad's address (unix:PATH or tcp:HOST:PORT)");
  if (command == "watch") {
    add("mgmt", po::value(&o->mgmt)->required(), "stratad's address (unix:PATH or tcp:HOST:PORT)");
    add("resync", po::value(&o->resync_s)->default_value(o->resync_s), "seconds between convergences without news");
  }
  return d;
}

void print_report(const ConvergenceReport& report) {
  for (const auto& netns : report.removed) std::cout << "removed " << netns << "\n";
  for (const auto& created : report.created) std::cout << "created " << created << "\n";
}

// Runs a change; prints what it did; returns the exit status.
int finish(const Result<ConvergenceReport>& report) {
  if (!report) {
    std::cerr << "strata-dcn-agent: " << report.status().message() << "\n";
    return kExitError;
  }
  print_report(*report);
  for (const auto& why : report->skipped) std::cerr << "strata-dcn-agent: skipped " << why << "\n";
  return report->skipped.empty() ? 0 : kExitError;
}

int run_list(const Agent& agent, const Options& o) {
  auto records = agent.list();
  if (!records) {
    std::cerr << "strata-dcn-agent: " << records.status().message() << "\n";
    return kExitError;
  }
  std::printf("%-20s %-10s %-9s %-20s %-18s %s\n", "NAME", "TAG", "MECHANISM", "ADDRESS", "MAC", "NAMESPACE");
  for (const auto& r : *records) {
    std::printf("%-20s %-10s %-9s %-20s %-18s %s\n", r.spec.name.c_str(), tag_text(r.spec.tpid, r.spec.vid).c_str(),
                mechanism_name(r.mechanism), r.spec.address.empty() ? "-" : r.spec.address.c_str(),
                r.spec.mac.empty() ? "-" : r.spec.mac.c_str(), namespace_name(r.dcn, r.spec.name).c_str());
  }
  if (!o.nic.empty()) {
    auto c = ebpf_tagging_counters(o.nic);
    if (c) {
      std::printf("eBPF tagging on %s: to containers %llu, from containers %llu, unknown tag %llu, "
                  "unknown port %llu, tag op failed %llu\n",
                  o.nic.c_str(), (unsigned long long)c->to_container, (unsigned long long)c->from_container,
                  (unsigned long long)c->unknown_tag, (unsigned long long)c->unknown_port,
                  (unsigned long long)c->tag_op_failed);
    } else {
      std::printf("eBPF tagging on %s: %s\n", o.nic.c_str(), c.status().message().c_str());
    }
  }
  return 0;
}

int run(const std::string& command, const std::vector<std::string>& positional, const Options& o) {
  if (Status st = validate_name(o.dcn, "--dcn"); !st) throw UsageError(st.message());
  auto mechanism = choose_mechanism(o.mechanism);
  if (!mechanism) throw UsageError(mechanism.status().message());
  Agent agent({o.dcn, o.nic, *mechanism});
  if (command == "list") return run_list(agent, o);

  if (Status st = check_netns_dir_is_shared(); !st) {
    std::cerr << "strata-dcn-agent: " << st.message() << "\n";
    return kExitError;
  }
  if (command == "add-container") {
    ContainerSpec spec;
    spec.name = positional[0];
    if (o.tag.empty() || o.tag.size() > 5 || o.tag.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError("--tag: '" + o.tag + "' is not a VID (1..4094)");
    }
    const unsigned vid = static_cast<unsigned>(std::stoul(o.tag));
    if (vid < 1 || vid > 4094) throw UsageError("--tag: " + o.tag + " is out of range 1..4094");
    spec.vid = static_cast<uint16_t>(vid);
    auto tpid = parse_tpid(o.tpid);
    if (!tpid) throw UsageError(tpid.status().message());
    spec.tpid = *tpid;
    spec.address = o.addr;
    spec.mac = o.mac;
    if (Status st = validate_spec(spec); !st) throw UsageError(st.message());
    return finish(agent.add(spec));
  }
  if (command == "del-container") return finish(agent.remove(positional[0]));
  if (command == "sync") {
    if (o.mgmt.empty()) return finish(agent.repair());
    auto source = StratadSource::connect(o.mgmt);
    if (!source) throw UsageError(source.status().message());
    auto desired = (*source)->list(o.dcn);
    if (!desired) {
      std::cerr << "strata-dcn-agent: " << desired.status().message() << "\n";
      return kExitError;
    }
    return finish(agent.converge(*desired));
  }
  // watch
  WatchSettings settings;
  settings.mgmt = o.mgmt;
  if (!(o.resync_s > 0)) throw UsageError("--resync: must be more than 0 seconds");
  settings.resync_s = o.resync_s;
  return run_watch(agent, settings, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(std::cerr);
    return kExitUsage;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    print_usage(std::cout);
    return 0;
  }
  if (command == "--version") {
    std::cout << "strata-dcn-agent " << strata::version() << "\n";
    return 0;
  }
  auto info = commands().find(command);
  if (info == commands().end()) {
    std::cerr << "strata-dcn-agent: unknown command '" << command << "' (strata-dcn-agent --help lists them)\n";
    return kExitUsage;
  }
  Options o;
  const po::options_description desc = options_for(command, &o);
  const size_t wants_name = command == "add-container" || command == "del-container" ? 1 : 0;
  try {
    po::options_description all(desc);
    all.add_options()("positional", po::value<std::vector<std::string>>());
    po::positional_options_description pos;
    pos.add("positional", -1);
    po::variables_map vm;
    po::store(po::command_line_parser(argc - 1, argv + 1).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: strata-dcn-agent " << command << " " << info->second.usage << "\n\n"
                << info->second.summary << "\n\n"
                << desc << "\n";
      return 0;
    }
    po::notify(vm);
    std::vector<std::string> positional;
    if (vm.count("positional")) positional = vm["positional"].as<std::vector<std::string>>();
    if (positional.size() != wants_name) {
      throw UsageError(wants_name ? "needs the container's NAME" : "takes no arguments (got '" + positional[0] + "')");
    }
    return run(command, positional, o);
  } catch (const po::error& e) {
    std::cerr << "strata-dcn-agent " << command << ": " << e.what() << " (--help for usage)\n";
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "strata-dcn-agent " << command << ": " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "strata-dcn-agent " << command << ": " << e.what() << "\n";
    return kExitError;
  }
}
