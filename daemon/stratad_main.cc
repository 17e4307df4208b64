// stratad: the Strata host daemon. Starts the DPDK EAL, the datapath with
// its PMD threads and the bridges of --config, then runs the control loop
// (upcalls, housekeeping) until SIGTERM/SIGINT. SIGUSR1 prints the port,
// PMD and megaflow counters.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "daemon/config_loader.h"
#include "daemon/control_loop.h"
#include "daemon/stats_report.h"
#include "datapath/datapath.h"
#include "datapath/eal.h"
#include "ofproto/ofproto.h"

namespace po = boost::program_options;
using namespace strata;

namespace {

volatile std::sig_atomic_t g_quit = 0;
volatile std::sig_atomic_t g_dump = 0;

void on_signal(int sig) {
  if (sig == SIGUSR1) {
    g_dump = 1;
  } else {
    g_quit = 1;
  }
}

struct Options {
  std::string config;
  std::string pmd_cores = "1";
  bool busy_poll = false;
  bool no_huge = false;
  std::string file_prefix;
  std::string log_level = "info";
  unsigned memory_mb = 1024;
  unsigned n_mbufs = 65535;
  bool detach = false;
  std::string pidfile;
};

// Returns the exit code when the program should stop now (help, bad usage).
std::optional<int> parse_options(int argc, char** argv, Options* o) {
  po::options_description desc("stratad: the Strata switch daemon\n\nOptions");
  desc.add_options()
      ("help,h", "show this help")
      ("config", po::value(&o->config), "strata.v1.Config in Protobuf text format")
      ("pmd-cores", po::value(&o->pmd_cores)->default_value("1"), "PMD thread count N, or CPU list (1,3 / 1-3)")
      ("pmd-busy-poll", po::bool_switch(&o->busy_poll), "PMDs never sleep when idle")
      ("no-huge", po::bool_switch(&o->no_huge), "use 4 KiB pages even when hugepages are reserved")
      ("file-prefix", po::value(&o->file_prefix), "DPDK file prefix (default strata<pid>)")
      ("memory", po::value(&o->memory_mb)->default_value(1024), "DPDK memory in MiB")
      ("mbufs", po::value(&o->n_mbufs)->default_value(65535), "packet buffers in the pool")
      ("log-level", po::value(&o->log_level)->default_value("info"), "trace, debug, info, warn, error")
      ("detach", po::bool_switch(&o->detach), "run in the background once started")
      ("pidfile", po::value(&o->pidfile), "write the daemon's PID here");
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "stratad: %s (see --help)\n", e.what());
    return 2;
  }
  return std::nullopt;
}

// Applies a validated plan; on error nothing of the plan remains.
Status apply_plan(ofproto::Ofproto& ofp, const daemon::ConfigPlan& plan) {
  for (const auto& b : plan.bridges) {
    Status st = ofp.add_bridge(b.name);
    for (size_t i = 0; st && i < b.ports.size(); ++i) {
      auto port = ofp.add_port(b.name, b.ports[i].spec, b.ports[i].bridge);
      if (!port) st = port.status().with_context("bridge '" + b.name + "'");
      else spdlog::info("bridge {}: port {} (type {}, ofport {}, datapath port {})", b.name, port->name,
                        b.ports[i].spec.type, port->ofport, port->dp_port);
    }
    if (!st) {
      for (const auto& done : plan.bridges) (void)ofp.del_bridge(done.name);
      return st;
    }
  }
  return Status::ok();
}

// OpenFlow settings of the configured bridges (issue 6): datapath id, fail
// mode and controllers; ofproto's connection manager listens and connects
// from here on.
Status apply_openflow(ofproto::Ofproto& ofp, const v1::Config& config) {
  for (const auto& b : config.bridges()) {
    ofproto::Bridge* br = ofp.find_bridge(b.name());
    if (br == nullptr) continue;
    br->set_datapath_id(b.datapath_id());
    br->set_fail_mode(b.fail_mode() == v1::FAIL_MODE_SECURE ? ofproto::FailMode::kSecure
                                                            : ofproto::FailMode::kStandalone);
    const std::vector<std::string> targets(b.controllers().begin(), b.controllers().end());
    STRATA_RETURN_IF_ERROR(ofp.set_controllers(b.name(), targets));
  }
  return Status::ok();
}

