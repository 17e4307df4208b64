#include "daemon/stratactl/flow_syntax.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "daemon/stratactl/tag_text.h"

namespace strata::ctl {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

// Decimal, or hex with 0x; at most `max`.
Result<uint64_t> number(const std::string& what, const std::string& text, uint64_t max) {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const std::string digits = hex ? text.substr(2) : text;
  if (digits.empty() || digits.size() > (hex ? 16u : 20u) ||
      digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") != std::string::npos) {
    return invalid_argument(what + ": \"" + text + "\" is not a number");
  }
  uint64_t v = 0;
  try {
    v = std::stoull(digits, nullptr, hex ? 16 : 10);
  } catch (const std::exception&) {
    return invalid_argument(what + ": \"" + text + "\" is too large");
  }
  if (v > max) return invalid_argument(what + ": " + text + " is out of range 0.." + std::to_string(max));
  return v;
}

// The fields before `actions=` (which takes the rest, commas and all).
struct Split {
  std::vector<std::string> fields;   // key[=value] items
  std::optional<std::string> actions;  // after actions=
};

Split split_flow(const std::string& text) {
  Split out;
  size_t start = 0;
  while (start <= text.size()) {
    if (text.compare(start, 8, "actions=") == 0) {
      out.actions = text.substr(start + 8);
      return out;
    }
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.fields.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Protocol shorthands, as in ovs-ofctl.
bool apply_shorthand(const std::string& key, v1::FlowMatch* m) {
  struct Short {
    const char* name;
    uint32_t eth_type;
    int ip_proto;  // -1: none
  };
  static const Short shorts[] = {{"ip", 0x0800, -1},  {"ipv6", 0x86dd, -1}, {"arp", 0x0806, -1},
                                 {"tcp", 0x0800, 6},  {"udp", 0x0800, 17},  {"icmp", 0x0800, 1},
                                 {"sctp", 0x0800, 132}, {"tcp6", 0x86dd, 6}, {"udp6", 0x86dd, 17}};
  for (const auto& s : shorts) {
    if (key != s.name) continue;
    m->set_eth_type(s.eth_type);
    if (s.ip_proto >= 0) m->set_ip_proto(static_cast<uint32_t>(s.ip_proto));
    return true;
  }
  return false;
}

// One match field; false when `key` is not a match field.
Result<bool> apply_match_field(const std::string& key, const std::string& value, const std::string& item,
                               v1::FlowMatch* m) {
  if (key == "in_port") {
    auto v = number(item, value, 0xffffffff);
    if (!v) return v.status();
    m->set_in_port(static_cast<uint32_t>(*v));
  } else if (key == "tags") {
    auto t = parse_stack_match(value);
    if (!t) return t.status().with_context(item);
    *m->mutable_tags() = *t;
  } else if (key == "dl_src" || key == "eth_src") {
    m->set_eth_src(value);
  } else if (key == "dl_dst" || key == "eth_dst") {
    m->set_eth_dst(value);
  } else if (key == "dl_type" || key == "eth_type") {
    auto v = number(item, value, 0xffff);
    if (!v) return v.status();
    m->set_eth_type(static_cast<uint32_t>(*v));
  } else if (key == "nw_src" || key == "ip_src" || key == "ipv4_src") {
    m->set_ipv4_src(value);
  } else if (key == "nw_dst" || key == "ip_dst" || key == "ipv4_dst") {
    m->set_ipv4_dst(value);
  } else if (key == "nw_proto" || key == "ip_proto") {
    auto v = number(item, value, 255);
    if (!v) return v.status();
    m->set_ip_proto(static_cast<uint32_t>(*v));
  } else if (key == "tp_src" || key == "tcp_src" || key == "udp_src") {
    auto v = number(item, value, 65535);
    if (!v) return v.status();
    m->set_tp_src(static_cast<uint32_t>(*v));
  } else if (key == "tp_dst" || key == "tcp_dst" || key == "udp_dst") {
    auto v = number(item, value, 65535);
    if (!v) return v.status();
    m->set_tp_dst(static_cast<uint32_t>(*v));
  } else if (key == "metadata") {
    const auto parts = split(value, '/');
    if (parts.size() > 2) return invalid_argument(item + ": expected metadata=VALUE[/MASK]");
    auto v = number(item, parts[0], UINT64_MAX);
    if (!v) return v.status();
    m->set_metadata(*v);
    if (parts.size() == 2) {
      auto mask = number(item, parts[1], UINT64_MAX);
      if (!mask) return mask.status();
      m->set_metadata_mask(*mask);
    }
  } else {
    return false;
  }
  return true;
}

Status parse_action(const std::string& item, v1::Flow* flow) {
  const std::string l = lower(item);
  const auto parts = split(item, ':');
  const std::string head = lower(parts[0]);
  auto* a = flow->add_actions();
  static const std::pair<const char*, v1::ReservedPort> reserved[] = {
      {"normal", v1::RESERVED_PORT_NORMAL}, {"flood", v1::RESERVED_PORT_FLOOD},
      {"all", v1::RESERVED_PORT_ALL},       {"in_port", v1::RESERVED_PORT_IN_PORT},
      {"local", v1::RESERVED_PORT_LOCAL}};
  for (const auto& [name, port] : reserved) {
    if (l == name) {
      a->set_output_reserved(port);
      return Status::ok();
    }
  }
  if (!item.empty() && item.find_first_not_of("0123456789") == std::string::npos) {
    auto v = number("action " + item, item, 0xffffffff);
    if (!v) return v.status();
    a->set_output(static_cast<uint32_t>(*v));
    return Status::ok();
  }
  auto arg = [&](size_t i, uint64_t max) { return number("action " + item, parts[i], max); };
  if (head == "output" && parts.size() == 2) {
    auto v = arg(1, 0xffffffff);
    if (!v) return v.status();
    a->set_output(static_cast<uint32_t>(*v));
  } else if (head == "controller" && parts.size() <= 2) {
    a->mutable_controller()->set_max_len(0);
    if (parts.size() == 2) {
      auto v = arg(1, 65535);
      if (!v) return v.status();
      a->mutable_controller()->set_max_len(static_cast<uint32_t>(*v));
    }
  } else if (head == "push_tag" && (parts.size() == 3 || parts.size() == 4)) {
    auto stack = parse_stack_text(item.substr(9));
    if (!stack) return stack.status().with_context("action " + item);
    *a->mutable_push_tag() = stack->tags(0);
  } else if (head == "pop_tag" && parts.size() == 1) {
    a->mutable_pop_tag();
  } else if ((head == "set_vid" || head == "set_pcp") && parts.size() == 3) {
    auto depth = arg(1, 255);
    if (!depth) return depth.status();
    auto v = arg(2, 0xffff);
    if (!v) return v.status();
    a->mutable_set_tag()->set_depth(static_cast<uint32_t>(*depth));
    if (head == "set_vid") {
      a->mutable_set_tag()->set_vid(static_cast<uint32_t>(*v));
    } else {
      a->mutable_set_tag()->set_pcp(static_cast<uint32_t>(*v));
    }
  } else if ((head == "set_eth_src" || head == "mod_dl_src") && parts.size() == 7) {
    a->set_set_eth_src(item.substr(item.find(':') + 1));
  } else if ((head == "set_eth_dst" || head == "mod_dl_dst") && parts.size() == 7) {
    a->set_set_eth_dst(item.substr(item.find(':') + 1));
  } else if (head == "group" && parts.size() == 2) {
    auto v = arg(1, 0xffffffff);
    if (!v) return v.status();
    a->set_group(static_cast<uint32_t>(*v));
  } else {
    flow->mutable_actions()->RemoveLast();
    return invalid_argument("action \"" + item + "\" is not one stratactl knows (see stratactl add-flow --help)");
  }
  return Status::ok();
}

Status parse_actions(const std::string& text, v1::Flow* flow) {
  if (text.empty()) return invalid_argument("actions= is empty (write actions=drop to drop)");
  const auto items = split(text, ',');
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& item = items[i];
    const std::string l = lower(item);
    if (l == "drop") {
      if (items.size() != 1) return invalid_argument("action drop cannot be combined with other actions");
      continue;
    }
    if (l.rfind("goto_table:", 0) == 0) {
      if (i + 1 != items.size()) return invalid_argument("goto_table must be the last action");
      auto v = number("action " + item, item.substr(11), 254);
      if (!v) return v.status();
      flow->set_goto_table(static_cast<uint32_t>(*v));
      continue;
    }
    STRATA_RETURN_IF_ERROR(parse_action(item, flow));
  }
  return Status::ok();
}

}  // namespace

Result<v1::Flow> parse_flow(const std::string& text) {
  const Split s = split_flow(text);
  if (!s.actions) return invalid_argument("flow \"" + text + "\" has no actions= (e.g. actions=output:2)");
  v1::Flow flow;
  flow.set_priority(kDefaultPriority);
  for (const auto& item : s.fields) {
    const size_t eq = item.find('=');
    const std::string key = lower(item.substr(0, eq));
    const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (eq == std::string::npos) {
      if (apply_shorthand(key, flow.mutable_match())) continue;
      return invalid_argument("\"" + item + "\" is not a field (expected KEY=VALUE)");
    }
    Result<uint64_t> v = uint64_t{0};
    if (key == "table") {
      if (!(v = number(item, value, 254))) return v.status();
      flow.set_table(static_cast<uint32_t>(*v));
    } else if (key == "priority") {
      if (!(v = number(item, value, 65535))) return v.status();
      flow.set_priority(static_cast<uint32_t>(*v));
    } else if (key == "cookie") {
      if (!(v = number(item, value, UINT64_MAX))) return v.status();
      flow.set_cookie(*v);
    } else if (key == "idle_timeout" || key == "hard_timeout") {
      if (!(v = number(item, value, 65535))) return v.status();
      key == "idle_timeout" ? flow.set_idle_timeout(static_cast<uint32_t>(*v))
                            : flow.set_hard_timeout(static_cast<uint32_t>(*v));
    } else {
      auto known = apply_match_field(key, value, item, flow.mutable_match());
      if (!known) return known.status();
      if (!*known) return invalid_argument("\"" + key + "\" is not a flow field (see stratactl add-flow --help)");
    }
  }
  STRATA_RETURN_IF_ERROR(parse_actions(*s.actions, &flow));
  return flow;
}

Result<FlowSelector> parse_selector(const std::string& text) {
  const Split s = split_flow(text);
  if (s.actions) return invalid_argument("a match takes no actions=");
  FlowSelector sel;
  for (const auto& item : s.fields) {
    const size_t eq = item.find('=');
    const std::string key = lower(item.substr(0, eq));
    const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (eq == std::string::npos) {
      if (apply_shorthand(key, &sel.match)) continue;
      return invalid_argument("\"" + item + "\" is not a field (expected KEY=VALUE)");
    }
    Result<uint64_t> v = uint64_t{0};
    if (key == "table") {
      if (!(v = number(item, value, 254))) return v.status();
      sel.table = static_cast<uint32_t>(*v);
    } else if (key == "priority") {
      if (!(v = number(item, value, 65535))) return v.status();
      sel.priority = static_cast<uint32_t>(*v);
    } else if (key == "out_port") {
      if (!(v = number(item, value, 0xffffffff))) return v.status();
      sel.out_port = static_cast<uint32_t>(*v);
    } else if (key == "cookie") {
      const auto parts = split(value, '/');
      if (parts.size() > 2) return invalid_argument(item + ": expected cookie=VALUE[/MASK]");
      if (!(v = number(item, parts[0], UINT64_MAX))) return v.status();
      sel.cookie = *v;
      sel.cookie_mask = UINT64_MAX;
      if (parts.size() == 2) {
        if (!(v = number(item, parts[1], UINT64_MAX))) return v.status();
        sel.cookie_mask = *v;
      }
    } else {
      auto known = apply_match_field(key, value, item, &sel.match);
      if (!known) return known.status();
      if (!*known) return invalid_argument("\"" + key + "\" is not a match field (see stratactl del-flows --help)");
    }
  }
  return sel;
}

std::string format_match(const v1::FlowMatch& m) {
  std::vector<std::string> f;
  if (m.has_in_port()) f.push_back(fmt::format("in_port={}", m.in_port()));
  if (m.has_tags()) f.push_back("tags=" + format_stack_match(m.tags()));
  if (!m.eth_src().empty()) f.push_back("dl_src=" + m.eth_src());
  if (!m.eth_dst().empty()) f.push_back("dl_dst=" + m.eth_dst());
  if (m.has_eth_type()) f.push_back(fmt::format("dl_type=0x{:04x}", m.eth_type()));
  if (!m.ipv4_src().empty()) f.push_back("nw_src=" + m.ipv4_src());
  if (!m.ipv4_dst().empty()) f.push_back("nw_dst=" + m.ipv4_dst());
  if (m.has_ip_proto()) f.push_back(fmt::format("nw_proto={}", m.ip_proto()));
  if (m.has_tp_src()) f.push_back(fmt::format("tp_src={}", m.tp_src()));
  if (m.has_tp_dst()) f.push_back(fmt::format("tp_dst={}", m.tp_dst()));
  if (m.has_metadata()) {
    f.push_back(m.metadata_mask() != 0 ? fmt::format("metadata=0x{:x}/0x{:x}", m.metadata(), m.metadata_mask())
                                       : fmt::format("metadata=0x{:x}", m.metadata()));
  }
  std::string out;
  for (const auto& s : f) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string format_actions(const v1::Flow& flow) {
  std::vector<std::string> f;
  for (const auto& a : flow.actions()) {
    switch (a.kind_case()) {
      case v1::Action::kOutput: f.push_back(fmt::format("output:{}", a.output())); break;
      case v1::Action::kOutputReserved: {
        std::string name = v1::ReservedPort_Name(a.output_reserved());
        f.push_back(name.rfind("RESERVED_PORT_", 0) == 0 ? name.substr(14) : name);
        break;
      }
      case v1::Action::kPushTag: {
        v1::TagStack one;
        *one.add_tags() = a.push_tag();
        f.push_back("push_tag:" + format_stack(one));
        break;
      }
      case v1::Action::kPopTag: f.push_back("pop_tag"); break;
      case v1::Action::kSetTag:
        if (a.set_tag().has_vid()) f.push_back(fmt::format("set_vid:{}:{}", a.set_tag().depth(), a.set_tag().vid()));
        if (a.set_tag().has_pcp()) f.push_back(fmt::format("set_pcp:{}:{}", a.set_tag().depth(), a.set_tag().pcp()));
        break;
      case v1::Action::kSetEthSrc: f.push_back("set_eth_src:" + a.set_eth_src()); break;
      case v1::Action::kSetEthDst: f.push_back("set_eth_dst:" + a.set_eth_dst()); break;
      case v1::Action::kController:
        f.push_back(a.controller().max_len() != 0 ? fmt::format("controller:{}", a.controller().max_len())
                                                  : std::string("controller"));
        break;
      case v1::Action::kGroup: f.push_back(fmt::format("group:{}", a.group())); break;
      case v1::Action::KIND_NOT_SET: break;
    }
  }
  if (flow.has_goto_table()) f.push_back(fmt::format("goto_table:{}", flow.goto_table()));
  if (f.empty()) return "drop";
  std::string out;
  for (const auto& s : f) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string format_flow(const v1::Flow& flow) {
  std::string out = fmt::format("table={},priority={}", flow.table(), flow.priority());
  if (flow.cookie() != 0) out += fmt::format(",cookie=0x{:x}", flow.cookie());
  if (flow.idle_timeout() != 0) out += fmt::format(",idle_timeout={}", flow.idle_timeout());
  if (flow.hard_timeout() != 0) out += fmt::format(",hard_timeout={}", flow.hard_timeout());
  const std::string match = format_match(flow.match());
  if (!match.empty()) out += "," + match;
  return out + ",actions=" + format_actions(flow);
}

}  // namespace strata::ctl
