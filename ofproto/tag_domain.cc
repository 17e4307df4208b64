#include "ofproto/tag_domain.h"

namespace strata::ofproto {

l2tags::TagStack stack_from_key(const datapath::FlowKey& key) {
  l2tags::TagStack s;
  for (int i = 0; i < key.tag_depth; ++i) s.push_inner(l2tags::Tag::from_tci(key.tags[i].tpid, key.tags[i].tci));
  return s;
}

namespace {
bool starts_with(const l2tags::TagStack& s, const l2tags::TagStack& prefix) {
  if (s.size() < prefix.size()) return false;
  for (int i = 0; i < prefix.size(); ++i) {
    if (s[i].tpid != prefix[i].tpid || s[i].vid != prefix[i].vid) return false;
  }
  return true;
}

bool trunk_accepts(const BridgePort& port, const l2tags::TagStack& service) {
  if (port.allowed.empty()) return true;
  for (const auto& p : port.allowed) {
    if (p.matches_outer(service)) return true;
  }
  return false;
}
}  // namespace

std::optional<l2tags::TagStack> ingress_service_stack(const BridgePort& port, const l2tags::TagStack& frame) {
  // A VNIC's frames enter from its containers' ports; one that reached the
  // pipeline from the VNIC itself (a packet-out) is in no domain.
  if (port.mode == TagMode::kDcnVnic) return std::nullopt;
  if (port.mode == TagMode::kAccess) {
    if (port.access.size() + frame.size() > l2tags::kMaxTags) return std::nullopt;
    l2tags::TagStack s = port.access;
    for (const auto& t : frame) s.push_inner(t);
    return s;
  }
  if (!trunk_accepts(port, frame)) return std::nullopt;
  return frame;
}

bool egress_allowed(const BridgePort& port, const l2tags::TagStack& service) {
  // Untagged for the DCN's containers: only a container's own port sends
  // there (with its tag); an explicit OpenFlow output still may.
  if (port.mode == TagMode::kDcnVnic) return false;
  if (port.mode == TagMode::kAccess) return starts_with(service, port.access);
  return trunk_accepts(port, service);
}

bool consults_pcp(const BridgePort& port) {
  for (const auto& p : port.allowed) {
    for (const auto& t : p) {
      if (t.pcp) return true;
    }
  }
  return false;
}

}  // namespace strata::ofproto
