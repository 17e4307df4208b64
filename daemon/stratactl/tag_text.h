// The tag-stack notation (`88a8:100/8100:200`, l2tags/notation.h) to and
// from the API's strata.v1.TagStack / StackMatch, for stratactl. Only the
// syntax is checked here; stratad checks TPIDs against its recognised set.
#pragma once

#include <string>

#include "base/status.h"
#include "strata/v1/config.pb.h"
#include "strata/v1/flows.pb.h"

namespace strata::ctl {

// An access stack: exact VIDs.
Result<v1::TagStack> parse_stack_text(const std::string& text);
// A trunk's allowed stack: VIDs may be `*`.
Result<v1::TagStack> parse_allowed_text(const std::string& text);
// A flow's tag match: `88a8:100/8100:*`, `88a8:100/...` (outer tags only),
// `none` (untagged).
Result<v1::StackMatch> parse_stack_match(const std::string& text);

// Back to the notation. A TagStack with any_vid prints `*`; PCP shows when
// not 0. The empty stack is "none".
std::string format_stack(const v1::TagStack& stack);
std::string format_stack_match(const v1::StackMatch& match);
// A port's tag mode: "access 88a8:100/8100:200", "trunk 88a8:100,88a8:101",
// "trunk (every stack)".
std::string port_mode_text(const v1::Port& port);

}  // namespace strata::ctl
