// A match on a tag stack, as written in flows and port configuration
// (`88a8:100/8100:*`): per tag an exact TPID, a VID or any VID, a PCP or any
// PCP. DEI is never matched. Built on the control path; the datapath turns it
// into flow-key masks, so matches() here is the reference semantics and the
// tool for tests and the slow path.
#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <optional>

#include "l2tags/tag.h"
#include "l2tags/tag_stack.h"

namespace strata::l2tags {

struct TagPattern {
  uint16_t tpid = 0;            // the tag's TPID must equal this
  std::optional<uint16_t> vid;  // the VID to match; empty: any VID (`*`)
  std::optional<uint8_t> pcp;   // the PCP to match; empty: any PCP (no `:PCP` written)

  constexpr bool matches(const Tag& tag) const {
    return tag.tpid == tpid && (!vid || tag.vid == *vid) && (!pcp || tag.pcp == *pcp);
  }

  friend constexpr bool operator==(const TagPattern&, const TagPattern&) = default;
};

class StackPattern {
 public:
  constexpr int size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }

  constexpr const TagPattern& operator[](int i) const {
    assert(i >= 0 && i < size_);
    return tags_[static_cast<size_t>(i)];
  }
  constexpr const TagPattern* begin() const { return tags_.data(); }
  constexpr const TagPattern* end() const { return tags_.data() + size_; }

  // Appends a pattern for the next inner tag. False when kMaxTags are there.
  constexpr bool push_inner(const TagPattern& p) {
    if (size_ == kMaxTags) return false;
    tags_[static_cast<size_t>(size_++)] = p;
    return true;
  }

  // The stack has exactly this many tags and each matches its pattern: an
  // access port's or a flow's full-stack match. The empty pattern matches
  // untagged frames only.
  constexpr bool matches(const TagStack& stack) const {
    return stack.size() == size_ && matches_outer(stack);
  }

  // The outermost size() tags match, whatever lies inside them: a trunk's
  // allowed outer stack.
  constexpr bool matches_outer(const TagStack& stack) const {
    if (stack.size() < size_) return false;
    for (int i = 0; i < size_; ++i) {
      if (!(*this)[i].matches(stack[i])) return false;
    }
    return true;
  }

  friend constexpr bool operator==(const StackPattern&, const StackPattern&) = default;

 private:
  std::array<TagPattern, kMaxTags> tags_{};  // [0, size_) in use, outermost first; the rest empty
  uint8_t size_ = 0;                         // number of tag patterns, 0..kMaxTags
};

}  // namespace strata::l2tags
