// A frame's tag stack, outermost first, in a fixed array: it lives in flow
// keys and parse results on the fast path, so it never touches the heap and
// copies with a plain memcpy.
#pragma once

#include <array>
#include <cassert>
#include <cstdint>

#include "l2tags/tag.h"

namespace strata::l2tags {

class TagStack {
 public:
  constexpr TagStack() = default;

  constexpr int size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr bool full() const { return size_ == kMaxTags; }

  // Index 0 is the outermost tag (the one right after the MACs).
  constexpr const Tag& operator[](int i) const {
    assert(i >= 0 && i < size_);
    return tags_[static_cast<size_t>(i)];
  }
  constexpr Tag& operator[](int i) {
    assert(i >= 0 && i < size_);
    return tags_[static_cast<size_t>(i)];
  }
  constexpr const Tag& outer() const { return (*this)[0]; }
  constexpr const Tag& inner() const { return (*this)[size_ - 1]; }

  constexpr const Tag* begin() const { return tags_.data(); }
  constexpr const Tag* end() const { return tags_.data() + size_; }

  // Adds a new outermost tag, as a push_vlan action does. False when full.
  constexpr bool push_outer(const Tag& tag) {
    if (full()) return false;
    for (int i = size_; i > 0; --i) tags_[static_cast<size_t>(i)] = tags_[static_cast<size_t>(i - 1)];
    tags_[0] = tag;
    ++size_;
    return true;
  }

  // Removes the outermost tag. False when empty.
  constexpr bool pop_outer() {
    if (empty()) return false;
    for (int i = 1; i < size_; ++i) tags_[static_cast<size_t>(i - 1)] = tags_[static_cast<size_t>(i)];
    tags_[static_cast<size_t>(--size_)] = Tag{};
    return true;
  }

  // Appends below the current innermost tag: how a parser, reading the frame
  // front to back, builds the stack. False when full.
  constexpr bool push_inner(const Tag& tag) {
    if (full()) return false;
    tags_[static_cast<size_t>(size_++)] = tag;
    return true;
  }

  constexpr void clear() { *this = TagStack{}; }

  // Unused slots are always zero (pop_outer and clear reset them), so the
  // whole array compares: two equal stacks are also equal as flow-key bytes.
  friend constexpr bool operator==(const TagStack&, const TagStack&) = default;

 private:
  std::array<Tag, kMaxTags> tags_{};  // [0, size_) in use, outermost first; the rest zero
  uint8_t size_ = 0;                  // number of tags, 0..kMaxTags
};

}  // namespace strata::l2tags
