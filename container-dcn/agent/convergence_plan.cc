#include "container-dcn/agent/convergence_plan.h"

#include <map>
#include <set>

#include "container-dcn/agent/naming.h"

namespace strata::dcn_agent {

namespace {

// Whose a found namespace is: its record says; without one, the name.
bool belongs_to(const std::string& dcn, const FoundContainer& f) {
  if (f.record) return f.record->dcn == dcn && f.netns == namespace_name(dcn, f.record->spec.name);
  return container_of_namespace(dcn, f.netns).has_value();
}

Status check_desired(const std::string& dcn, const std::vector<ContainerRecord>& desired) {
  std::map<std::string, const ContainerSpec*> by_name;
  std::map<uint16_t, const ContainerSpec*> by_vid;
  for (const auto& record : desired) {
    const ContainerSpec& spec = record.spec;
    if (record.dcn != dcn) {
      return invalid_argument("container '" + spec.name + "' is of DCN '" + record.dcn + "', not '" + dcn + "'");
    }
    STRATA_RETURN_IF_ERROR(validate_spec(spec));
    if (!by_name.emplace(spec.name, &spec).second) {
      return already_exists("container '" + spec.name + "' is listed twice");
    }
    // One VID per DCN whatever the TPID: stratad keys containers by VID.
    auto [it, fresh] = by_vid.emplace(spec.vid, &spec);
    if (!fresh) {
      return already_exists("container '" + spec.name + "': --tag: " + std::to_string(spec.vid) +
                            " is already the tag of container '" + it->second->name + "'");
    }
  }
  return Status::ok();
}

}  // namespace

Result<ConvergencePlan> plan_convergence(const std::string& dcn, const std::vector<ContainerRecord>& desired,
                                         const std::vector<FoundContainer>& found) {
  STRATA_RETURN_IF_ERROR(validate_name(dcn, "--dcn"));
  STRATA_RETURN_IF_ERROR(check_desired(dcn, desired));
  std::map<std::string, const ContainerRecord*> wanted;
  for (const auto& record : desired) wanted[namespace_name(dcn, record.spec.name)] = &record;

  ConvergencePlan plan;
  std::set<std::string> right;  // namespaces that stay as they are
  for (const auto& f : found) {
    if (!belongs_to(dcn, f)) continue;
    auto it = wanted.find(f.netns);
    const bool keep = f.record && it != wanted.end() && *f.record == *it->second;
    if (keep) {
      right.insert(f.netns);
    } else {
      plan.remove.push_back(f.netns);
    }
  }
  for (const auto& record : desired) {
    if (right.count(namespace_name(dcn, record.spec.name))) {
      plan.keep.push_back(record);
    } else {
      plan.create.push_back(record);
    }
  }
  return plan;
}

std::vector<ContainerRecord> complete_containers(const std::string& dcn, const std::vector<FoundContainer>& found) {
  std::vector<ContainerRecord> out;
  for (const auto& f : found) {
    if (f.record && belongs_to(dcn, f)) out.push_back(*f.record);
  }
  return out;
}

}  // namespace strata::dcn_agent
