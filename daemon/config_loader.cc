#include "daemon/config_loader.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <fstream>
#include <set>
#include <sstream>

#include "daemon/controller_target.h"
#include "vnic/port_driver.h"

namespace strata::daemon {

namespace {

// Collects the parser's complaint with its line and column.
class ErrorCollector final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first.empty()) first = "line " + std::to_string(line + 1) + ", column " + std::to_string(column + 1) + ": " + message;
  }
  void AddWarning(int, int, const std::string&) override {}
  std::string first;  // the first error, which is the one that matters
};

Status check_tag(const v1::Tag& t, const l2tags::TpidSet& tpids, const std::string& field, bool pattern) {
  const uint32_t tpid = t.tpid() == 0 ? 0x8100 : t.tpid();
  if (tpid > 0xffff || !tpids.contains(static_cast<uint16_t>(tpid))) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "0x%x", tpid);
    return invalid_argument(field + ".tpid: " + buf + " is not a recognised TPID");
  }
  if (t.any_vid() && !pattern) return invalid_argument(field + ".any_vid: a wildcard VID is allowed in trunk stacks only");
  if (!t.any_vid() && t.vid() > l2tags::kMaxVid) {
    return invalid_argument(field + ".vid: " + std::to_string(t.vid()) + " is out of range 0..4095");
  }
  if (t.pcp() > l2tags::kMaxPcp) return invalid_argument(field + ".pcp: " + std::to_string(t.pcp()) + " is out of range 0..7");
  return Status::ok();
}

}  // namespace

Result<v1::Config> read_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return not_found("cannot read config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  v1::Config config;
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(ss.str(), &config)) {
    return invalid_argument("config file '" + path + "': " + errors.first);
  }
  return config;
}

Result<l2tags::TagStack> to_tag_stack(const v1::TagStack& stack, const l2tags::TpidSet& tpids,
                                      const std::string& field) {
  if (stack.tags_size() > l2tags::kMaxTags) {
    return invalid_argument(field + ": " + std::to_string(stack.tags_size()) + " tags, at most 8");
  }
  l2tags::TagStack out;
  for (int i = 0; i < stack.tags_size(); ++i) {
    const auto& t = stack.tags(i);
    STRATA_RETURN_IF_ERROR(check_tag(t, tpids, field + ".tags[" + std::to_string(i) + "]", false));
    out.push_inner(l2tags::Tag{static_cast<uint16_t>(t.tpid() == 0 ? 0x8100 : t.tpid()),
                               static_cast<uint8_t>(t.pcp()), false, static_cast<uint16_t>(t.vid())});
  }
  return out;
}

Result<l2tags::StackPattern> to_stack_pattern(const v1::TagStack& stack, const l2tags::TpidSet& tpids,
                                              const std::string& field) {
  if (stack.tags_size() > l2tags::kMaxTags) {
    return invalid_argument(field + ": " + std::to_string(stack.tags_size()) + " tags, at most 8");
  }
  if (stack.tags_size() == 0) return invalid_argument(field + ": an allowed stack needs at least one tag");
  l2tags::StackPattern out;
  for (int i = 0; i < stack.tags_size(); ++i) {
    const auto& t = stack.tags(i);
    STRATA_RETURN_IF_ERROR(check_tag(t, tpids, field + ".tags[" + std::to_string(i) + "]", true));
    l2tags::TagPattern p;
    p.tpid = static_cast<uint16_t>(t.tpid() == 0 ? 0x8100 : t.tpid());
    if (!t.any_vid()) p.vid = static_cast<uint16_t>(t.vid());
    if (t.pcp() != 0) p.pcp = static_cast<uint8_t>(t.pcp());
    out.push_inner(p);
  }
  return out;
}

Status check_name(const std::string& name, const std::string& field, const char* what) {
  if (name.empty()) return invalid_argument(field + ": a " + what + " needs a name");
  if (name.size() > 64) return invalid_argument(field + ": '" + name.substr(0, 64) + "...' is longer than 64 characters");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == ':' || c == '@';
    if (!ok) {
      std::string shown;
      for (char d : name) shown += (d >= 0x20 && d < 0x7f) ? d : '?';
      return invalid_argument(field + ": '" + shown + "' may contain only letters, digits and - _ . : @");
    }
  }
  return Status::ok();
}

Result<l2tags::TpidSet> plan_tpids(const v1::DatapathSettings& datapath) {
  if (datapath.tpids_size() == 0) return l2tags::TpidSet{};
  std::vector<uint16_t> tpids;
  for (uint32_t t : datapath.tpids()) {
    if (t > 0xffff) return invalid_argument("datapath.tpids: " + std::to_string(t) + " is not a 16-bit value");
    tpids.push_back(static_cast<uint16_t>(t));
  }
  auto set = l2tags::TpidSet::make(tpids);
  if (!set) return set.status().with_context("datapath.tpids");
  return *set;
}

