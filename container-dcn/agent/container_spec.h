// What the agent makes for one container: its name, its container tag and
// the optional address and MAC of its interface. The same fields stratad's
// `strata.v1.Container` carries for the agent; the switch-side ones
// (ofport, access stack) are not the agent's business.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace strata::dcn_agent {

inline constexpr uint16_t kTpid8021q = 0x8100;
inline constexpr uint16_t kTpid8021ad = 0x88a8;

struct ContainerSpec {
  std::string name;        // the container's name (its switch port's name too)
  uint16_t tpid = kTpid8021q;  // container tag TPID: 0x8100 or 0x88a8
  uint16_t vid = 0;        // container tag VID: 1..4094, unique within the DCN
  std::string address;     // "10.1.0.2/24" or "fd00::2/64" on its eth0; empty: none
  std::string mac;         // "02:00:00:00:01:02" for its eth0; empty: the kernel's choice

  bool operator==(const ContainerSpec&) const = default;
};

// A DCN or container name: 1..64 of [A-Za-z0-9_.-], not starting with '-'
// or '.'; it becomes part of a namespace name and of a file name.
Status validate_name(const std::string& name, const std::string& field);

// Every field of `spec`, errors naming the field as the agent's options do
// (--tag, --tpid, --addr, --mac) and the container.
Status validate_spec(const ContainerSpec& spec);

// "0x8100", "8100", "0x88a8", "88a8" (hex, as in the tag notation).
Result<uint16_t> parse_tpid(const std::string& text);

// "8100:100": the tag notation of docs/DESIGN.md.
std::string tag_text(uint16_t tpid, uint16_t vid);

}  // namespace strata::dcn_agent
