#include "daemon/config_edit.h"

#include <cstdio>
#include <set>

#include "daemon/controller_target.h"
#include "daemon/dcn_config.h"
#include "daemon/guest_config.h"

namespace strata::daemon {

namespace {

int bridge_index(const v1::Config& config, const std::string& name) {
  for (int b = 0; b < config.bridges_size(); ++b) {
    if (config.bridges(b).name() == name) return b;
  }
  return -1;
}

// The bridge holding port `name`, or nullptr.
const v1::Bridge* bridge_of_port(const v1::Config& config, const std::string& name) {
  for (const auto& b : config.bridges()) {
    for (const auto& p : b.ports()) {
      if (p.name() == name) return &b;
    }
  }
  return nullptr;
}

uint32_t lowest_free_ofport(const std::set<uint32_t>& used) {
  uint32_t n = 1;
  while (used.count(n) != 0) ++n;
  return n;
}

std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// The ports of a new bridge against every other bridge: names are unique
// per daemon (they name DPDK devices and rings).
Status check_port_names_free(const v1::Config& current, const v1::Port& port, const std::string& field) {
  if (const v1::Bridge* owner = bridge_of_port(current, port.name())) {
    return already_exists(field + ".name: port '" + port.name() + "' already exists on bridge '" + owner->name() + "'");
  }
  // Containers' ports are ports too (their ofports are checked per bridge).
  return dcn_set(current).check_plain_port_free("", port.name(), 0, field);
}

// Removes the DCNs on `bridge` (they go with it).
void drop_dcns_of_bridge(v1::Config* config, const std::string& bridge) {
  auto* dcns = config->mutable_dcns();
  for (int d = dcns->size() - 1; d >= 0; --d) {
    if (dcns->Get(d).bridge() == bridge) dcns->DeleteSubrange(d, 1);
  }
}

}  // namespace

Result<const v1::Bridge*> find_bridge(const v1::Config& config, const std::string& name, const std::string& field) {
  if (name.empty()) return invalid_argument(field + ": a bridge name is required");
  const int b = bridge_index(config, name);
  if (b < 0) return not_found(field + ": no bridge '" + name + "'");
  return &config.bridges(b);
}

Result<AddBridgeEdit> edit_add_bridge(const v1::Config& current, const v1::Bridge& bridge) {
  auto tpids = plan_tpids(current.datapath());
  if (!tpids) return tpids.status();
  // Field checks first (the request alone), then conflicts with what exists.
  auto checked = plan_bridge(bridge, *tpids, "bridge");
  if (!checked) return checked.status();
  if (bridge_index(current, bridge.name()) >= 0) {
    return already_exists("bridge.name: bridge '" + bridge.name() + "' already exists");
  }
  if (bridge.datapath_id() != 0) {
    for (const auto& b : current.bridges()) {
      if (b.datapath_id() == bridge.datapath_id()) {
        return already_exists("bridge.datapath_id: " + hex64(bridge.datapath_id()) + " is used by bridge '" +
                              b.name() + "'");
      }
    }
  }
  for (int p = 0; p < bridge.ports_size(); ++p) {
    STRATA_RETURN_IF_ERROR(check_port_names_free(current, bridge.ports(p), "bridge.ports[" + std::to_string(p) + "]"));
  }

  // Numbers are assigned here, not by the switch, so that the db records
  // the number each port really has and a restart gives it back.
  v1::Bridge added = bridge;
  std::set<uint32_t> used;
  for (const auto& p : added.ports()) {
    if (p.ofport() != 0) used.insert(p.ofport());
  }
  for (auto& p : *added.mutable_ports()) {
    if (p.ofport() == 0) {
      p.set_ofport(lowest_free_ofport(used));
      used.insert(p.ofport());
    }
  }
  auto plan = plan_bridge(added, *tpids, "bridge");
  if (!plan) return plan.status();
  AddBridgeEdit edit;
  edit.config = current;
  *edit.config.add_bridges() = std::move(added);
  edit.plan = std::move(*plan);
  return edit;
}

Result<v1::Config> edit_del_bridge(const v1::Config& current, const std::string& bridge) {
  auto found = find_bridge(current, bridge);
  if (!found) return found.status();
  // Guests are processes: they are stopped by name (guest-del), never as a side effect.
  STRATA_RETURN_IF_ERROR(check_no_guest_on_bridge(current, bridge, "bridge"));
  v1::Config out = current;
  out.mutable_bridges()->DeleteSubrange(bridge_index(current, bridge), 1);
  drop_dcns_of_bridge(&out, bridge);
  return out;
}

Result<AddPortEdit> edit_add_port(const v1::Config& current, const std::string& bridge, const v1::Port& port) {
  auto tpids = plan_tpids(current.datapath());
  if (!tpids) return tpids.status();
  auto found = find_bridge(current, bridge);
  if (!found) return found.status();
  auto checked = plan_port(port, *tpids, "port");
  if (!checked) return checked.status();
  STRATA_RETURN_IF_ERROR(check_port_names_free(current, port, "port"));
  std::set<uint32_t> used = dcn_set(current).container_ofports(bridge);
  STRATA_RETURN_IF_ERROR(dcn_set(current).check_plain_port_free(bridge, port.name(), port.ofport(), "port"));
  for (const auto& p : (*found)->ports()) used.insert(p.ofport());
  v1::Port added = port;
  if (added.ofport() == 0) {
    added.set_ofport(lowest_free_ofport(used));
  } else if (used.count(added.ofport()) != 0) {
    std::string holder;
    for (const auto& p : (*found)->ports()) {
      if (p.ofport() == added.ofport()) holder = p.name();
    }
    return already_exists("port.ofport: bridge '" + bridge + "' already has OpenFlow port " +
                          std::to_string(added.ofport()) + " (port '" + holder + "')");
  }
  auto plan = plan_port(added, *tpids, "port");
  if (!plan) return plan.status();
  AddPortEdit edit;
  edit.config = current;
  *edit.config.mutable_bridges(bridge_index(current, bridge))->add_ports() = std::move(added);
  edit.bridge = bridge;
  edit.plan = std::move(*plan);
  return edit;
}

Result<v1::Config> edit_del_port(const v1::Config& current, const std::string& bridge, const std::string& port) {
  auto found = find_bridge(current, bridge);
  if (!found) return found.status();
  if (port.empty()) return invalid_argument("port: a port name is required");
  const int b = bridge_index(current, bridge);
  const auto& ports = current.bridges(b).ports();
  for (int p = 0; p < ports.size(); ++p) {
    if (ports[p].name() != port) continue;
    STRATA_RETURN_IF_ERROR(check_no_guest_on_port(current, bridge, port, "port"));
    // A VNIC with containers stays; the DCN of an empty one goes with it.
    container_dcn::DcnSet dcns = dcn_set(current);
    STRATA_RETURN_IF_ERROR(dcns.check_port_removal(port, "port"));
    v1::Config out = current;
    out.mutable_bridges(b)->mutable_ports()->DeleteSubrange(p, 1);
    if (const std::string gone = dcns.forget_port(port); !gone.empty()) {
      out.mutable_dcns()->DeleteSubrange(dcn_index(current, gone), 1);
    }
    return out;
  }
  if (const v1::Bridge* owner = bridge_of_port(current, port)) {
    return not_found("port: port '" + port + "' is on bridge '" + owner->name() + "', not '" + bridge + "'");
  }
  // A container's port is not in the bridge's list, but it is a port.
  STRATA_RETURN_IF_ERROR(dcn_set(current).check_port_removal(port, "port"));
  return not_found("port: bridge '" + bridge + "' has no port '" + port + "'");
}

Result<v1::Config> edit_set_controller(const v1::Config& current, const std::string& bridge,
                                       const std::vector<std::string>& targets) {
  auto found = find_bridge(current, bridge);
  if (!found) return found.status();
  std::set<std::string> seen;
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string field = "targets[" + std::to_string(i) + "]";
    STRATA_RETURN_IF_ERROR(check_controller_target(targets[i], field));
    if (!seen.insert(targets[i]).second) return invalid_argument(field + ": '" + targets[i] + "' is listed twice");
  }
  v1::Config out = current;
  auto* b = out.mutable_bridges(bridge_index(current, bridge));
  b->clear_controllers();
  for (const auto& t : targets) b->add_controllers(t);
  return out;
}

}  // namespace strata::daemon