Result<PortPlan> plan_port(const v1::Port& port, const l2tags::TpidSet& tpids, const std::string& pf) {
  STRATA_RETURN_IF_ERROR(check_name(port.name(), pf + ".name", "port"));
  if (port.type().empty()) return invalid_argument(pf + ".type: port '" + port.name() + "' needs a type");
  if (auto driver = vnic::find_port_driver(port.type()); !driver) return driver.status().with_context(pf + ".type");
  if (port.ofport() > kMaxOfport) {
    return invalid_argument(pf + ".ofport: " + std::to_string(port.ofport()) + " is reserved (1.." +
                            std::to_string(kMaxOfport) + ", or 0 for the lowest free)");
  }
  for (const auto& [k, v] : port.options()) {
    if (k.empty()) return invalid_argument(pf + ".options: an option needs a key");
    if (k.find_first_of(",=") != std::string::npos || v.find(',') != std::string::npos) {
      return invalid_argument(pf + ".options[" + k + "]: keys may not contain ',' or '=', values not ','");
    }
  }
  PortPlan pp;
  pp.spec.name = port.name();
  pp.spec.type = port.type();
  for (const auto& [k, v] : port.options()) pp.spec.options[k] = v;
  pp.bridge.name = port.name();
  pp.bridge.ofport = port.ofport();
  if (port.has_access()) {
    auto stack = to_tag_stack(port.access().stack(), tpids, pf + ".access.stack");
    if (!stack) return stack.status();
    if (stack->size() == 0) return invalid_argument(pf + ".access.stack: an access port needs at least one tag");
    pp.bridge.mode = ofproto::TagMode::kAccess;
    pp.bridge.access = *stack;
  } else if (port.has_trunk()) {
    for (int a = 0; a < port.trunk().allowed_size(); ++a) {
      auto pat = to_stack_pattern(port.trunk().allowed(a), tpids, pf + ".trunk.allowed[" + std::to_string(a) + "]");
      if (!pat) return pat.status();
      pp.bridge.allowed.push_back(*pat);
    }
  }
  return pp;
}

Result<BridgePlan> plan_bridge(const v1::Bridge& br, const l2tags::TpidSet& tpids, const std::string& bf) {
  STRATA_RETURN_IF_ERROR(check_name(br.name(), bf + ".name", "bridge"));
  if (!v1::FailMode_IsValid(br.fail_mode())) {
    return invalid_argument(bf + ".fail_mode: " + std::to_string(br.fail_mode()) + " is not a fail mode");
  }
  std::set<std::string> targets;
  for (int c = 0; c < br.controllers_size(); ++c) {
    const std::string cf = bf + ".controllers[" + std::to_string(c) + "]";
    STRATA_RETURN_IF_ERROR(check_controller_target(br.controllers(c), cf));
    if (!targets.insert(br.controllers(c)).second) {
      return invalid_argument(cf + ": '" + br.controllers(c) + "' is listed twice");
    }
  }
  BridgePlan bp;
  bp.name = br.name();
  bp.secure = br.fail_mode() == v1::FAIL_MODE_SECURE;
  bp.datapath_id = br.datapath_id();
  bp.controllers.assign(br.controllers().begin(), br.controllers().end());
  std::set<std::string> names;
  std::set<uint32_t> ofports;
  for (int p = 0; p < br.ports_size(); ++p) {
    const auto& port = br.ports(p);
    const std::string pf = bf + ".ports[" + std::to_string(p) + "]";
    auto pp = plan_port(port, tpids, pf);
    if (!pp) return pp.status();
    if (!names.insert(port.name()).second) {
      return invalid_argument(pf + ".name: port '" + port.name() + "' is defined twice");
    }
    if (port.ofport() != 0 && !ofports.insert(port.ofport()).second) {
      return invalid_argument(pf + ".ofport: " + std::to_string(port.ofport()) + " is used twice on bridge '" +
                              br.name() + "'");
    }
    bp.ports.push_back(std::move(*pp));
  }
  return bp;
}

Result<ConfigPlan> plan_config(const v1::Config& config) {
  ConfigPlan plan;
  auto tpids = plan_tpids(config.datapath());
  if (!tpids) return tpids.status();
  plan.tpids = *tpids;
  if (config.datapath().megaflow_idle_ms() != 0) plan.megaflow_idle_ms = config.datapath().megaflow_idle_ms();
  if (config.datapath().emc_insert_inv_prob() != 0) plan.emc_insert_inv_prob = config.datapath().emc_insert_inv_prob();

  std::set<std::string> bridge_names, port_names;
  std::set<uint64_t> dpids;
  for (int b = 0; b < config.bridges_size(); ++b) {
    const auto& br = config.bridges(b);
    const std::string bf = "bridges[" + std::to_string(b) + "]";
    auto bp = plan_bridge(br, plan.tpids, bf);
    if (!bp) return bp.status();
    if (!bridge_names.insert(br.name()).second) {
      return invalid_argument(bf + ".name: bridge '" + br.name() + "' is defined twice");
    }
    if (br.datapath_id() != 0 && !dpids.insert(br.datapath_id()).second) {
      return invalid_argument(bf + ".datapath_id: " + std::to_string(br.datapath_id()) + " is used twice");
    }
    for (int p = 0; p < br.ports_size(); ++p) {
      if (!port_names.insert(br.ports(p).name()).second) {
        return invalid_argument(bf + ".ports[" + std::to_string(p) + "].name: port '" + br.ports(p).name() +
                                "' is defined twice");
      }
    }
    plan.bridges.push_back(std::move(*bp));
  }
  auto dcns = plan_dcns(config, plan.tpids);
  if (!dcns) return dcns.status();
  plan.dcns = std::move(*dcns);
  return plan;
}

}  // namespace strata::daemon
