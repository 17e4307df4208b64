// The tag-stack notation used everywhere a person reads or writes a stack
// (CLI, logs, docs, configuration): outermost first, `TPID:VID[:PCP]` joined
// by `/`, TPID in hex, VID and PCP in decimal, e.g. `88a8:100/8100:200:5`.
// In a match pattern the VID may be `*` (any VID), and an omitted PCP means
// any PCP; in a stack an omitted PCP is 0. The empty string is the empty
// stack (an untagged frame). DEI has no notation: parsed stacks have DEI 0
// and format() does not show it.
//
// Control path only: these allocate and return Status errors that name the
// offending tag (numbered from 1, outermost first), e.g.
//   tag stack "88a8:100/8100:5000": tag 2 "8100:5000": VID 5000 is out of range 0-4095
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "l2tags/stack_pattern.h"
#include "l2tags/tag.h"
#include "l2tags/tag_stack.h"
#include "l2tags/tpid_set.h"

namespace strata::l2tags {

// Parses a stack; TPIDs are checked only to be EtherTypes (>= 0x0600).
Result<TagStack> parse_stack(std::string_view text);
// Same, and every TPID must also be in `tpids`: what a port's configuration
// uses, so that a stack the parser would not recognise is refused up front.
Result<TagStack> parse_stack(std::string_view text, const TpidSet& tpids);

Result<StackPattern> parse_pattern(std::string_view text);
Result<StackPattern> parse_pattern(std::string_view text, const TpidSet& tpids);

// Canonical text: 4 lowercase hex digits of TPID, PCP only when not 0 for a
// tag (always when given for a pattern). parse(format(x)) == x for every
// stack with DEI 0 and every pattern.
std::string format(const Tag& tag);
std::string format(const TagStack& stack);
std::string format(const TagPattern& pattern);
std::string format(const StackPattern& pattern);

}  // namespace strata::l2tags
