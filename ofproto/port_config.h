// A bridge port as ofproto sees it: its OpenFlow number, the datapath port
// behind it and its tag mode (DESIGN.md, "Tags and ports").
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
};

struct BridgePort {
  std::string name;                           // port name
  uint32_t ofport = 0;                        // OpenFlow port number
  uint32_t dp_port = 0;                       // datapath port number
  TagMode mode = TagMode::kTrunk;             // how tags are treated
  l2tags::TagStack access;                    // kAccess: the port's stack
  std::vector<l2tags::StackPattern> allowed;  // kTrunk: outer stacks carried; empty = every stack
};

}  // namespace strata::ofproto
