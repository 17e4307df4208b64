#include "daemon/state_view.h"

#include <map>

#include "daemon/config_edit.h"
#include "daemon/dcn_view.h"
#include "daemon/megaflow_text.h"

namespace strata::daemon {

namespace {

Result<ofproto::Bridge*> running_bridge(ofproto::Ofproto& ofp, const std::string& name) {
  if (name.empty()) return invalid_argument("bridge: a bridge name is required");
  ofproto::Bridge* b = ofp.find_bridge(name);
  if (b == nullptr) return not_found("bridge: no bridge '" + name + "'");
  return b;
}

std::map<uint32_t, datapath::DpPortInfo> ports_by_dp(const datapath::Dpif& dpif) {
  std::map<uint32_t, datapath::DpPortInfo> out;
  for (auto& p : dpif.port_list()) out[p.port_no] = p;
  return out;
}

v1::PortStatus make_port_status(const v1::Port& configured, const std::string& bridge,
                                const ofproto::BridgePort* running,
                                const std::map<uint32_t, datapath::DpPortInfo>& dp_ports) {
  v1::PortStatus s;
  *s.mutable_port() = configured;
  s.set_bridge(bridge);
  if (running != nullptr) {
    s.mutable_port()->set_ofport(running->ofport);
    s.set_dp_port(running->dp_port);
    auto it = dp_ports.find(running->dp_port);
    if (it != dp_ports.end()) {
      s.set_link_up(it->second.link_up);
      s.set_mac(it->second.mac);
    }
  }
  return s;
}

v1::BridgeStatus make_bridge_status(const v1::Config& config, const v1::Bridge& b, ofproto::Ofproto& ofp,
                                    const std::map<uint32_t, datapath::DpPortInfo>& dp_ports) {
  v1::BridgeStatus s;
  s.set_name(b.name());
  s.set_fail_mode(b.fail_mode());
  s.set_datapath_id(b.datapath_id());
  for (const auto& c : b.controllers()) s.add_controllers(c);
  const ofproto::Bridge* running = ofp.find_bridge(b.name());
  // By OpenFlow port number, as ovs-ofctl lists them.
  std::map<uint32_t, v1::PortStatus> sorted;
  for (const auto& p : b.ports()) {
    const ofproto::BridgePort* rp = running != nullptr ? running->find_port(p.name()) : nullptr;
    v1::PortStatus ps = make_port_status(p, b.name(), rp, dp_ports);
    mark_vnic(config, &ps);
    sorted.emplace(ps.port().ofport(), std::move(ps));
  }
  for (auto& ps : container_port_statuses(config, b.name(), ofp, dp_ports)) sorted.emplace(ps.port().ofport(), std::move(ps));
  for (auto& [no, ps] : sorted) *s.add_ports() = std::move(ps);
  return s;
}

}  // namespace

Result<v1::BridgeStatus> bridge_status(const v1::Config& config, const std::string& bridge, ofproto::Ofproto& ofp,
                                       const datapath::Dpif& dpif) {
  auto b = find_bridge(config, bridge);
  if (!b) return b.status();
  return make_bridge_status(config, **b, ofp, ports_by_dp(dpif));
}

Result<v1::ShowResponse> show(const v1::Config& config, const std::string& bridge, ofproto::Ofproto& ofp,
                              const datapath::Dpif& dpif) {
  v1::ShowResponse out;
  const auto dp_ports = ports_by_dp(dpif);
  if (!bridge.empty()) {
    auto b = find_bridge(config, bridge);
    if (!b) return b.status();
    *out.add_bridges() = make_bridge_status(config, **b, ofp, dp_ports);
  } else {
    for (const auto& b : config.bridges()) *out.add_bridges() = make_bridge_status(config, b, ofp, dp_ports);
  }
  for (const auto& d : config.dcns()) {
    if (bridge.empty() || d.bridge() == bridge) *out.add_dcns() = dcn_status(d, ofp, dpif);
  }
  auto* d = out.mutable_datapath();
  auto tpids = plan_tpids(config.datapath());
  if (tpids) {
    for (uint16_t t : tpids->values()) d->add_tpids(t);
  }
  d->set_pmd_threads(static_cast<uint32_t>(dpif.pmd_stats().size()));
  d->set_megaflow_idle_ms(config.datapath().megaflow_idle_ms() != 0 ? config.datapath().megaflow_idle_ms() : 10000);
  d->set_emc_insert_inv_prob(config.datapath().emc_insert_inv_prob() != 0 ? config.datapath().emc_insert_inv_prob()
                                                                           : 100);
  return out;
}

Result<v1::PortStatus> port_status(const v1::Config& config, const std::string& bridge, const std::string& port,
                                   ofproto::Ofproto& ofp, const datapath::Dpif& dpif) {
  auto b = find_bridge(config, bridge);
  if (!b) return b.status();
  for (const auto& p : (*b)->ports()) {
    if (p.name() != port) continue;
    const ofproto::Bridge* running = ofp.find_bridge(bridge);
    return make_port_status(p, bridge, running != nullptr ? running->find_port(port) : nullptr, ports_by_dp(dpif));
  }
  return not_found("port: bridge '" + bridge + "' has no port '" + port + "'");
}

Result<v1::PortStatsResponse> port_stats(const std::string& bridge, ofproto::Ofproto& ofp,
                                         const datapath::Dpif& dpif) {
  auto b = running_bridge(ofp, bridge);
  if (!b) return b.status();
  v1::PortStatsResponse out;
  for (const auto& [ofport, p] : (*b)->ports()) {
    auto s = dpif.port_stats(p.dp_port);
    if (!s) continue;  // removed under us: not a port any more
    auto* c = out.add_ports();
    c->set_port(p.name);
    c->set_ofport(ofport);
    c->set_dp_port(p.dp_port);
    c->set_rx_packets(s->rx_packets);
    c->set_rx_bytes(s->rx_bytes);
    c->set_rx_dropped(s->rx_dropped + s->upcall_dropped);
    c->set_rx_errors(s->rx_errors);
    c->set_tx_packets(s->tx_packets);
    c->set_tx_bytes(s->tx_bytes);
    c->set_tx_dropped(s->tx_dropped);
    c->set_tx_errors(s->tx_errors);
    c->set_malformed(s->malformed);
    c->set_upcalls(s->upcalls);
    c->set_upcall_dropped(s->upcall_dropped);
    c->set_unknown_container_tag(s->unknown_tag);
    if (auto x = dpif.port_xstats(p.dp_port)) {
      for (const auto& stat : *x) {
        auto* d = c->add_xstats();
        d->set_name(stat.name);
        d->set_value(stat.value);
      }
    }
  }
  return out;
}

v1::PmdStatsResponse pmd_stats(const datapath::Dpif& dpif) {
  v1::PmdStatsResponse out;
  for (const auto& s : dpif.pmd_stats()) {
    auto* p = out.add_pmds();
    p->set_pmd(s.pmd);
    p->set_cpu(s.cpu);
    p->set_rxqs(s.rxqs);
    p->set_packets(s.packets);
    p->set_iterations(s.iterations);
    p->set_emc_hits(s.emc_hits);
    p->set_batch_hits(s.batch_hits);
    p->set_megaflow_hits(s.megaflow_hits);
    p->set_misses(s.misses);
    p->set_sleeps(s.sleeps);
    p->set_tsc_hz(s.tsc_hz);
    for (int i = 0; i < datapath::kStageCount; ++i) {
      auto* st = p->add_stages();
      st->set_stage(datapath::pmd_stage_name(i));
      st->set_cycles(s.cycles[i]);
    }
  }
  return out;
}

Result<v1::DumpDatapathFlowsResponse> datapath_flows(const std::string& bridge, ofproto::Ofproto& ofp,
                                                     const datapath::Dpif& dpif) {
  auto b = running_bridge(ofp, bridge);
  if (!b) return b.status();
  std::map<uint32_t, uint32_t> ofport_of_dp;
  for (const auto& [ofport, p] : (*b)->ports()) ofport_of_dp[p.dp_port] = ofport;
  auto lookup = [&](uint32_t dp) -> std::optional<uint32_t> {
    auto it = ofport_of_dp.find(dp);
    if (it == ofport_of_dp.end()) return std::nullopt;
    return it->second;
  };
  v1::DumpDatapathFlowsResponse out;
  for (const auto& f : dpif.flow_dump()) {
    if (ofport_of_dp.count(f.key.in_port) == 0) continue;
    auto* d = out.add_flows();
    d->set_match(format_megaflow_match(f.key, f.mask, lookup));
    d->set_actions(f.actions);
    d->set_packets(f.packets);
    d->set_bytes(f.bytes);
    d->set_idle_ms(f.idle_ms);
  }
  return out;
}

}  // namespace strata::daemon
