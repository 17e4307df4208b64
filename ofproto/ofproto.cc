#include "ofproto/ofproto.h"

namespace strata::ofproto {

Ofproto::~Ofproto() { dpif_.set_upcall_handler(nullptr); }

Status Ofproto::add_bridge(const std::string& name) {
  if (name.empty()) return invalid_argument("a bridge needs a name");
  if (bridges_.count(name) != 0) return already_exists("bridge '" + name + "' already exists");
  bridges_[name] = std::make_unique<Bridge>(name, dpif_);
  return Status::ok();
}

Status Ofproto::del_bridge(const std::string& name) {
  auto it = bridges_.find(name);
  if (it == bridges_.end()) return not_found("no bridge '" + name + "'");
  std::vector<std::string> names;
  for (const auto& [no, p] : it->second->ports()) names.push_back(p.name);
  for (const auto& n : names) STRATA_RETURN_IF_ERROR(del_port(name, n));
  bridges_.erase(it);
  return Status::ok();
}

Bridge* Ofproto::find_bridge(const std::string& name) {
  auto it = bridges_.find(name);
  return it == bridges_.end() ? nullptr : it->second.get();
}

Result<BridgePort> Ofproto::add_port(const std::string& bridge_name, const vnic::PortSpec& spec, BridgePort port) {
  Bridge* bridge = find_bridge(bridge_name);
  if (bridge == nullptr) return not_found("no bridge '" + bridge_name + "'");
  for (const auto& [n, b] : bridges_) {
    if (b->find_port(spec.name) != nullptr) {
      return already_exists("port '" + spec.name + "' already exists on bridge '" + n + "'");
    }
  }
  if (port.ofport == 0) port.ofport = bridge->next_free_ofport();
  if (port.ofport >= 0xffffff00) return invalid_argument("ofport " + std::to_string(port.ofport) + " is reserved");
  if (bridge->ports().count(port.ofport) != 0) {
    return already_exists("bridge '" + bridge_name + "' already has OpenFlow port " + std::to_string(port.ofport));
  }
  port.name = spec.name;
  auto dp_port = dpif_.port_add(spec);
  if (!dp_port) return dp_port.status();
  port.dp_port = *dp_port;
  if (Status st = bridge->add_port(port); !st) {
    (void)dpif_.port_del(*dp_port);
    return st;
  }
  return port;
}

Status Ofproto::del_port(const std::string& bridge_name, const std::string& name) {
  Bridge* bridge = find_bridge(bridge_name);
  if (bridge == nullptr) return not_found("no bridge '" + bridge_name + "'");
  const BridgePort* p = bridge->find_port(name);
  if (p == nullptr) return not_found("bridge '" + bridge_name + "' has no port '" + name + "'");
  const uint32_t dp_port = p->dp_port;
  STRATA_RETURN_IF_ERROR(bridge->remove_port(name));
  return dpif_.port_del(dp_port);
}

void Ofproto::upcall(const datapath::Upcall& upcall, datapath::UpcallResult* out) {
  for (auto& [name, bridge] : bridges_) {
    if (bridge->port_by_dp(upcall.key->in_port) != nullptr) {
      if (upcall.reason == datapath::UpcallReason::kMiss) bridge->translate_normal(upcall, out);
      return;
    }
  }
  // No bridge owns the port (being removed): the empty result drops it.
  out->mask.in_port = 0xffffffff;
}

void Ofproto::run_periodic(uint64_t now_ms) {
  for (auto& [name, bridge] : bridges_) bridge->age(now_ms);
}

}  // namespace strata::ofproto
