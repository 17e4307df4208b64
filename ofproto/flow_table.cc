#include "ofproto/flow_table.h"

#include <algorithm>

namespace strata::ofproto {

size_t MatchKeyHash::operator()(const MatchKey& k) const {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < MatchKey::kWords; ++i) {
    h ^= k.words()[i] + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
  }
  return static_cast<size_t>(h ^ (h >> 29));
}

namespace {
MatchKey masked(const MatchKey& k, const MatchMask& m) {
  MatchKey out = k;
  and_into(out, m);
  return out;
}
}  // namespace

FlowTable::Subtable* FlowTable::subtable_for(const MatchMask& mask, bool create) {
  auto it = by_mask_.find(mask);
  if (it != by_mask_.end()) return it->second.get();
  if (!create) return nullptr;
  auto st = std::make_unique<Subtable>();
  st->mask = mask;
  Subtable* raw = st.get();
  by_mask_.emplace(mask, std::move(st));
  ordered_.push_back(raw);
  order_dirty_ = true;
  return raw;
}

void FlowTable::sort_subtables() const {
  if (!order_dirty_) return;
  std::stable_sort(ordered_.begin(), ordered_.end(),
                   [](const Subtable* a, const Subtable* b) { return a->max_priority() > b->max_priority(); });
  order_dirty_ = false;
}

const Rule* FlowTable::lookup(const MatchKey& key, MatchMask* consulted) const {
  sort_subtables();
  ++lookups;
  const Rule* best = nullptr;
  for (const Subtable* st : ordered_) {
    if (best != nullptr && st->max_priority() <= best->priority) break;
    or_into(*consulted, st->mask);
    auto it = st->rules.find(masked(key, st->mask));
    if (it == st->rules.end()) continue;
    const Rule* r = it->second.front();
    if (best == nullptr || r->priority > best->priority) best = r;
  }
  if (best != nullptr) ++matches;
  return best;
}

Rule* FlowTable::find_strict(const Match& match, uint16_t priority) const {
  auto it = by_mask_.find(match.mask);
  if (it == by_mask_.end()) return nullptr;
  auto r = it->second->rules.find(match.value);
  if (r == it->second->rules.end()) return nullptr;
  for (Rule* rule : r->second) {
    if (rule->priority == priority) return rule;
  }
  return nullptr;
}

bool FlowTable::overlaps(const Match& match, uint16_t priority) const {
  for (const Subtable* st : ordered_) {
    if (st->priorities.count(priority) == 0) continue;
    for (const auto& [value, rules] : st->rules) {
      for (const Rule* r : rules) {
        if (r->priority == priority && r->match.overlaps(match)) return true;
      }
    }
  }
  return false;
}

void FlowTable::insert(Rule* rule) {
  Subtable* st = subtable_for(rule->match.mask, true);
  const uint16_t old_max = st->max_priority();
  auto& list = st->rules[rule->match.value];
  auto pos = std::find_if(list.begin(), list.end(), [&](const Rule* r) { return r->priority < rule->priority; });
  list.insert(pos, rule);
  ++st->priorities[rule->priority];
  ++st->n;
  ++n_rules_;
  if (st->max_priority() != old_max || st->n == 1) order_dirty_ = true;
}

void FlowTable::remove(Rule* rule) {
  Subtable* st = subtable_for(rule->match.mask, false);
  if (st == nullptr) return;
  auto it = st->rules.find(rule->match.value);
  if (it == st->rules.end()) return;
  auto& list = it->second;
  auto pos = std::find(list.begin(), list.end(), rule);
  if (pos == list.end()) return;
  list.erase(pos);
  if (list.empty()) st->rules.erase(it);
  const uint16_t old_max = st->max_priority();
  if (--st->priorities[rule->priority] == 0) st->priorities.erase(rule->priority);
  --st->n;
  --n_rules_;
  if (st->n == 0) {
    ordered_.erase(std::find(ordered_.begin(), ordered_.end(), st));
    by_mask_.erase(st->mask);
    return;
  }
  if (st->max_priority() != old_max) order_dirty_ = true;
}

void FlowTable::for_each(const std::function<void(Rule*)>& fn) const {
  for (const Subtable* st : ordered_) {
    for (const auto& [value, rules] : st->rules) {
      for (Rule* r : rules) fn(r);
    }
  }
}

std::vector<Rule*> FlowTable::select_loose(const Match& match) const {
  std::vector<Rule*> out;
  for (const Subtable* st : ordered_) {
    // A subtable whose mask lacks some of the filter's bits holds no rule
    // the filter covers.
    bool possible = true;
    for (int i = 0; i < MatchKey::kWords && possible; ++i) {
      possible = (st->mask.words()[i] & match.mask.words()[i]) == match.mask.words()[i];
    }
    if (!possible) continue;
    for (const auto& [value, rules] : st->rules) {
      for (Rule* r : rules) {
        if (match.covers(r->match)) out.push_back(r);
      }
    }
  }
  return out;
}

}  // namespace strata::ofproto
