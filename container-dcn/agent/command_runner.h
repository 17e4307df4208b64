// Runs a program (iproute2's `ip`, `modprobe`) with an argument vector (no
// shell: names never need quoting) and captures what it says. The agent
// makes namespaces, veths and VLAN devices with `ip`, the tool every DCN
// image has, and keeps the eBPF part in-process (libbpf).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace strata::dcn_agent {

// The program dies with the agent (PR_SET_PDEATHSIG): an agent killed
// mid-change leaves nothing running that could race the next one.
// Its standard output when it exits 0; otherwise an error quoting the
// command and the first line it printed on standard error
// ("ip link add ...: RTNETLINK answers: File exists").
Result<std::string> run_command(const std::vector<std::string>& argv);

}  // namespace strata::dcn_agent
