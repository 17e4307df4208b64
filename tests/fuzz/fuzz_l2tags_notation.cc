// Fuzzes the notation parsers on arbitrary text: they must never crash, and
// whatever they accept must be in range and survive format -> parse intact.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "l2tags/notation.h"

namespace {

using namespace strata::l2tags;

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const TpidSet defaults;

  auto stack = parse_stack(text);
  if (stack.is_ok()) {
    check(stack->size() <= kMaxTags);
    for (const Tag& t : *stack) check(t.valid() && is_valid_tpid(t.tpid) && !t.dei);
    const std::string canonical = format(*stack);
    auto again = parse_stack(canonical);
    check(again.is_ok() && *again == *stack && format(*again) == canonical);
  } else {
    check(!stack.status().message().empty());
  }

  // With a TPID set: accepted only if accepted without one, and only with
  // recognised TPIDs.
  auto checked = parse_stack(text, defaults);
  if (checked.is_ok()) {
    check(stack.is_ok() && *checked == *stack);
    for (const Tag& t : *checked) check(defaults.contains(t.tpid));
  }

  // Every stack is also a pattern, one that matches exactly that stack.
  auto pattern = parse_pattern(text);
  if (stack.is_ok()) check(pattern.is_ok() && pattern->matches(*stack));
  if (pattern.is_ok()) {
    check(pattern->size() <= kMaxTags);
    const std::string canonical = format(*pattern);
    auto again = parse_pattern(canonical);
    check(again.is_ok() && *again == *pattern && format(*again) == canonical);
  } else {
    check(!pattern.status().message().empty());
  }
  return 0;
}
