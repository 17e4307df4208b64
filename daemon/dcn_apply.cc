#include "daemon/dcn_apply.h"

#include <spdlog/spdlog.h>

namespace strata::daemon {

Status apply_add_container(ofproto::Ofproto& ofp, const std::string& bridge, const ContainerPlan& c) {
  auto port = ofp.add_container_port(bridge, c.port, c.tpid, c.vid);
  if (!port) return port.status().with_context("container '" + c.port.name + "'");
  spdlog::info("bridge {}: container port {} (tag {:04x}:{} on {}, ofport {}, datapath port {})", bridge, port->name,
               c.tpid, c.vid, c.port.vnic, port->ofport, port->dp_port);
  return Status::ok();
}

Status apply_add_dcn(ofproto::Ofproto& ofp, const DcnPlan& dcn) {
  STRATA_RETURN_IF_ERROR(ofp.set_dcn_vnic(dcn.bridge, dcn.vnic, true).with_context("vnic"));
  for (size_t i = 0; i < dcn.containers.size(); ++i) {
    if (Status st = apply_add_container(ofp, dcn.bridge, dcn.containers[i]); !st) {
      for (size_t j = 0; j < i; ++j) (void)ofp.del_port(dcn.bridge, dcn.containers[j].port.name);
      (void)ofp.set_dcn_vnic(dcn.bridge, dcn.vnic, false);
      return st;
    }
  }
  spdlog::info("DCN {}: on port {} of bridge {}, {} container(s)", dcn.name, dcn.vnic, dcn.bridge, dcn.containers.size());
  return Status::ok();
}

Status apply_del_dcn(ofproto::Ofproto& ofp, const DcnPlan& dcn) {
  for (const auto& c : dcn.containers) {
    STRATA_RETURN_IF_ERROR(ofp.del_port(dcn.bridge, c.port.name).with_context("container '" + c.port.name + "'"));
  }
  STRATA_RETURN_IF_ERROR(ofp.set_dcn_vnic(dcn.bridge, dcn.vnic, false).with_context("vnic"));
  spdlog::info("DCN {}: removed; port {} is a plain port again", dcn.name, dcn.vnic);
  return Status::ok();
}

}  // namespace strata::daemon
