#include "ofproto/ofproto.h"

namespace strata::ofproto {

Ofproto::~Ofproto() { dpif_.set_upcall_handler(nullptr); }

void Ofproto::set_tpids(const l2tags::TpidSet& tpids) {
  tpids_ = tpids;
  for (auto& [n, b] : bridges_) b->set_tpids(tpids);
}

void Ofproto::wire_hooks(Bridge& b) {
  b.set_tpids(tpids_);
  b.packet_in_hook = [this](const std::string& bridge, const msg::PacketIn& pi) {
    if (listeners_.empty()) return;
    const PacketInEvent ev{bridge, pi};
    for (auto& [id, fn] : listeners_) fn(ev);
  };
}

Status Ofproto::add_bridge(const std::string& name) {
  BridgeSettings s;
  s.name = name;
  return add_bridge(s);
}

Status Ofproto::add_bridge(const BridgeSettings& settings) {
  if (settings.name.empty()) return invalid_argument("a bridge needs a name");
  if (bridges_.count(settings.name) != 0) return already_exists("bridge '" + settings.name + "' already exists");
  auto b = std::make_unique<Bridge>(settings.name, dpif_, &contexts_);
  wire_hooks(*b);
  b->set_datapath_id(settings.datapath_id);
  b->set_fail_mode(settings.fail_mode);
  if (!settings.controllers.empty()) {
    STRATA_RETURN_IF_ERROR(b->set_controllers(settings.controllers).with_context("bridge '" + settings.name + "'"));
  }
  bridges_[settings.name] = std::move(b);
  return Status::ok();
}

Status Ofproto::del_bridge(const std::string& name) {
  auto it = bridges_.find(name);
  if (it == bridges_.end()) return not_found("no bridge '" + name + "'");
  // Containers' ports before the VNICs that carry them.
  std::vector<std::string> names;
  for (bool container : {true, false}) {
    for (const auto& [no, p] : it->second->ports()) {
      if (p.vnic.empty() != container) names.push_back(p.name);
    }
  }
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
  for (const auto& [no, other] : bridge->ports()) {
    if (other.vnic == name) {
      return failed_precondition("port '" + name + "' still carries container port '" + other.name + "'");
    }
  }
  const uint32_t dp_port = p->dp_port;
  STRATA_RETURN_IF_ERROR(bridge->remove_port(name));
  return dpif_.port_del(dp_port);
}

Status Ofproto::set_dcn_vnic(const std::string& bridge_name, const std::string& name, bool vnic) {
  Bridge* bridge = find_bridge(bridge_name);
  if (bridge == nullptr) return not_found("no bridge '" + bridge_name + "'");
  const BridgePort* p = bridge->find_port(name);
  if (p == nullptr) return not_found("bridge '" + bridge_name + "' has no port '" + name + "'");
  if (!p->vnic.empty()) return invalid_argument("port '" + name + "' is a container's port");
  if (vnic && (p->mode != TagMode::kTrunk || !p->allowed.empty())) {
    return failed_precondition("port '" + name + "' has an access stack or trunk list; a VNIC carries container tags only");
  }
  const TagMode before = p->mode;
  const uint32_t dp_port = p->dp_port;
  if (vnic) {
    // The datapath first: from here on the port's frames are demultiplexed;
    // then NORMAL forgets it as a member of any domain.
    STRATA_RETURN_IF_ERROR(dpif_.set_tag_mux(dp_port, true));
    if (Status st = bridge->set_port_mode(name, TagMode::kDcnVnic); !st) {
      (void)dpif_.set_tag_mux(dp_port, false);
      return st;
    }
    return Status::ok();
  }
  STRATA_RETURN_IF_ERROR(dpif_.set_tag_mux(dp_port, false));
  if (before == TagMode::kDcnVnic) return bridge->set_port_mode(name, TagMode::kTrunk);
  return Status::ok();
}

Result<BridgePort> Ofproto::add_container_port(const std::string& bridge_name, BridgePort port, uint16_t tpid,
                                               uint16_t vid) {
  Bridge* bridge = find_bridge(bridge_name);
  if (bridge == nullptr) return not_found("no bridge '" + bridge_name + "'");
  for (const auto& [n, b] : bridges_) {
    if (b->find_port(port.name) != nullptr) {
      return already_exists("port '" + port.name + "' already exists on bridge '" + n + "'");
    }
  }
  const BridgePort* vnic = bridge->find_port(port.vnic);
  if (vnic == nullptr) return not_found("bridge '" + bridge_name + "' has no port '" + port.vnic + "'");
  if (vnic->mode != TagMode::kDcnVnic) return failed_precondition("port '" + port.vnic + "' is not a DCN's VNIC");
  if (port.ofport == 0) port.ofport = bridge->next_free_ofport();
  if (port.ofport >= 0xffffff00) return invalid_argument("ofport " + std::to_string(port.ofport) + " is reserved");
  if (bridge->ports().count(port.ofport) != 0) {
    return already_exists("bridge '" + bridge_name + "' already has OpenFlow port " + std::to_string(port.ofport));
  }
  datapath::LogicalPortSpec spec;
  spec.name = port.name;
  spec.parent = vnic->dp_port;
  spec.tpid = tpid;
  spec.vid = vid;
  auto dp_port = dpif_.logical_port_add(spec);
  if (!dp_port) return dp_port.status();
  port.dp_port = *dp_port;
  if (Status st = bridge->add_port(port); !st) {
    (void)dpif_.port_del(*dp_port);
    return st;
  }
  return port;
}

Status Ofproto::set_controllers(const std::string& bridge, const std::vector<std::string>& targets) {
  Bridge* b = find_bridge(bridge);
  if (b == nullptr) return not_found("no bridge '" + bridge + "'");
  return b->set_controllers(targets).with_context("bridge '" + bridge + "'");
}

Status Ofproto::set_fail_mode(const std::string& bridge, FailMode mode) {
  Bridge* b = find_bridge(bridge);
  if (b == nullptr) return not_found("no bridge '" + bridge + "'");
  b->set_fail_mode(mode);
  return Status::ok();
}

Result<std::vector<ControllerStatus>> Ofproto::controller_status(const std::string& bridge) {
  Bridge* b = find_bridge(bridge);
  if (b == nullptr) return not_found("no bridge '" + bridge + "'");
  if (b->connmgr() == nullptr) return std::vector<ControllerStatus>{};
  return b->connmgr()->status();
}

Status Ofproto::flow_mod(const std::string& bridge, const FlowMod& fm) {
  Bridge* b = find_bridge(bridge);
  if (b == nullptr) return not_found("no bridge '" + bridge + "'");
  const OfStatus st = b->flow_mod(fm);
  b->revalidate();
  return st.to_status();
}

Result<std::vector<Rule>> Ofproto::dump_flows(const std::string& bridge, const FlowFilter& filter) {
  Bridge* b = find_bridge(bridge);
  if (b == nullptr) return not_found("no bridge '" + bridge + "'");
  if (OfStatus st = check_prerequisites(filter.match); !st) return st.to_status();
  std::vector<Rule> out;
  for (const Rule* r : b->select_flows(filter)) out.push_back(*r);
  return out;
}

Status Ofproto::group_mod(const std::string& bridge, const msg::GroupMod& gm) {
  Bridge* b = find_bridge(bridge);
  if (b == nullptr) return not_found("no bridge '" + bridge + "'");
  const OfStatus st = b->group_mod(gm);
  b->revalidate();
  return st.to_status();
}

Status Ofproto::packet_out(const std::string& bridge, uint32_t in_port, const OfActions& actions,
                           std::span<const uint8_t> frame) {
  Bridge* b = find_bridge(bridge);
  if (b == nullptr) return not_found("no bridge '" + bridge + "'");
  return b->packet_out(in_port, actions, frame.data(), frame.size()).to_status();
}

int Ofproto::add_packet_in_listener(std::function<void(const PacketInEvent&)> fn) {
  const int id = next_listener_++;
  listeners_[id] = std::move(fn);
  return id;
}

void Ofproto::remove_packet_in_listener(int id) { listeners_.erase(id); }

void Ofproto::upcall(const datapath::Upcall& upcall, datapath::UpcallResult* out) {
  if (upcall.reason == datapath::UpcallReason::kController) {
    const PacketInContext* ctx = contexts_.find(upcall.cookie);
    if (ctx == nullptr) return;
    if (Bridge* b = find_bridge(ctx->bridge)) b->handle_controller(upcall, *ctx);
    return;
  }
  for (auto& [name, bridge] : bridges_) {
    if (bridge->port_by_dp(upcall.key->in_port) != nullptr) {
      bridge->handle_miss(upcall, out);
      return;
    }
  }
  // No bridge owns the port (being removed): the empty result drops it.
  out->mask.in_port = 0xffffffff;
}

size_t Ofproto::run() {
  size_t work = 0;
  for (auto& [name, bridge] : bridges_) {
    if (bridge->connmgr() != nullptr) work += bridge->connmgr()->run();
  }
  return work;
}

void Ofproto::wait_fds(std::vector<pollfd>* out) const {
  for (const auto& [name, bridge] : bridges_) {
    if (bridge->connmgr() != nullptr) bridge->connmgr()->wait_fds(out);
  }
}

void Ofproto::run_periodic() {
  if (bridges_.empty()) return;
  const std::vector<datapath::MegaflowInfo> dump = dpif_.flow_dump();
  for (auto& [name, bridge] : bridges_) {
    bridge->harvest(dump);
    bridge->run_periodic();
  }
}

}  // namespace strata::ofproto
