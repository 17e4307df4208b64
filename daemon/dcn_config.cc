#include "daemon/dcn_config.h"

#include <set>

#include "daemon/config_loader.h"

namespace strata::daemon {

container_dcn::PortView port_view(const v1::Config& config) {
  container_dcn::PortView v;
  for (const auto& b : config.bridges()) {
    v.bridges.insert(b.name());
    // A --config may leave ofports 0: they get the lowest free numbers, in
    // order, as the bridge will give them (explicit numbers are taken first).
    std::set<uint32_t> used;
    for (const auto& p : b.ports()) {
      if (p.ofport() != 0) used.insert(p.ofport());
    }
    for (const auto& p : b.ports()) {
      uint32_t ofport = p.ofport();
      if (ofport == 0) {
        ofport = 1;
        while (used.count(ofport) != 0) ++ofport;
        used.insert(ofport);
      }
      const bool tagged = p.has_access() || (p.has_trunk() && p.trunk().allowed_size() > 0);
      v.ports[p.name()] = container_dcn::PortView::Port{b.name(), ofport, tagged};
    }
  }
  return v;
}

container_dcn::Container to_model(const v1::Container& c) {
  container_dcn::Container m;
  m.name = c.name();
  m.tpid = static_cast<uint16_t>(c.tag().tpid() == 0 ? container_dcn::kDefaultTpid : c.tag().tpid());
  m.vid = static_cast<uint16_t>(c.tag().vid());
  m.ofport = c.ofport();
  m.address = c.address();
  m.mac = c.mac();
  return m;
}

container_dcn::Dcn to_model(const v1::Dcn& dcn) {
  container_dcn::Dcn m{dcn.name(), dcn.bridge(), dcn.vnic(), {}};
  for (const auto& c : dcn.containers()) m.containers.push_back(to_model(c));
  return m;
}

container_dcn::DcnSet dcn_set(const v1::Config& config) {
  std::vector<container_dcn::Dcn> dcns;
  for (const auto& d : config.dcns()) dcns.push_back(to_model(d));
  return container_dcn::DcnSet(std::move(dcns));
}

Result<ContainerPlan> plan_container(const v1::Container& c, const std::string& vnic, const l2tags::TpidSet& tpids,
                                     const std::string& field) {
  if (!c.has_tag()) return invalid_argument(field + ".tag: a container needs a tag (vid 1..4094)");
  // What the model's 16-bit fields cannot hold, refused before conversion.
  if (c.tag().any_vid()) return invalid_argument(field + ".tag.any_vid: a container tag names one VID");
  if (c.tag().vid() < container_dcn::kMinContainerVid || c.tag().vid() > container_dcn::kMaxContainerVid) {
    return invalid_argument(field + ".tag.vid: " + std::to_string(c.tag().vid()) + " is out of range 1..4094");
  }
  if (c.tag().tpid() > 0xffff) {
    return invalid_argument(field + ".tag.tpid: " + std::to_string(c.tag().tpid()) + " is not a 16-bit value");
  }
  ContainerPlan plan;
  plan.port.name = c.name();
  plan.port.ofport = c.ofport();
  plan.port.vnic = vnic;
  plan.tpid = static_cast<uint16_t>(c.tag().tpid() == 0 ? container_dcn::kDefaultTpid : c.tag().tpid());
  plan.vid = static_cast<uint16_t>(c.tag().vid());
  if (c.has_access()) {
    auto stack = to_tag_stack(c.access().stack(), tpids, field + ".access.stack");
    if (!stack) return stack.status();
    if (stack->size() == 0) return invalid_argument(field + ".access.stack: an access port needs at least one tag");
    plan.port.mode = ofproto::TagMode::kAccess;
    plan.port.access = *stack;
  } else if (c.has_trunk()) {
    for (int a = 0; a < c.trunk().allowed_size(); ++a) {
      auto pat = to_stack_pattern(c.trunk().allowed(a), tpids, field + ".trunk.allowed[" + std::to_string(a) + "]");
      if (!pat) return pat.status();
      plan.port.allowed.push_back(*pat);
    }
  }
  return plan;
}

Result<DcnPlan> plan_dcn(const v1::Dcn& dcn, const l2tags::TpidSet& tpids, const std::string& field) {
  DcnPlan plan{dcn.name(), dcn.bridge(), dcn.vnic(), {}};
  for (int i = 0; i < dcn.containers_size(); ++i) {
    auto c = plan_container(dcn.containers(i), dcn.vnic(), tpids, field + ".containers[" + std::to_string(i) + "]");
    if (!c) return c.status();
    plan.containers.push_back(std::move(*c));
  }
  return plan;
}

Result<std::vector<DcnPlan>> plan_dcns(const v1::Config& config, const l2tags::TpidSet& tpids) {
  std::vector<DcnPlan> plans;
  container_dcn::DcnSet checked;
  const container_dcn::PortView ports = port_view(config);
  for (int d = 0; d < config.dcns_size(); ++d) {
    const std::string field = "dcns[" + std::to_string(d) + "]";
    auto plan = plan_dcn(config.dcns(d), tpids, field);
    if (!plan) return plan.status();
    // The model checks this DCN against the ones before it and assigns the
    // ofports a --config left 0.
    auto added = checked.add_dcn(to_model(config.dcns(d)), ports, tpids, field);
    if (!added) return added.status();
    for (size_t i = 0; i < plan->containers.size(); ++i) plan->containers[i].port.ofport = added->containers[i].ofport;
    plans.push_back(std::move(*plan));
  }
  return plans;
}

int dcn_index(const v1::Config& config, const std::string& name) {
  for (int d = 0; d < config.dcns_size(); ++d) {
    if (config.dcns(d).name() == name) return d;
  }
  return -1;
}

}  // namespace strata::daemon
