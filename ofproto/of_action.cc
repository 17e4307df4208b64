#include "ofproto/of_action.h"

namespace strata::ofproto {

bool actions_output_to(const OfActions& actions, uint32_t port) {
  if (port == ofp::kPortAny) return true;
  for (const auto& a : actions) {
    if (a.kind == ActionKind::kOutput && a.port == port) return true;
  }
  return false;
}

bool actions_use_group(const OfActions& actions, uint32_t group) {
  if (group == ofp::kGroupAny) return true;
  for (const auto& a : actions) {
    if (a.kind == ActionKind::kGroup && a.port == group) return true;
  }
  return false;
}

bool instructions_output_to(const Instructions& i, uint32_t port) {
  if (port == ofp::kPortAny) return true;
  return (i.apply && actions_output_to(*i.apply, port)) || (i.write && actions_output_to(*i.write, port));
}

bool instructions_use_group(const Instructions& i, uint32_t group) {
  if (group == ofp::kGroupAny) return true;
  return (i.apply && actions_use_group(*i.apply, group)) || (i.write && actions_use_group(*i.write, group));
}

}  // namespace strata::ofproto
