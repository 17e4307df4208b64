#include "datapath/eal.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace strata::datapath {

unsigned free_hugepages_mb() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  unsigned long value = 0, free_pages = 0, page_kb = 2048;
  while (in >> key >> value) {
    if (key == "HugePages_Free:") free_pages = value;
    if (key == "Hugepagesize:") page_kb = value;
    in.ignore(64, '\n');
  }
  if (access("/dev/hugepages", W_OK) != 0) return 0;
  return static_cast<unsigned>(free_pages * page_kb / 1024);
}

Result<std::vector<unsigned>> parse_pmd_cores(const std::string& spec, unsigned n_cpus) {
  std::vector<unsigned> cpus;
  const bool is_count = spec.find_first_of(",-") == std::string::npos;
  if (is_count) {
    char* end = nullptr;
    long n = std::strtol(spec.c_str(), &end, 10);
    if (spec.empty() || *end != '\0' || n < 1 || n > 64) {
      return invalid_argument("--pmd-cores: expected a count 1..64 or a CPU list like 1,3 or 1-3, got '" +
                              spec + "'");
    }
    // PMDs take the highest CPUs first so that CPU 0 stays with the control
    // thread and the rest of the system; more PMDs than CPUs wrap around.
    for (long i = 0; i < n; ++i) {
      cpus.push_back(n_cpus > 1 ? static_cast<unsigned>((n_cpus - 1 - (i % (n_cpus - 1))))
                                : 0u);
    }
    return cpus;
  }
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    unsigned lo = 0, hi = 0;
    char dash = 0;
    std::stringstream is(item);
    if (!(is >> lo)) return invalid_argument("--pmd-cores: bad CPU list '" + spec + "'");
    hi = lo;
    if (is >> dash) {
      if (dash != '-' || !(is >> hi) || hi < lo) return invalid_argument("--pmd-cores: bad range '" + item + "'");
    }
    for (unsigned c = lo; c <= hi; ++c) {
      if (c >= n_cpus) {
        return invalid_argument("--pmd-cores: CPU " + std::to_string(c) + " does not exist (this machine has " +
                                std::to_string(n_cpus) + ")");
      }
      cpus.push_back(c);
    }
  }
  if (cpus.empty()) return invalid_argument("--pmd-cores: empty CPU list");
  return cpus;
}

Result<EalInfo> eal_start(const EalOptions& options) {
  EalInfo info;
  const std::string prefix =
      options.file_prefix.empty() ? "strata" + std::to_string(getpid()) : options.file_prefix;
  info.hugepages = !options.no_huge && free_hugepages_mb() >= options.memory_mb;

  std::vector<std::string> args = {options.program, "--file-prefix=" + prefix, "--no-pci",
                                   "--log-level=" + options.log_level, "--no-telemetry"};
  if (info.hugepages) {
    // --in-memory: no runtime files and no hugepage files that outlive us;
    // --single-file-segments keeps memory in few fds (vhost-user shares them).
    args.push_back("--in-memory");
    args.push_back("--single-file-segments");
    args.push_back("--socket-mem=" + std::to_string(options.memory_mb));
  } else {
    // --no-shconf: with 4 KiB pages DPDK would otherwise write its shared
    // config and fbarray files into the runtime directory and keep them
    // after rte_eal_cleanup() (--in-memory cannot go with --no-huge).
    args.push_back("--no-huge");
    args.push_back("--no-shconf");
    args.push_back("-m");
    args.push_back(std::to_string(options.memory_mb));
  }
  // lcore 0 = control thread; lcores 1..N = PMDs, each on its CPU. --lcores
  // allows more lcores than CPUs (two PMDs may share a CPU on a small box).
  std::ostringstream lcores;
  lcores << "--lcores=0@" << options.control_cpu;
  for (size_t i = 0; i < options.pmd_cpus.size(); ++i) {
    lcores << ',' << (i + 1) << '@' << options.pmd_cpus[i];
    info.pmd_lcores.push_back(static_cast<unsigned>(i + 1));
  }
  args.push_back(lcores.str());
  args.push_back("--main-lcore=0");
  for (const auto& e : options.extra) args.push_back(e);

  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
    if (!info.args.empty()) info.args += ' ';
    info.args += a;
  }
  argv.push_back(nullptr);
  if (rte_eal_init(static_cast<int>(args.size()), argv.data()) < 0) {
    return unavailable("DPDK EAL initialisation failed: " + std::string(rte_strerror(rte_errno)) +
                       " (arguments: " + info.args + ")");
  }
  return info;
}

void eal_stop() {
  // rte_eal_cleanup() removes the files of the runtime directory
  // (/var/run/dpdk/<file-prefix>) but not the directory itself; without
  // this every run would leave one behind. rmdir only removes it empty.
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  rte_eal_cleanup();
  if (!runtime_dir.empty()) rmdir(runtime_dir.c_str());
}

}  // namespace strata::datapath
