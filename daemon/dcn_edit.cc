#include "daemon/dcn_edit.h"

#include "daemon/config_loader.h"

namespace strata::daemon {

Result<AddDcnEdit> edit_add_dcn(const v1::Config& current, const v1::Dcn& dcn) {
  auto tpids = plan_tpids(current.datapath());
  if (!tpids) return tpids.status();
  // The request's own fields first, then the model's rules against what exists.
  auto plan = plan_dcn(dcn, *tpids, "dcn");
  if (!plan) return plan.status();
  container_dcn::DcnSet set = dcn_set(current);
  auto added = set.add_dcn(to_model(dcn), port_view(current), *tpids, "dcn");
  if (!added) return added.status();
  AddDcnEdit edit;
  edit.config = current;
  v1::Dcn* stored = edit.config.add_dcns();
  *stored = dcn;
  for (int i = 0; i < stored->containers_size(); ++i) {
    const uint32_t ofport = added->containers[static_cast<size_t>(i)].ofport;
    stored->mutable_containers(i)->set_ofport(ofport);
    plan->containers[static_cast<size_t>(i)].port.ofport = ofport;
  }
  edit.plan = std::move(*plan);
  return edit;
}

Result<DelDcnEdit> edit_del_dcn(const v1::Config& current, const std::string& dcn) {
  container_dcn::DcnSet set = dcn_set(current);
  auto gone = set.del_dcn(dcn, "dcn");
  if (!gone) return gone.status();
  auto tpids = plan_tpids(current.datapath());
  if (!tpids) return tpids.status();
  const int d = dcn_index(current, dcn);
  auto removed = plan_dcn(current.dcns(d), *tpids, "dcn");
  if (!removed) return removed.status();
  DelDcnEdit edit;
  edit.config = current;
  edit.config.mutable_dcns()->DeleteSubrange(d, 1);
  edit.removed = std::move(*removed);
  return edit;
}

Result<AddContainerEdit> edit_add_container(const v1::Config& current, const std::string& dcn,
                                            const v1::Container& container) {
  auto tpids = plan_tpids(current.datapath());
  if (!tpids) return tpids.status();
  container_dcn::DcnSet set = dcn_set(current);
  if (dcn.empty()) return invalid_argument("dcn: a DCN name is required");
  const container_dcn::Dcn* owner = set.find(dcn);
  if (owner == nullptr) return not_found("dcn: no DCN '" + dcn + "'");
  auto plan = plan_container(container, owner->vnic, *tpids, "container");
  if (!plan) return plan.status();
  const std::string bridge = owner->bridge;
  auto added = set.add_container(dcn, to_model(container), port_view(current), *tpids, "dcn", "container");
  if (!added) return added.status();
  AddContainerEdit edit;
  edit.config = current;
  v1::Container* stored = edit.config.mutable_dcns(dcn_index(current, dcn))->add_containers();
  *stored = container;
  stored->set_ofport(added->ofport);
  plan->port.ofport = added->ofport;
  edit.bridge = bridge;
  edit.plan = std::move(*plan);
  return edit;
}

Result<DelContainerEdit> edit_del_container(const v1::Config& current, const std::string& dcn,
                                            const std::string& container) {
  container_dcn::DcnSet set = dcn_set(current);
  auto gone = set.del_container(dcn, container, "dcn", "container");
  if (!gone) return gone.status();
  const int d = dcn_index(current, dcn);
  DelContainerEdit edit;
  edit.config = current;
  auto* containers = edit.config.mutable_dcns(d)->mutable_containers();
  for (int i = 0; i < containers->size(); ++i) {
    if (containers->Get(i).name() == container) {
      containers->DeleteSubrange(i, 1);
      break;
    }
  }
  edit.bridge = current.dcns(d).bridge();
  edit.port = container;
  return edit;
}

}  // namespace strata::daemon
