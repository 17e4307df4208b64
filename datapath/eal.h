// Bringing up and tearing down the DPDK Environment Abstraction Layer for
// stratad: hugepages when reserved (else --no-huge, said in the log), a
// private --file-prefix, no hugepage files left behind, one lcore per PMD.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace strata::datapath {

struct EalOptions {
  std::string program = "stratad";  // argv[0] for the EAL
  std::string file_prefix;          // unique per process; empty = "strata<pid>"
  bool no_huge = false;             // force 4 KiB pages even when hugepages exist
  unsigned memory_mb = 1024;        // memory to ask for (both modes)
  std::vector<unsigned> pmd_cpus;   // CPU of each PMD thread, in order
  unsigned control_cpu = 0;         // CPU of the main (control) lcore
  std::string log_level = "notice"; // DPDK's own log level
  std::vector<std::string> extra;   // more EAL arguments, appended as given
};

// What the EAL came up with.
struct EalInfo {
  bool hugepages = false;              // running on hugepages
  std::vector<unsigned> pmd_lcores;    // lcore id of each PMD, in PMD order
  std::string args;                    // the EAL argument line, for the log
};

// Starts the EAL. Call once per process.
Result<EalInfo> eal_start(const EalOptions& options);
// Releases everything the EAL holds (rte_eal_cleanup) and removes its
// emptied runtime directory (/var/run/dpdk/<file-prefix>).
void eal_stop();

// Free 2 MiB hugepages usable by a new process (from /proc/meminfo).
unsigned free_hugepages_mb();

// "2" -> {N CPUs chosen for 2 PMDs}; "1,3" or "1-3" -> those CPUs.
Result<std::vector<unsigned>> parse_pmd_cores(const std::string& spec, unsigned n_cpus);

}  // namespace strata::datapath
