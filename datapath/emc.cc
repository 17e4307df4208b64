#include "datapath/emc.h"

#include <algorithm>
#include <bit>
#include <new>

namespace strata::datapath {

void Emc::FreeAligned::operator()(Entry* p) const { ::operator delete[](p, std::align_val_t{64}); }

Emc::Emc(uint32_t entries, uint32_t insert_inv_prob) {
  entries = std::bit_ceil(std::max<uint32_t>(entries, kWays));
  // Allocated once, when the PMD starts: the cache never allocates after.
  entries_.reset(new (std::align_val_t{64}) Entry[entries]);
  mask_ = entries - 1;
  set_mask_ = entries / kWays - 1;
  insert_threshold_ = insert_inv_prob <= 1 ? UINT32_MAX : UINT32_MAX / insert_inv_prob;
}

size_t Emc::sweep_dead() {
  size_t cleared = 0;
  for (uint32_t i = 0; i <= mask_; ++i) {
    Entry& e = entries_[i];
    if (e.flow != nullptr && e.flow->dead.load(std::memory_order_relaxed)) {
      e = Entry{};
      ++cleared;
    }
  }
  return cleared;
}

void Emc::clear() { std::fill(entries_.get(), entries_.get() + mask_ + 1, Entry{}); }

size_t Emc::occupied() const {
  return static_cast<size_t>(
      std::count_if(entries_.get(), entries_.get() + mask_ + 1, [](const Entry& e) { return e.flow != nullptr; }));
}

}  // namespace strata::datapath
