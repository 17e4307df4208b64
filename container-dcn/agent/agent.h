// One DCN's containers on the DCN side: converge() makes the kernel's
// state (namespaces, interfaces, eBPF maps and filters) exactly the
// desired containers, whether they come from stratad (watch, sync) or the
// command line (add-container, del-container). Everything it needs to know
// about what exists it reads back from the kernel (kernel_containers.h),
// so a second agent, or one restarted half-way through, converges to the
// same result without duplicates or leaks.
//
// Operations on one DCN are serialised by a lock file
// (/run/lock/strata-dcn-agent.<dcn>.lock, removed when the DCN has no
// container left): a command-line change and a
// watching agent never interleave.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "container-dcn/agent/container_record.h"
#include "container-dcn/agent/container_spec.h"
#include "container-dcn/agent/mechanism.h"

namespace strata::dcn_agent {

struct AgentSettings {
  std::string dcn;  // the DCN's name (namespace prefix sdcn-<dcn>-)
  std::string nic;  // the DCN's NIC, its link to Strata's VNIC
  Mechanism mechanism = Mechanism::kEbpf;  // how new containers are tagged
};

// What one convergence did, for the log.
struct ConvergenceReport {
  std::vector<std::string> removed;  // namespaces taken down
  std::vector<std::string> created;  // "web 8100:100 ebpf"
  std::vector<std::string> skipped;  // desired containers the agent cannot make, with why
  bool tagging_synced = false;       // the eBPF maps and filters were reloaded
};

class Agent {
 public:
  explicit Agent(AgentSettings settings) : settings_(std::move(settings)) {}

  // Makes the DCN's containers exactly `desired`, each tagged with the
  // agent's mechanism. A desired container the agent cannot make (a TPID
  // the kernel cannot push, a name that is no file name) is skipped and
  // reported, the others converge; one that fails in the kernel is
  // reported after the others are done.
  Result<ConvergenceReport> converge(const std::vector<ContainerSpec>& desired);

  // Adds or changes one container (with the agent's mechanism), keeping the
  // others as they are, whatever their mechanism.
  Result<ConvergenceReport> add(const ContainerSpec& spec);
  // Removes one container (NOT_FOUND if the DCN has none by that name).
  Result<ConvergenceReport> remove(const std::string& name);
  // Keeps every complete container, removes interrupted ones, and reloads
  // the eBPF tagging from what exists.
  Result<ConvergenceReport> repair();

  // The DCN's complete containers, by name.
  Result<std::vector<ContainerRecord>> list() const;

  const AgentSettings& settings() const { return settings_; }

 private:
  // converge() once the lock is held.
  Result<ConvergenceReport> converge_locked(const std::vector<ContainerRecord>& desired);
  ContainerRecord record_of(const ContainerSpec& spec) const { return {settings_.dcn, spec, settings_.mechanism}; }
  Status sync_tagging();

  AgentSettings settings_;   // fixed for the agent's life
  bool tagging_synced_ = false;  // this process has loaded the eBPF state once
};

}  // namespace strata::dcn_agent
