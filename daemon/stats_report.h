// Human-readable reports of the datapath's counters: ports, device xstats, PMD stages
// (cycles per packet by stage, like OVS's pmd-perf-show) and megaflows.
#pragma once

#include <string>

#include "datapath/dpif.h"

namespace strata::daemon {

std::string port_stats_table(const datapath::Dpif& dpif);
// One line per port: its device's non-zero extended statistics (DPDK
// xstats: per-queue vhost/virtio counters and the like) as name=value.
std::string port_xstats_report(const datapath::Dpif& dpif);
std::string pmd_stats_table(const datapath::Dpif& dpif);
std::string megaflow_table(const datapath::Dpif& dpif);

}  // namespace strata::daemon
