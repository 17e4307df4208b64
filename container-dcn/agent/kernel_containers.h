// The containers' network as the kernel holds it, read and changed with
// iproute2: one network namespace per container (sdcn-<dcn>-<container>,
// naming.h) whose eth0 carries the container's record (container_record.h).
//
// The agent runs in the DCN's network namespace (a VM's only one, or a
// host namespace standing in for a VM); the NIC and the DCN-side veth ends
// are there, each container's eth0 in its own namespace.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "container-dcn/agent/container_spec.h"
#include "container-dcn/agent/convergence_plan.h"
#include "container-dcn/agent/mechanism.h"

namespace strata::dcn_agent {

// Where `ip netns` keeps its namespaces.
inline constexpr char kNetnsDir[] = "/run/netns";

// Every namespace that may be this DCN's (its name starts with
// sdcn-<dcn>-), with the record on its eth0.
Result<std::vector<FoundContainer>> find_containers(const std::string& dcn);

// Makes one container's network: its namespace, its eth0 (a veth whose
// other end stays in the DCN, or a VLAN subinterface of `nic`), MAC,
// address, links up, and last the record. On failure, what was made is
// taken down again.
Status create_container(const std::string& dcn, const ContainerSpec& spec, Mechanism mechanism,
                        const std::string& nic);

// Takes one container's network down: its eth0 (and so the veth's DCN
// end), any half-made interface of an interrupted creation, the namespace.
// `container` names the interfaces to look for (from the record, or the
// namespace's name).
Status remove_container(const std::string& dcn, const std::string& container, const std::string& netns);

// The NIC, up and promiscuous (containers' MACs are not its own), with
// its VLAN insert offloads off (nic_offloads.h).
Status prepare_nic(const std::string& nic);

// Refuses to run where namespaces the agent makes would not outlive it:
// a private mount namespace in which /run/netns does not propagate back
// (what `ip netns exec` gives); names what to do instead.
Status check_netns_dir_is_shared();

}  // namespace strata::dcn_agent
