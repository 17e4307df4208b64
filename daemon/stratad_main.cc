// stratad: the Strata host daemon. Restores its configuration from the db
// (or seeds it from --config), starts the DPDK EAL, the datapath with its
// PMD threads and the bridges, serves the gRPC management API, and runs
// the control loop (upcalls, housekeeping, API calls) until SIGTERM/SIGINT.
// SIGUSR1 prints the port, PMD and megaflow counters; SIGHUP reopens
// --log-file.
#include <google/protobuf/util/message_differencer.h>
#include <rte_version.h>
#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <thread>

#include "base/version.h"
#include "daemon/config_apply.h"
#include "daemon/config_loader.h"
#include "daemon/config_store.h"
#include "daemon/control_loop.h"
#include "daemon/flow_service.h"
#include "daemon/guest_config.h"
#include "daemon/guest_supervisor.h"
#include "daemon/logging.h"
#include "daemon/management_service.h"
#include "daemon/mgmt_address.h"
#include "daemon/mgmt_server.h"
#include "daemon/pidfile.h"
#include "daemon/startup_config.h"
#include "daemon/stats_report.h"
#include "datapath/datapath.h"
#include "datapath/eal.h"
#include "ofproto/ofproto.h"

namespace po = boost::program_options;
using namespace strata;

namespace {

volatile std::sig_atomic_t g_quit = 0;
volatile std::sig_atomic_t g_dump = 0;
volatile std::sig_atomic_t g_hup = 0;

void on_signal(int sig) {
  if (sig == SIGUSR1) {
    g_dump = 1;
  } else if (sig == SIGHUP) {
    g_hup = 1;
  } else {
    g_quit = 1;
  }
}

constexpr char kDefaultDb[] = "/var/lib/strata/conf.db";
constexpr char kDefaultGuestDir[] = "/run/strata/guests";

struct Options {
  std::string config;                                  // --config: seeds an empty db
  std::string db = kDefaultDb;                         // --db
  bool no_db = false;                                  // --no-db: keep changes in memory only
  bool db_reset = false;                               // --db-reset: move the db aside, start empty
  std::string mgmt = daemon::kDefaultMgmtAddress;      // --mgmt
  std::string pmd_cores = "1";                         // --pmd-cores
  bool busy_poll = false;                              // --pmd-busy-poll
  bool no_huge = false;                                // --no-huge
  std::string file_prefix;                             // --file-prefix
  std::string log_level = "info";                      // --log-level
  std::string log_file;                                // --log-file; empty: stderr
  unsigned memory_mb = 1024;                           // --memory
  unsigned n_mbufs = 65535;                            // --mbufs
  bool detach = false;                                 // --detach
  std::string pidfile;                                 // --pidfile
  std::string hv;                                      // --hv: strata-hv to run guests with
  std::string guest_dir = kDefaultGuestDir;            // --guest-dir: guests' console and stderr files
  std::string control_sched = "batch";                 // --control-sched: batch or normal
};

// Returns the exit code when the program should stop now (help, bad usage).
std::optional<int> parse_options(int argc, char** argv, Options* o) {
  po::options_description desc("stratad: the Strata switch daemon\n\nOptions");
  desc.add_options()
      ("help,h", "show this help")
      ("version", "print the version (and DPDK's) and exit")
      ("config", po::value(&o->config), "strata.v1.Config (Protobuf text format) that seeds an empty db")
      ("db", po::value(&o->db)->default_value(kDefaultDb), "persisted configuration, restored on start")
      ("no-db", po::bool_switch(&o->no_db), "no db: start from --config, keep API changes in memory only")
      ("db-reset", po::bool_switch(&o->db_reset), "move the db aside (FILE.bad-<time>) and start empty or from --config")
      ("mgmt", po::value(&o->mgmt)->default_value(daemon::kDefaultMgmtAddress), "gRPC address: unix:PATH or tcp:HOST:PORT")
      ("pmd-cores", po::value(&o->pmd_cores)->default_value("1"), "PMD thread count N, or CPU list (1,3 / 1-3)")
      ("pmd-busy-poll", po::bool_switch(&o->busy_poll), "PMDs never sleep when idle")
      ("no-huge", po::bool_switch(&o->no_huge), "use 4 KiB pages even when hugepages are reserved")
      ("file-prefix", po::value(&o->file_prefix), "DPDK file prefix (default strata<pid>)")
      ("memory", po::value(&o->memory_mb)->default_value(1024), "DPDK memory in MiB")
      ("mbufs", po::value(&o->n_mbufs)->default_value(65535), "packet buffers in the pool")
      ("log-level", po::value(&o->log_level)->default_value("info"), "trace, debug, info, warn, error")
      ("log-file", po::value(&o->log_file), "log here (appended; SIGHUP reopens) instead of stderr")
      ("detach", po::bool_switch(&o->detach), "run in the background once started")
      ("pidfile", po::value(&o->pidfile), "write the daemon's PID here (and refuse to start if another holds it)")
      ("hv", po::value(&o->hv), "strata-hv for guests (default: beside stratad, else on PATH)")
      ("guest-dir", po::value(&o->guest_dir)->default_value(kDefaultGuestDir),
       "guests' console and stderr files (NAME.console, NAME.stderr)")
      ("control-sched", po::value(&o->control_sched)->default_value("batch"),
       "the control thread's CPU scheduling: batch (its wakeups do not preempt) or normal");
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    if (vm.count("version")) {
      std::cout << "stratad " << strata::version() << "\n" << rte_version() << "\n";
      return 0;
    }
    po::notify(vm);
    if (o->control_sched != "batch" && o->control_sched != "normal") {
      throw po::error("--control-sched must be batch or normal, not '" + o->control_sched + "'");
    }
    if (o->no_db && (o->db_reset || !vm["db"].defaulted())) {
      throw po::error("--no-db cannot be combined with --db or --db-reset");
    }
  } catch (const po::error& e) {
    std::fprintf(stderr, "stratad: %s (see --help)\n", e.what());
    return 2;
  }
  return std::nullopt;
}

int fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "stratad: %s\n", message.c_str());
  spdlog::default_logger()->flush();
  return code;
}

void dump_stats(const datapath::Datapath& dp) {
  // Device xstats come last: readers of the earlier sections (bench.py)
  // parse them line by line up to the next heading.
  std::string report = "ports:\n" + daemon::port_stats_table(dp) + "pmds:\n" + daemon::pmd_stats_table(dp) +
                       "megaflows (" + std::to_string(dp.megaflow_count()) + "):\n" + daemon::megaflow_table(dp) +
                       "port xstats:\n" + daemon::port_xstats_report(dp);
  std::fputs(report.c_str(), stdout);
  std::fflush(stdout);
}

// --detach: the parent waits for the child's startup result and exits
// with it. The child gets the write end of the pipe.
class Detacher {
 public:
  // In the parent this never returns.
  void detach() {
    if (pipe(pipe_) != 0) std::exit(fail("cannot create a pipe for --detach"));
    const pid_t pid = fork();
    if (pid < 0) std::exit(fail("cannot fork for --detach"));
    if (pid > 0) {
      close(pipe_[1]);
      char code = 1;
      if (read(pipe_[0], &code, 1) != 1) code = 1;
      std::fflush(nullptr);
      // No destructors: the locks and the pidfile now belong to the child.
      _exit(code);
    }
    close(pipe_[0]);
    pipe_[0] = -1;
    setsid();
  }
  // Child (or the only process): tells the parent how startup went.
  void report(char code) {
    if (pipe_[1] < 0) return;
    (void)!write(pipe_[1], &code, 1);
    close(pipe_[1]);
    pipe_[1] = -1;
    if (code == 0) release_stdio();
  }

 private:
  // Running detached: whoever started us may wait for EOF on the stdout
  // and stderr it gave us (a shell's $(...), a test's pipe), so they must
  // not stay open for the daemon's lifetime. From here on --log-file is
  // the log; without it, messages go nowhere, as for any daemon.
  static void release_stdio() {
    std::fflush(nullptr);
    const int devnull = open("/dev/null", O_RDWR);
    if (devnull < 0) return;
    for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) (void)dup2(devnull, fd);
    if (devnull > STDERR_FILENO) close(devnull);
  }


  int pipe_[2] = {-1, -1};  // startup result, child -> parent
};

