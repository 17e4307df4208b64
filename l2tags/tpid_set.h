// The set of TPIDs that announce a tag. The parser asks contains() once per
// tag plus once more for the inner ethertype of every frame, so membership is
// a single probe of a collision-free (perfect) hash table of 16 slots that,
// with its multiplier, fits in one cache line. The table is rebuilt only when
// the configuration changes, on the control path.
#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "base/status.h"
#include "l2tags/tag.h"

namespace strata::l2tags {

// Most TPIDs a set can hold. Real networks use two to five.
inline constexpr int kMaxTpids = 8;

class alignas(64) TpidSet {
 public:
  // The recognised TPIDs of docs/DESIGN.md: 802.1ad, 802.1Q and the three
  // pre-standard QinQ values still found in older provider gear.
  static constexpr std::array<uint16_t, 5> kDefaultTpids = {0x88a8, 0x8100, 0x9100, 0x9200, 0x9300};

  constexpr TpidSet() {
    [[maybe_unused]] const bool built = build(kDefaultTpids);
    assert(built);
  }

  // A set of the given TPIDs, in that order. Refuses a value below 0x0600 (an
  // 802.3 length, not an EtherType), a duplicate, or more than kMaxTpids.
  // The empty set is allowed: every frame then parses as untagged.
  static Result<TpidSet> make(std::span<const uint16_t> tpids);
  static Result<TpidSet> make(std::initializer_list<uint16_t> tpids) {
    return make(std::span<const uint16_t>(tpids.begin(), tpids.size()));
  }

  // True when `ethertype` announces a tag. One multiply, one load, one compare.
  constexpr bool contains(uint16_t ethertype) const {
    return slots_[slot_of(ethertype, multiplier_)] == ethertype;
  }

  constexpr int size() const { return count_; }
  // The members in the order they were given (for display and config).
  constexpr std::span<const uint16_t> values() const {
    return std::span<const uint16_t>(values_.data(), count_);
  }

  // Same members, in any order: two such sets parse every frame alike.
  friend constexpr bool operator==(const TpidSet& a, const TpidSet& b) {
    if (a.count_ != b.count_) return false;
    for (uint16_t t : a.values()) {
      if (!b.contains(t)) return false;
    }
    return true;
  }

 private:
  static constexpr int kSlotBits = 4;
  static constexpr int kSlots = 1 << kSlotBits;

  // Fibonacci hashing: the top bits of a 32-bit product spread the 16-bit
  // key over the slots; a different odd multiplier gives a fresh spread.
  static constexpr size_t slot_of(uint16_t key, uint32_t multiplier) {
    return (uint32_t{key} * multiplier) >> (32 - kSlotBits);
  }

  // Finds a multiplier that maps every member to its own slot. With at most
  // kMaxTpids keys in 16 slots a random spread succeeds about 1 time in 8, so
  // 4096 tries leave failure a theoretical case, which make() still reports
  // rather than ignores.
  template <typename Range>
  constexpr bool build(const Range& tpids) {
    uint32_t multiplier = 0x9e3779b1u;  // 2^32 / golden ratio, odd
    for (int attempt = 0; attempt < 4096; ++attempt, multiplier += 0x6a09e668u) {
      std::array<bool, kSlots> used{};
      bool collision = false;
      for (uint16_t tpid : tpids) {
        const size_t s = slot_of(tpid, multiplier);
        if (used[s]) {
          collision = true;
          break;
        }
        used[s] = true;
      }
      if (collision) continue;

      multiplier_ = multiplier;
      slots_ = {};
      count_ = 0;
      for (uint16_t tpid : tpids) {
        slots_[slot_of(tpid, multiplier)] = tpid;
        values_[static_cast<size_t>(count_++)] = tpid;
      }
      // An empty slot must not claim any key that hashes to it: fill it with
      // a value that hashes elsewhere, so contains() needs no "empty" check.
      for (size_t s = 0; s < kSlots; ++s) {
        if (used[s]) continue;
        uint16_t filler = 0;
        while (slot_of(filler, multiplier) == s && filler < 0xffff) ++filler;
        slots_[s] = filler;
      }
      return true;
    }
    return false;
  }

  // contains() reads only the first two members: 36 bytes, one cache line.
  uint32_t multiplier_ = 0;                   // hash multiplier chosen by build()
  std::array<uint16_t, kSlots> slots_{};      // members at their slot; fillers that hash elsewhere
  std::array<uint16_t, kMaxTpids> values_{};  // members in configuration order, [0, count_)
  uint8_t count_ = 0;                         // number of members
};

}  // namespace strata::l2tags
