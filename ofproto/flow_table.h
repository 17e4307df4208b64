// One OpenFlow table: rules grouped by mask (tuple space search, as OVS's
// classifier), each group a hash of masked values. A lookup visits groups
// in order of their best priority and stops as soon as no remaining group
// can beat the rule found; the masks of the groups it visited are exactly
// the key bits the decision depended on, which is what translation needs
// for the megaflow mask.
//
// Control thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "ofproto/flow_rule.h"

namespace strata::ofproto {

struct MatchKeyHash {
  size_t operator()(const MatchKey& k) const;
};

class FlowTable {
 public:
  // The highest-priority rule matching `key`, or nullptr (a table miss).
  // ORs into *consulted every mask the decision depended on.
  const Rule* lookup(const MatchKey& key, MatchMask* consulted) const;

  // The rule with exactly this match and priority.
  Rule* find_strict(const Match& match, uint16_t priority) const;
  // Whether a rule of this priority overlaps `match` (CHECK_OVERLAP).
  bool overlaps(const Match& match, uint16_t priority) const;

  void insert(Rule* rule);
  void remove(Rule* rule);
  size_t size() const { return n_rules_; }

  // Every rule, in no particular order. `fn` must not change the table.
  void for_each(const std::function<void(Rule*)>& fn) const;
  // Rules `match` covers (non-strict selection), collected first so the
  // caller may change the table afterwards.
  std::vector<Rule*> select_loose(const Match& match) const;

  mutable uint64_t lookups = 0;  // frames looked up (statistics)
  mutable uint64_t matches = 0;  // of which hit a rule

 private:
  struct Subtable {
    MatchMask mask;                                                  // shared by every rule here
    std::unordered_map<MatchKey, std::vector<Rule*>, MatchKeyHash> rules;  // masked value -> rules, best first
    std::map<uint16_t, uint32_t> priorities;                         // priority -> how many rules have it
    size_t n = 0;                                                    // rules here
    uint16_t max_priority() const { return priorities.empty() ? 0 : priorities.rbegin()->first; }
  };
  Subtable* subtable_for(const MatchMask& mask, bool create);
  void sort_subtables() const;

  std::unordered_map<MatchKey, std::unique_ptr<Subtable>, MatchKeyHash> by_mask_;  // every subtable
  mutable std::vector<Subtable*> ordered_;  // by max_priority descending (lookup order)
  mutable bool order_dirty_ = false;        // ordered_ needs sorting
  size_t n_rules_ = 0;                      // rules in the table
};

}  // namespace strata::ofproto