void dump_stats(const datapath::Datapath& dp) {
  std::string report = "ports:\n" + daemon::port_stats_table(dp) + "pmds:\n" + daemon::pmd_stats_table(dp) +
                       "megaflows (" + std::to_string(dp.megaflow_count()) + "):\n" + daemon::megaflow_table(dp);
  std::fputs(report.c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (auto rc = parse_options(argc, argv, &opt)) return *rc;
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e stratad %l: %v");
  spdlog::set_level(spdlog::level::from_str(opt.log_level));

  // Everything the config says is checked before anything starts.
  daemon::ConfigPlan plan;
  v1::Config config_msg;  // kept for the OpenFlow settings
  if (!opt.config.empty()) {
    auto config = daemon::read_config_file(opt.config);
    if (!config) {
      std::fprintf(stderr, "stratad: %s\n", config.status().message().c_str());
      return 1;
    }
    config_msg = *config;
    auto p = daemon::plan_config(*config);
    if (!p) {
      std::fprintf(stderr, "stratad: config '%s': %s\n", opt.config.c_str(), p.status().message().c_str());
      return 1;
    }
    plan = std::move(*p);
  }
  const unsigned n_cpus = std::max(1u, std::thread::hardware_concurrency());
  auto pmd_cpus = datapath::parse_pmd_cores(opt.pmd_cores, n_cpus);
  if (!pmd_cpus) {
    std::fprintf(stderr, "stratad: %s\n", pmd_cpus.status().message().c_str());
    return 2;
  }

  // --detach: the parent exits with the child's startup result.
  int ready_pipe[2] = {-1, -1};
  if (opt.detach) {
    if (pipe(ready_pipe) != 0) return 1;
    const pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid > 0) {
      close(ready_pipe[1]);
      char code = 1;
      if (read(ready_pipe[0], &code, 1) != 1) code = 1;
      return code;
    }
    close(ready_pipe[0]);
    setsid();
  }
  auto report_ready = [&](char code) {
    if (ready_pipe[1] >= 0) {
      (void)!write(ready_pipe[1], &code, 1);
      close(ready_pipe[1]);
      ready_pipe[1] = -1;
    }
  };
  if (!opt.pidfile.empty()) {
    std::ofstream(opt.pidfile) << getpid() << "\n";
  }

  datapath::EalOptions eal;
  eal.file_prefix = opt.file_prefix;
  eal.no_huge = opt.no_huge;
  eal.memory_mb = opt.memory_mb;
  eal.pmd_cpus = *pmd_cpus;
  auto eal_info = datapath::eal_start(eal);
  if (!eal_info) {
    std::fprintf(stderr, "stratad: %s\n", eal_info.status().message().c_str());
    report_ready(1);
    return 1;
  }
  if (!eal_info->hugepages) {
    spdlog::warn("no free hugepages (or --no-huge): running on 4 KiB pages, expect lower packet rates");
  }
  spdlog::info("EAL: {}", eal_info->args);

  int rc = 0;
  {
    datapath::DatapathOptions dpo;
    dpo.pmd_lcores = eal_info->pmd_lcores;
    dpo.pmd_cpus = *pmd_cpus;
    dpo.n_mbufs = opt.n_mbufs;
    dpo.tpids = plan.tpids;
    dpo.megaflow_idle_ms = plan.megaflow_idle_ms;
    dpo.emc_insert_inv_prob = plan.emc_insert_inv_prob;
    dpo.busy_poll = opt.busy_poll;
    auto dp = datapath::Datapath::create(dpo);
    if (!dp) {
      std::fprintf(stderr, "stratad: %s\n", dp.status().message().c_str());
      report_ready(1);
      datapath::eal_stop();
      return 1;
    }
    ofproto::Ofproto ofp(**dp);
    ofp.set_tpids(plan.tpids);
    Status applied = apply_plan(ofp, plan);
    if (applied) applied = apply_openflow(ofp, config_msg);
    if (!applied) {
      std::fprintf(stderr, "stratad: config '%s': %s\n", opt.config.c_str(), applied.message().c_str());
      report_ready(1);
      rc = 1;
    } else if (Status st2 = (*dp)->start(); !st2) {
      std::fprintf(stderr, "stratad: %s\n", st2.message().c_str());
      report_ready(1);
      rc = 1;
    } else {
      std::signal(SIGTERM, on_signal);
      std::signal(SIGINT, on_signal);
      std::signal(SIGUSR1, on_signal);
      std::signal(SIGPIPE, SIG_IGN);
      spdlog::info("running: {} PMD thread(s), {} bridge(s)", pmd_cpus->size(), plan.bridges.size());
      report_ready(0);
      daemon::ControlLoop loop(**dp, ofp);
      loop.add_periodic(1000, [&](uint64_t now) { ofp.run_periodic(now); });
      loop.add_poller([&] { return ofp.run(); });  // OpenFlow connections
      loop.add_poller([&] {
        if (!g_dump) return size_t{0};
        g_dump = 0;
        dump_stats(**dp);
        return size_t{1};
      });
      loop.run([] { return g_quit != 0; });
      spdlog::info("shutting down");
      dump_stats(**dp);
      (*dp)->stop();
    }
    // Ofproto, then the datapath (ports, PMDs, mbufs) go out of scope here.
  }
  datapath::eal_stop();
  if (!opt.pidfile.empty()) unlink(opt.pidfile.c_str());
  if (rc == 0) spdlog::info("stopped");
  return rc;
}
