// The record the agent leaves on a container's eth0 (its interface alias,
// IFLA_IFALIAS): which DCN and container it belongs to, its tag, address,
// MAC and the tagging mechanism. The kernel keeps it for as long as the
// interface lives, so the agent needs no state file: what it reads back is
// exactly what exists.
//
// It is written last, once the container's network is complete; a
// namespace without it is an interrupted creation, which the agent removes
// and makes again.
//
//   strata-dcn/1 dcn=dcn1 name=web tag=8100:100 mech=ebpf addr=10.1.0.2/24 mac=02:00:00:00:01:02
#pragma once

#include <optional>
#include <string>

#include "container-dcn/agent/container_spec.h"
#include "container-dcn/agent/mechanism.h"

namespace strata::dcn_agent {

struct ContainerRecord {
  std::string dcn;      // the DCN the container belongs to
  ContainerSpec spec;   // what was made
  Mechanism mechanism = Mechanism::kEbpf;  // how its frames are tagged

  bool operator==(const ContainerRecord&) const = default;
};

// The alias text (at most 255 bytes: names are at most 64).
std::string encode_record(const ContainerRecord& record);

// nullopt unless `alias` is a complete, valid record of this format.
std::optional<ContainerRecord> decode_record(const std::string& alias);

}  // namespace strata::dcn_agent
