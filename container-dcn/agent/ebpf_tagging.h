// The eBPF tagging mechanism's kernel side (bpf/container_tag.bpf.c),
// loaded with libbpf from the object built into the agent: TC clsact
// ingress filters on the DCN's NIC (from_nic) and on each container's
// DCN-side veth end (from_container), sharing two maps of tags.
//
// sync_ebpf_tagging() loads a fresh copy of the programs, fills its maps
// from the containers given, and attaches it everywhere, replacing the
// previous filters in place (same handle and priority): the state is
// re-derived from the containers that exist, never pinned, so an agent
// restarted at any point puts back exactly what should be there. The
// filters keep the programs and maps alive after the agent exits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace strata::dcn_agent {

// One container as the programs see it.
struct TaggedVeth {
  std::string veth;  // its DCN-side veth end (naming.h veth_ifname)
  uint16_t tpid;     // its tag
  uint16_t vid;
};

// What the programs counted since they were last loaded.
struct TaggingCounters {
  uint64_t to_container = 0;    // frames popped and delivered to a container
  uint64_t unknown_tag = 0;     // tagged frames on the NIC for no container (left to the kernel)
  uint64_t from_container = 0;  // frames tagged and sent out of the NIC
  uint64_t unknown_port = 0;    // frames on a veth the maps do not know (dropped)
  uint64_t tag_op_failed = 0;   // push/pop refused (dropped)
};

// Attaches the programs to `nic` and every veth in `veths` with maps that
// hold exactly those; with no veths, takes the NIC's filter away.
Status sync_ebpf_tagging(const std::string& nic, const std::vector<TaggedVeth>& veths);

// Whether the NIC's ingress has the agent's filter.
bool ebpf_tagging_attached(const std::string& nic);

// The counters of the programs attached to `nic` (NOT_FOUND if none).
Result<TaggingCounters> ebpf_tagging_counters(const std::string& nic);

}  // namespace strata::dcn_agent
