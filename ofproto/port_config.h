// A bridge port as ofproto sees it: its OpenFlow number, the datapath port
// behind it and its tag mode (docs/DESIGN.md, "Tags and ports").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "l2tags/stack_pattern.h"
#include "l2tags/tag_stack.h"

namespace strata::ofproto {

enum class TagMode {
  kTrunk,   // frames keep their tags; `allowed` lists the outer stacks carried (empty: all)
  kAccess,  // `access` is pushed on ingress and popped on egress (generalised dot1q-tunnel)
  kDcnVnic, // a container DCN's VNIC: its frames belong to its containers' ports (each a logical
            // datapath port carried over it); NORMAL neither admits from nor floods to it
};

struct BridgePort {
  std::string name;                           // port name
  uint32_t ofport = 0;                        // OpenFlow port number
  uint32_t dp_port = 0;                       // datapath port number
  TagMode mode = TagMode::kTrunk;             // how tags are treated
  l2tags::TagStack access;                    // kAccess: the port's stack
  std::vector<l2tags::StackPattern> allowed;  // kTrunk: outer stacks carried; empty = every stack
  uint32_t of_config = 0;                     // OpenFlow OFPPC_* bits (PORT_MOD), control thread
  uint64_t added_ms = 0;                      // when it joined the bridge (port stats duration)
  std::string vnic;                           // a container's port: the VNIC it is carried over ("" otherwise)
};

}  // namespace strata::ofproto
