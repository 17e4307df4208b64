#include "daemon/config_loader.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <fstream>
#include <set>
#include <sstream>

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

Result<ConfigPlan> plan_config(const v1::Config& config) {
  ConfigPlan plan;
  if (config.datapath().tpids_size() > 0) {
    std::vector<uint16_t> tpids;
    for (uint32_t t : config.datapath().tpids()) {
      if (t > 0xffff) return invalid_argument("datapath.tpids: " + std::to_string(t) + " is not a 16-bit value");
      tpids.push_back(static_cast<uint16_t>(t));
    }
    auto set = l2tags::TpidSet::make(tpids);
    if (!set) return set.status().with_context("datapath.tpids");
    plan.tpids = *set;
  }
  if (config.datapath().megaflow_idle_ms() != 0) plan.megaflow_idle_ms = config.datapath().megaflow_idle_ms();
  if (config.datapath().emc_insert_inv_prob() != 0) plan.emc_insert_inv_prob = config.datapath().emc_insert_inv_prob();

  std::set<std::string> bridge_names, port_names;
  for (int b = 0; b < config.bridges_size(); ++b) {
    const auto& br = config.bridges(b);
    const std::string bf = "bridges[" + std::to_string(b) + "]";
    if (br.name().empty()) return invalid_argument(bf + ".name: a bridge needs a name");
    if (!bridge_names.insert(br.name()).second) {
      return invalid_argument(bf + ".name: bridge '" + br.name() + "' is defined twice");
    }
    BridgePlan bp;
    bp.name = br.name();
    std::set<uint32_t> ofports;
    for (int p = 0; p < br.ports_size(); ++p) {
      const auto& port = br.ports(p);
      const std::string pf = bf + ".ports[" + std::to_string(p) + "]";
      if (port.name().empty()) return invalid_argument(pf + ".name: a port needs a name");
      if (!port_names.insert(port.name()).second) {
        return invalid_argument(pf + ".name: port '" + port.name() + "' is defined twice");
      }
      if (port.type().empty()) return invalid_argument(pf + ".type: port '" + port.name() + "' needs a type");
      if (auto driver = vnic::find_port_driver(port.type()); !driver) {
        return driver.status().with_context(pf + ".type");
      }
      if (port.ofport() != 0 && !ofports.insert(port.ofport()).second) {
        return invalid_argument(pf + ".ofport: " + std::to_string(port.ofport()) + " is used twice on bridge '" +
                                br.name() + "'");
      }
      PortPlan pp;
      pp.spec.name = port.name();
      pp.spec.type = port.type();
      for (const auto& [k, v] : port.options()) pp.spec.options[k] = v;
      pp.bridge.name = port.name();
      pp.bridge.ofport = port.ofport();
      if (port.has_access()) {
        auto stack = to_tag_stack(port.access().stack(), plan.tpids, pf + ".access.stack");
        if (!stack) return stack.status();
        if (stack->size() == 0) return invalid_argument(pf + ".access.stack: an access port needs at least one tag");
        pp.bridge.mode = ofproto::TagMode::kAccess;
        pp.bridge.access = *stack;
      } else if (port.has_trunk()) {
        for (int a = 0; a < port.trunk().allowed_size(); ++a) {
          auto pat = to_stack_pattern(port.trunk().allowed(a), plan.tpids,
                                      pf + ".trunk.allowed[" + std::to_string(a) + "]");
          if (!pat) return pat.status();
          pp.bridge.allowed.push_back(*pat);
        }
      }
      bp.ports.push_back(std::move(pp));
    }
    plan.bridges.push_back(std::move(bp));
  }
  return plan;
}

}  // namespace strata::daemon
