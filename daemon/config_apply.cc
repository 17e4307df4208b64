#include "daemon/config_apply.h"

#include <spdlog/spdlog.h>

#include "daemon/dcn_apply.h"

namespace strata::daemon {

Status apply_add_port(ofproto::Ofproto& ofp, const std::string& bridge, const PortPlan& plan) {
  auto port = ofp.add_port(bridge, plan.spec, plan.bridge);
  if (!port) return port.status();
  spdlog::info("bridge {}: port {} (type {}, ofport {}, datapath port {})", bridge, port->name, plan.spec.type,
               port->ofport, port->dp_port);
  return Status::ok();
}

Status apply_add_bridge(ofproto::Ofproto& ofp, const BridgePlan& bridge) {
  ofproto::BridgeSettings settings;
  settings.name = bridge.name;
  settings.fail_mode = bridge.secure ? ofproto::FailMode::kSecure : ofproto::FailMode::kStandalone;
  settings.datapath_id = bridge.datapath_id;
  settings.controllers = bridge.controllers;
  STRATA_RETURN_IF_ERROR(ofp.add_bridge(settings));
  for (const auto& p : bridge.ports) {
    if (Status st = apply_add_port(ofp, bridge.name, p); !st) {
      (void)ofp.del_bridge(bridge.name);
      // Driver errors usually name the port already; DPDK's do not.
      const std::string where = "port '" + p.spec.name + "'";
      return st.message().find(where) == std::string::npos ? st.with_context(where) : st;
    }
  }
  spdlog::info("bridge {}: added with {} port(s)", bridge.name, bridge.ports.size());
  return Status::ok();
}

Status apply_plan(ofproto::Ofproto& ofp, const ConfigPlan& plan) {
  for (size_t i = 0; i < plan.bridges.size(); ++i) {
    if (Status st = apply_add_bridge(ofp, plan.bridges[i]); !st) {
      for (size_t j = 0; j < i; ++j) (void)ofp.del_bridge(plan.bridges[j].name);
      return st.with_context("bridge '" + plan.bridges[i].name + "'");
    }
  }
  for (size_t i = 0; i < plan.dcns.size(); ++i) {
    if (Status st = apply_add_dcn(ofp, plan.dcns[i]); !st) {
      for (const auto& b : plan.bridges) (void)ofp.del_bridge(b.name);
      return st.with_context("DCN '" + plan.dcns[i].name + "'");
    }
  }
  return Status::ok();
}

v1::Config with_assigned_ofports(const v1::Config& config, ofproto::Ofproto& ofp) {
  v1::Config out = config;
  for (auto& b : *out.mutable_bridges()) {
    const ofproto::Bridge* running = ofp.find_bridge(b.name());
    if (running == nullptr) continue;
    for (auto& p : *b.mutable_ports()) {
      if (const ofproto::BridgePort* rp = running->find_port(p.name())) p.set_ofport(rp->ofport);
    }
  }
  for (auto& d : *out.mutable_dcns()) {
    const ofproto::Bridge* running = ofp.find_bridge(d.bridge());
    if (running == nullptr) continue;
    for (auto& c : *d.mutable_containers()) {
      if (const ofproto::BridgePort* rp = running->find_port(c.name())) c.set_ofport(rp->ofport);
    }
  }
  return out;
}

}  // namespace strata::daemon
