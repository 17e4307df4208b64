// Interned action lists: megaflows that do the same thing share one list.
//
// Most megaflows of a bridge differ in what they match, not in what they
// do: every flow from an access port pushes that port's stack and outputs
// to the same trunk. With a list per megaflow, a PMD going through 10k such
// flows reads 10k copies of the same bytes, one cache miss (three for an
// 8-tag push) per frame; shared, the list stays in L1 (bench (b) and (d)).
// The table counts the megaflows that hold each list; the last one to go
// hands it back for an RCU-deferred free, since PMDs may still be reading it.
//
// Control thread only (where megaflows are installed and removed).
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "datapath/actions.h"

namespace strata::datapath {

class ActionTable {
 public:
  ActionTable() = default;
  ActionTable(const ActionTable&) = delete;
  ActionTable& operator=(const ActionTable&) = delete;
  // Lists still held are the megaflows' (freed through them): never here.
  ~ActionTable() = default;

  // The list `actions` builds, shared with every other holder of the same
  // bytes; the caller holds one reference. nullptr when out of memory.
  ActionList* acquire(const ActionBuilder& actions);

  // Drops one reference to a list acquire() returned. True when the caller
  // must now free the list (through RCU if a PMD may have seen it): that was
  // the last reference and the list has left the table, or the list was
  // never interned here and so was the caller's alone.
  bool release(const ActionList* list);

  size_t size() const { return lists_.size(); }  // distinct lists
  uint64_t references() const;                    // held in all (a walk: for checks and stats)

 private:
  struct Entry {
    ActionList* list;
    uint32_t refs;
  };
  // The key views the list's own bytes (header and actions), so it lives
  // exactly as long as the entry.
  static std::string_view bytes_of(const ActionList* list);

  std::unordered_map<std::string_view, Entry> lists_;
};

}  // namespace strata::datapath