// Everything that exists once the EAL is up, run until a signal says stop.
int run_switch(const Options& opt, const daemon::ConfigPlan& plan, const daemon::StartupConfig& startup,
               const std::vector<unsigned>& pmd_cpus, const datapath::EalInfo& eal_info, daemon::ConfigStore& store,
               daemon::MgmtServer& mgmt, Detacher& detacher, const std::vector<daemon::GuestPlan>& guest_plans,
               const std::string& hv, const std::optional<cpu_set_t>& guest_cpus) {
  datapath::DatapathOptions dpo;
  dpo.pmd_lcores = eal_info.pmd_lcores;
  dpo.pmd_cpus = pmd_cpus;
  dpo.n_mbufs = opt.n_mbufs;
  dpo.tpids = plan.tpids;
  dpo.megaflow_idle_ms = plan.megaflow_idle_ms;
  dpo.emc_insert_inv_prob = plan.emc_insert_inv_prob;
  dpo.busy_poll = opt.busy_poll;
  auto dp = datapath::Datapath::create(dpo);
  if (!dp) return fail(dp.status().message());
  ofproto::Ofproto ofp(**dp);
  ofp.set_tpids(plan.tpids);
  if (Status st = daemon::apply_plan(ofp, plan); !st) return fail(startup.origin + ": " + st.message());
  // The db records the OpenFlow numbers the ports really got.
  const v1::Config applied = daemon::with_assigned_ofports(startup.config, ofp);
  if (startup.write || !google::protobuf::util::MessageDifferencer::Equals(applied, startup.config)) {
    if (Status st = store.commit(applied); !st) return fail(st.message());
  } else {
    store.adopt(applied);
  }
  if (Status st = (*dp)->start(); !st) return fail(st.message());

  daemon::ControlLoop loop(**dp, ofp);
  // Guests start once their vhost-user sockets are served (the datapath
  // runs); this thread, the control thread to be, forks them.
  daemon::GuestSupervisor guests({hv, opt.guest_dir, {}, std::chrono::milliseconds(2000), guest_cpus});
  for (const auto& g : guest_plans) guests.restore(g);
  daemon::ManagementService management(loop, store, guests);
  daemon::FlowService flows(loop, plan.tpids);
  if (Status st = mgmt.serve({&management, &flows}); !st) {
    guests.release_all();
    (*dp)->stop();
    return fail(st.message());
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGUSR1, on_signal);
  std::signal(SIGHUP, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  spdlog::info("running: {} PMD thread(s), {} bridge(s), {} guest(s) from {}; db {}", pmd_cpus.size(),
               plan.bridges.size(), guest_plans.size(), startup.origin,
               store.persistent() ? "'" + store.path() + "'" : "none (--no-db)");
  detacher.report(0);

  loop.add_periodic(1000, [&](uint64_t) { ofp.run_periodic(); });
  loop.add_periodic(100, [&](uint64_t) { guests.tick(); });  // reap, restart after backoff
  loop.add_poller([&] { return ofp.run(); });  // OpenFlow connections
  loop.add_waiter([&](std::vector<pollfd>* fds) { ofp.wait_fds(fds); });  // ... answered without waiting for the nap
  loop.add_poller([&] {
    size_t work = 0;
    if (g_dump) {
      g_dump = 0;
      dump_stats(**dp);
      ++work;
    }
    if (g_hup) {
      g_hup = 0;
      if (Status st = daemon::reopen_log(); !st) std::fprintf(stderr, "stratad: %s\n", st.message().c_str());
      spdlog::info("SIGHUP: log reopened");
      ++work;
    }
    return work;
  });
  // The control thread (this one) moves a controller's stream of messages
  // into the tables. As SCHED_BATCH its wakeups do not preempt the task
  // that woke it: a controller writing flow_mods on the same CPU keeps
  // running and fills the socket, and the loop reads it in large bites.
  // As SCHED_OTHER every write woke and preempted the writer: ovs-ofctl
  // --bundle of 100k flows was preempted 9,000 times (140 as batch), and
  // took 2.34 s instead of 1.65 s. The price: on a busy CPU the loop waits
  // for the scheduler tick instead of preempting; forwarding is not on
  // this thread, so only upcalls and control messages wait.
  if (opt.control_sched == "batch") {
    const sched_param param{};
    if (sched_setscheduler(0, SCHED_BATCH, &param) != 0) {
      spdlog::warn("control thread: SCHED_BATCH: {}; staying SCHED_OTHER", std::strerror(errno));
    }
  }
  // On a stop signal the API shuts down first, from another thread, while
  // the loop keeps serving the calls still in flight; then the loop ends.
  std::thread stopper;
  loop.run([&] {
    if (g_quit && !stopper.joinable()) {
      spdlog::info("shutting down");
      stopper = std::thread([&] {
        management.stop_watches();  // streams that would otherwise hold shutdown for its grace
        mgmt.shutdown(std::chrono::seconds(2));
        loop.stop();
      });
    }
    return false;
  });
  stopper.join();
  // Guests outlive stratad: their vhost-user sessions reconnect to the
  // next one, which adopts them (guest_supervisor.h).
  guests.release_all();
  dump_stats(**dp);
  (*dp)->stop();
  return 0;
  // Ofproto, then the datapath (ports, PMDs, mbufs) go out of scope here.
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (auto rc = parse_options(argc, argv, &opt)) return *rc;
  if (Status st = daemon::setup_logging(opt.log_level, opt.log_file); !st) return fail(st.message(), 2);

  // Everything is checked before anything starts: --config, the db, the
  // addresses, the locks.
  std::optional<v1::Config> seed;
  if (!opt.config.empty()) {
    auto config = daemon::read_config_file(opt.config);
    if (!config) return fail(config.status().message());
    if (auto p = daemon::plan_config(*config); !p) return fail("config '" + opt.config + "': " + p.status().message());
    if (auto g = daemon::plan_guests(*config); !g) return fail("config '" + opt.config + "': " + g.status().message());
    seed = std::move(*config);
  }
  const unsigned n_cpus = std::max(1u, std::thread::hardware_concurrency());
  auto pmd_cpus = datapath::parse_pmd_cores(opt.pmd_cores, n_cpus);
  if (!pmd_cpus) return fail(pmd_cpus.status().message(), 2);
  auto address = daemon::parse_mgmt_address(opt.mgmt);
  if (!address) return fail(address.status().message(), 2);

  std::unique_ptr<daemon::ConfigStore> store;
  if (opt.no_db) {
    store = daemon::ConfigStore::in_memory();
  } else {
    auto opened = daemon::ConfigStore::open(opt.db);
    if (!opened) return fail(opened.status().message());
    store = std::move(*opened);
  }
  auto startup = daemon::choose_startup_config(*store, seed, opt.config, opt.db_reset);
  if (!startup) return fail(startup.status().message());
  if (!startup->warning.empty()) spdlog::warn("{}", startup->warning);
  auto plan = daemon::plan_config(startup->config);
  if (!plan) return fail(startup->origin + ": " + plan.status().message());
  auto guest_plans = daemon::plan_guests(startup->config);
  if (!guest_plans) return fail(startup->origin + ": " + guest_plans.status().message());
  auto hv = daemon::find_strata_hv(opt.hv);
  if (!hv) return fail(hv.status().message(), 2);
  if (hv->empty()) {
    spdlog::warn("no strata-hv beside stratad nor on PATH: guests cannot start (--hv PATH)");
  } else {
    spdlog::debug("guests run with {}", *hv);
  }

  std::unique_ptr<daemon::Pidfile> pidfile;
  if (!opt.pidfile.empty()) {
    auto locked = daemon::Pidfile::lock(opt.pidfile);
    if (!locked) return fail(locked.status().message());
    pidfile = std::move(*locked);
  }
  auto mgmt = daemon::MgmtServer::claim(*address);
  if (!mgmt) return fail(mgmt.status().message());

  Detacher detacher;
  if (opt.detach) detacher.detach();
  if (pidfile) {
    if (Status st = pidfile->write(getpid()); !st) {
      detacher.report(1);
      return fail(st.message());
    }
  }

  // The CPUs stratad may use, before the EAL pins this thread to the main
  // lcore's one CPU: guests run on these, not on that one.
  std::optional<cpu_set_t> guest_cpus;
  if (cpu_set_t cpus; sched_getaffinity(0, sizeof cpus, &cpus) == 0) guest_cpus = cpus;

  datapath::EalOptions eal;
  eal.file_prefix = opt.file_prefix;
  eal.no_huge = opt.no_huge;
  eal.memory_mb = opt.memory_mb;
  eal.pmd_cpus = *pmd_cpus;
  auto eal_info = datapath::eal_start(eal);
  if (!eal_info) {
    detacher.report(1);
    return fail(eal_info.status().message());
  }
  if (!eal_info->hugepages) {
    spdlog::warn("no free hugepages (or --no-huge): running on 4 KiB pages, expect lower packet rates");
  }
  spdlog::info("EAL: {}", eal_info->args);

  const int rc =
      run_switch(opt, *plan, *startup, *pmd_cpus, *eal_info, *store, **mgmt, detacher, *guest_plans, *hv, guest_cpus);
  detacher.report(1);  // no-op once 0 was reported
  mgmt->reset();
  datapath::eal_stop();
  if (rc == 0) spdlog::info("stopped");
  return rc;
}
