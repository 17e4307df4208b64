#include "datapath/action_table.h"

namespace strata::datapath {

std::string_view ActionTable::bytes_of(const ActionList* list) {
  // Actions are value-initialised by the builder (no stray padding bytes),
  // so equal lists are equal byte for byte.
  return std::string_view(reinterpret_cast<const char*>(list), sizeof(ActionList) + list->n * sizeof(Action));
}

ActionList* ActionTable::acquire(const ActionBuilder& actions) {
  // Built first: what is compared is the compiled list (build() decides
  // which output consumes the frame), not the builder's input.
  ActionList* built = actions.build();
  if (built == nullptr) return nullptr;
  auto [it, inserted] = lists_.try_emplace(bytes_of(built), Entry{built, 0});
  if (!inserted) ActionList::destroy(built);
  ++it->second.refs;
  return it->second.list;
}

bool ActionTable::release(const ActionList* list) {
  auto it = lists_.find(bytes_of(list));
  if (it == lists_.end() || it->second.list != list) return true;  // never interned: its holder's alone
  if (--it->second.refs > 0) return false;
  lists_.erase(it);
  return true;
}

uint64_t ActionTable::references() const {
  uint64_t held = 0;
  for (const auto& [bytes, entry] : lists_) held += entry.refs;
  return held;
}

}  // namespace strata::datapath
