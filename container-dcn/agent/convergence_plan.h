// The pure heart of the agent: given the containers a DCN should have
// (from stratad or the command line) and what the kernel shows, which
// namespaces to remove and which containers to make. No system calls, so
// every case (restart mid-way, changed tag, another DCN's namespace) is a
// unit test.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "container-dcn/agent/container_record.h"
#include "container-dcn/agent/container_spec.h"
#include "container-dcn/agent/mechanism.h"

namespace strata::dcn_agent {

// A namespace with the agent's prefix, as found.
struct FoundContainer {
  std::string netns;                     // its namespace's name
  std::optional<ContainerRecord> record;  // nullopt: no readable record (an interrupted creation)
};

struct ConvergencePlan {
  std::vector<std::string> remove;      // namespaces to take down, before anything is made
  std::vector<ContainerRecord> create;  // containers to make, in the desired order
  std::vector<ContainerRecord> keep;    // containers already right
  bool empty() const { return remove.empty() && create.empty(); }
};

// Checks `desired` (this DCN's, valid specs, names and VIDs unique) and
// plans:
//   - a namespace of this DCN (by record; by name when it has none) that
//     is not desired, is incomplete, or differs from its desired spec or
//     mechanism is removed (and, if desired, made again);
//   - a namespace whose record names another DCN is left alone;
//   - a desired container with no namespace is made.
Result<ConvergencePlan> plan_convergence(const std::string& dcn, const std::vector<ContainerRecord>& desired,
                                         const std::vector<FoundContainer>& found);

// The containers of this DCN that are complete, from what was found (the
// base of a command-line add or del, which changes one of them).
std::vector<ContainerRecord> complete_containers(const std::string& dcn, const std::vector<FoundContainer>& found);

}  // namespace strata::dcn_agent
