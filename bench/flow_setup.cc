// strata_flow_setup: scenario (e), the new-flow setup rate.
//
// The same pieces stratad runs (EAL, Datapath with one busy-polling PMD,
// Ofproto's NORMAL bridge, the control thread's run_once loop), in one
// process so that the moment the last megaflow is installed can be timed
// exactly: a pcap port replays --flows distinct flows forever into the
// bridge, a null port sinks them; every first frame of a flow misses, goes
// up the upcall ring, is translated and installs a megaflow. The clock
// starts when the source port is added (its PMD starts polling) and stops
// when the classifier holds all the megaflows.
//
//   strata_flow_setup --pcap FILE --flows N [--timeout S] [--file-prefix P]
//                     [--memory MB] [--mbufs N] [--pmd-cpu C]
//
// Prints `key value` lines: flows, complete, seconds, flows_per_second,
// cpu_seconds, upcalls, upcall_dropped, misses.
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "datapath/datapath.h"
#include "datapath/eal.h"
#include "ofproto/ofproto.h"

using namespace strata;

namespace {

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Args {
  std::string pcap;
  size_t flows = 0;
  double timeout_s = 60;
  std::string file_prefix = "bsetup" + std::to_string(getpid());
  unsigned memory_mb = 512;
  unsigned mbufs = 131071;
  unsigned pmd_cpu = std::thread::hardware_concurrency() > 1 ? 1 : 0;
};

bool parse(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string opt = argv[i];
    if (i + 1 >= argc) return false;
    const char* v = argv[++i];
    if (opt == "--pcap") a->pcap = v;
    else if (opt == "--flows") a->flows = std::strtoull(v, nullptr, 10);
    else if (opt == "--timeout") a->timeout_s = std::strtod(v, nullptr);
    else if (opt == "--file-prefix") a->file_prefix = v;
    else if (opt == "--memory") a->memory_mb = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else if (opt == "--mbufs") a->mbufs = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else if (opt == "--pmd-cpu") a->pmd_cpu = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else return false;
  }
  return !a->pcap.empty() && a->flows > 0;
}

int run(const Args& args, const datapath::EalInfo& eal) {
  datapath::DatapathOptions o;
  o.pmd_lcores = eal.pmd_lcores;
  o.pmd_cpus = {args.pmd_cpu};
  o.n_mbufs = args.mbufs;
  o.busy_poll = true;
  auto dp = datapath::Datapath::create(o);
  if (!dp) {
    std::fprintf(stderr, "strata_flow_setup: %s\n", dp.status().to_string().c_str());
    return 1;
  }
  ofproto::Ofproto ofp(**dp);
  if (Status st = ofp.add_bridge("br0"); !st) return 1;
  auto sink = ofp.add_port("br0", vnic::PortSpec{"sink", "null", {{"no-rx", "1"}}}, {});
  if (!sink) {
    std::fprintf(stderr, "strata_flow_setup: %s\n", sink.status().to_string().c_str());
    return 1;
  }
  if (Status st = (*dp)->start(); !st) {
    std::fprintf(stderr, "strata_flow_setup: %s\n", st.to_string().c_str());
    return 1;
  }
  auto src = ofp.add_port("br0", vnic::PortSpec{"src", "pcap", {{"rx", args.pcap}, {"infinite_rx", "1"}}}, {});
  if (!src) {
    std::fprintf(stderr, "strata_flow_setup: %s\n", src.status().to_string().c_str());
    (*dp)->stop();
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = process_cpu_seconds();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  // The control thread's loop, as stratad's ControlLoop runs it while busy.
  uint64_t last_periodic_ms = 0;
  double done_at = -1;
  while (elapsed() < args.timeout_s) {
    (*dp)->run_once();
    if ((*dp)->megaflow_count() >= args.flows) {
      done_at = elapsed();
      break;
    }
    const auto now_ms = static_cast<uint64_t>(elapsed() * 1000);
    if (now_ms - last_periodic_ms >= 1000) {
      last_periodic_ms = now_ms;
      ofp.run_periodic();
    }
  }
  const double cpu_secs = process_cpu_seconds() - cpu0;
  const size_t installed = (*dp)->megaflow_count();
  const double secs = done_at >= 0 ? done_at : elapsed();
  auto st = (*dp)->port_stats(src->dp_port);
  uint64_t misses = 0;
  for (const auto& p : (*dp)->pmd_stats()) misses += p.misses;
  (*dp)->stop();
  std::printf("flows %zu\n", installed);
  std::printf("complete %d\n", done_at >= 0 ? 1 : 0);
  std::printf("seconds %.6f\n", secs);
  std::printf("flows_per_second %.0f\n", static_cast<double>(installed) / secs);
  // CPU time of every thread (PMD and control): on a shared machine the
  // wall clock also counts the time other processes had the CPUs.
  std::printf("cpu_seconds %.6f\n", cpu_secs);
  std::printf("upcalls %llu\n", static_cast<unsigned long long>(st ? st->upcalls : 0));
  std::printf("upcall_dropped %llu\n", static_cast<unsigned long long>(st ? st->upcall_dropped : 0));
  std::printf("misses %llu\n", static_cast<unsigned long long>(misses));
  return done_at >= 0 ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: strata_flow_setup --pcap FILE --flows N [--timeout S] [--file-prefix P] "
                 "[--memory MB] [--mbufs N] [--pmd-cpu C]\n");
    return 2;
  }
  datapath::EalOptions eal;
  eal.program = "strata_flow_setup";
  eal.file_prefix = args.file_prefix;
  eal.memory_mb = args.memory_mb;
  eal.pmd_cpus = {args.pmd_cpu};
  eal.log_level = "error";
  auto info = datapath::eal_start(eal);
  if (!info) {
    std::fprintf(stderr, "strata_flow_setup: %s\n", info.status().to_string().c_str());
    return 1;
  }
  const int rc = run(args, *info);
  datapath::eal_stop();
  return rc;
}
