// The flow syntax of `stratactl add-flow / del-flows / dump-flows`, after
// ovs-ofctl's: comma-separated fields, then `actions=` with the rest.
//   table=0,priority=100,in_port=1,tags=88a8:100/8100:*,actions=pop_tag,output:2
// README.md in this folder lists every keyword. Parsing turns text into the
// API's messages and checks only what the text form must (numbers are
// numbers, stacks are stacks); stratad validates everything else and names
// the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "strata/v1/flows.pb.h"

namespace strata::ctl {

// A whole flow, as add-flow takes it. Priority defaults to 32768.
Result<v1::Flow> parse_flow(const std::string& text);

// A selection, as del-flows / dump-flows take it: match fields plus
// table=, priority=, cookie=V[/MASK], out_port=; no actions.
struct FlowSelector {
  v1::FlowMatch match;                // match fields
  std::optional<uint32_t> table;      // table=
  std::optional<uint32_t> priority;   // priority=
  std::optional<uint64_t> cookie;     // cookie=
  uint64_t cookie_mask = 0;           // cookie=V/MASK; all ones when cookie= has no mask
  std::optional<uint32_t> out_port;   // out_port=
};
Result<FlowSelector> parse_selector(const std::string& text);

// Back to the syntax; parse_flow(format_flow(f)) == f.
std::string format_match(const v1::FlowMatch& match);
std::string format_actions(const v1::Flow& flow);
std::string format_flow(const v1::Flow& flow);

inline constexpr uint32_t kDefaultPriority = 32768;

}  // namespace strata::ctl
