#include "daemon/dcn_view.h"

namespace strata::daemon {

namespace {

v1::ContainerStatus container_status(const v1::Dcn& dcn, const v1::Container& c, const ofproto::Bridge* running) {
  v1::ContainerStatus s;
  *s.mutable_container() = c;
  s.set_dcn(dcn.name());
  if (!c.has_tag() || c.tag().tpid() == 0) s.mutable_container()->mutable_tag()->set_tpid(0x8100);
  if (const ofproto::BridgePort* p = running != nullptr ? running->find_port(c.name()) : nullptr) {
    s.mutable_container()->set_ofport(p->ofport);
    s.set_dp_port(p->dp_port);
  }
  return s;
}

}  // namespace

v1::DcnStatus dcn_status(const v1::Dcn& dcn, ofproto::Ofproto& ofp, const datapath::Dpif& dpif) {
  v1::DcnStatus s;
  s.set_name(dcn.name());
  s.set_bridge(dcn.bridge());
  s.set_vnic(dcn.vnic());
  const ofproto::Bridge* running = ofp.find_bridge(dcn.bridge());
  if (const ofproto::BridgePort* v = running != nullptr ? running->find_port(dcn.vnic()) : nullptr) {
    s.set_vnic_ofport(v->ofport);
    s.set_vnic_dp_port(v->dp_port);
    for (const auto& info : dpif.port_list()) {
      if (info.port_no == v->dp_port) s.set_vnic_link_up(info.link_up);
    }
  }
  for (const auto& c : dcn.containers()) *s.add_containers() = container_status(dcn, c, running);
  return s;
}

Result<v1::DcnStatus> dcn_status(const v1::Config& config, const std::string& name, ofproto::Ofproto& ofp,
                                 const datapath::Dpif& dpif) {
  if (name.empty()) return invalid_argument("dcn: a DCN name is required");
  for (const auto& d : config.dcns()) {
    if (d.name() == name) return dcn_status(d, ofp, dpif);
  }
  return not_found("dcn: no DCN '" + name + "'");
}

std::vector<v1::PortStatus> container_port_statuses(const v1::Config& config, const std::string& bridge,
                                                    ofproto::Ofproto& ofp,
                                                    const std::map<uint32_t, datapath::DpPortInfo>& dp_ports) {
  std::vector<v1::PortStatus> out;
  const ofproto::Bridge* running = ofp.find_bridge(bridge);
  for (const auto& d : config.dcns()) {
    if (d.bridge() != bridge) continue;
    for (const auto& c : d.containers()) {
      v1::PortStatus s;
      v1::Port* p = s.mutable_port();
      p->set_name(c.name());
      p->set_type("container");
      p->set_ofport(c.ofport());
      (*p->mutable_options())["vnic"] = d.vnic();
      if (c.has_access()) *p->mutable_access() = c.access();
      if (c.has_trunk()) *p->mutable_trunk() = c.trunk();
      s.set_bridge(bridge);
      s.set_dcn(d.name());
      *s.mutable_container_tag() = c.tag();
      if (c.tag().tpid() == 0) s.mutable_container_tag()->set_tpid(0x8100);
      if (const ofproto::BridgePort* rp = running != nullptr ? running->find_port(c.name()) : nullptr) {
        p->set_ofport(rp->ofport);
        s.set_dp_port(rp->dp_port);
        if (auto it = dp_ports.find(rp->dp_port); it != dp_ports.end()) s.set_link_up(it->second.link_up);
      }
      out.push_back(std::move(s));
    }
  }
  return out;
}

void mark_vnic(const v1::Config& config, v1::PortStatus* port) {
  for (const auto& d : config.dcns()) {
    if (d.vnic() == port->port().name() && d.bridge() == port->bridge()) port->set_dcn(d.name());
  }
}

}  // namespace strata::daemon
