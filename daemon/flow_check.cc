#include "daemon/flow_check.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstdio>
#include <tuple>

#include "daemon/config_loader.h"
#include "l2tags/tag.h"

namespace strata::daemon {

namespace {

bool is_mac(const std::string& s) {
  if (s.size() != 17) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i % 3 == 2) {
      if (c != ':') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

Status check_range(uint64_t v, uint64_t max, const std::string& field) {
  if (v > max) return invalid_argument(field + ": " + std::to_string(v) + " is out of range 0.." + std::to_string(max));
  return Status::ok();
}

Status check_tpid(uint32_t tpid, const l2tags::TpidSet& tpids, const std::string& field) {
  const uint32_t t = tpid == 0 ? 0x8100 : tpid;
  if (t > 0xffff || !tpids.contains(static_cast<uint16_t>(t))) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "0x%x", t);
    return invalid_argument(field + ": " + buf + " is not a recognised TPID");
  }
  return Status::ok();
}

}  // namespace

bool is_mac_or_masked(const std::string& text, bool allow_mask) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return is_mac(text);
  return allow_mask && is_mac(text.substr(0, slash)) && is_mac(text.substr(slash + 1));
}

bool is_ipv4_or_prefix(const std::string& text) {
  const size_t slash = text.find('/');
  in_addr a{};
  if (inet_pton(AF_INET, text.substr(0, slash).c_str(), &a) != 1) return false;
  if (slash == std::string::npos) return true;
  const std::string m = text.substr(slash + 1);
  if (inet_pton(AF_INET, m.c_str(), &a) == 1) return true;
  if (m.empty() || m.size() > 2 || m.find_first_not_of("0123456789") != std::string::npos) return false;
  return std::stoi(m) <= 32;
}

Status check_flow_match(const v1::FlowMatch& m, const l2tags::TpidSet& tpids, const std::string& f) {
  if (m.has_in_port()) {
    if (m.in_port() == 0) return invalid_argument(f + ".in_port: 0 is not a port");
    STRATA_RETURN_IF_ERROR(check_range(m.in_port(), kMaxOfport, f + ".in_port"));
  }
  if (m.has_tags()) {
    const auto& tags = m.tags().tags();
    if (tags.size() > l2tags::kMaxTags) {
      return invalid_argument(f + ".tags.tags: " + std::to_string(tags.size()) + " tags, at most 8");
    }
    for (int i = 0; i < tags.size(); ++i) {
      const std::string tf = f + ".tags.tags[" + std::to_string(i) + "]";
      STRATA_RETURN_IF_ERROR(check_tpid(tags[i].tpid(), tpids, tf + ".tpid"));
      if (tags[i].has_vid()) STRATA_RETURN_IF_ERROR(check_range(tags[i].vid(), l2tags::kMaxVid, tf + ".vid"));
      if (tags[i].has_pcp()) STRATA_RETURN_IF_ERROR(check_range(tags[i].pcp(), l2tags::kMaxPcp, tf + ".pcp"));
    }
  }
  if (!m.eth_src().empty() && !is_mac_or_masked(m.eth_src(), true)) {
    return invalid_argument(f + ".eth_src: '" + m.eth_src() + "' is not a MAC address (xx:xx:xx:xx:xx:xx[/mask])");
  }
  if (!m.eth_dst().empty() && !is_mac_or_masked(m.eth_dst(), true)) {
    return invalid_argument(f + ".eth_dst: '" + m.eth_dst() + "' is not a MAC address (xx:xx:xx:xx:xx:xx[/mask])");
  }
  if (m.has_eth_type()) STRATA_RETURN_IF_ERROR(check_range(m.eth_type(), 0xffff, f + ".eth_type"));
  const bool ipv4 = m.has_eth_type() && m.eth_type() == 0x0800;
  const bool ip = ipv4 || (m.has_eth_type() && m.eth_type() == 0x86dd);
  for (const auto& [name, value] : {std::pair{"ipv4_src", &m.ipv4_src()}, std::pair{"ipv4_dst", &m.ipv4_dst()}}) {
    if (value->empty()) continue;
    if (!ipv4) return invalid_argument(f + "." + name + ": needs eth_type 0x0800 (ip)");
    if (!is_ipv4_or_prefix(*value)) {
      return invalid_argument(f + "." + name + ": '" + *value + "' is not an IPv4 address or prefix");
    }
  }
  if (m.has_ip_proto()) {
    if (!ip) return invalid_argument(f + ".ip_proto: needs eth_type 0x0800 or 0x86dd");
    STRATA_RETURN_IF_ERROR(check_range(m.ip_proto(), 255, f + ".ip_proto"));
  }
  for (const auto& [name, has, value] : {std::tuple{"tp_src", m.has_tp_src(), m.tp_src()},
                                          std::tuple{"tp_dst", m.has_tp_dst(), m.tp_dst()}}) {
    if (!has) continue;
    if (!m.has_ip_proto() || (m.ip_proto() != 6 && m.ip_proto() != 17 && m.ip_proto() != 132)) {
      return invalid_argument(f + "." + name + ": needs ip_proto 6 (TCP), 17 (UDP) or 132 (SCTP)");
    }
    STRATA_RETURN_IF_ERROR(check_range(value, 65535, f + "." + name));
  }
  if (!m.has_metadata() && m.metadata_mask() != 0) {
    return invalid_argument(f + ".metadata_mask: set without metadata");
  }
  return Status::ok();
}

Status check_action(const v1::Action& a, const l2tags::TpidSet& tpids, const std::string& f) {
  switch (a.kind_case()) {
    case v1::Action::kOutput:
      if (a.output() == 0) return invalid_argument(f + ".output: 0 is not a port");
      return check_range(a.output(), kMaxOfport, f + ".output");
    case v1::Action::kOutputReserved:
      if (a.output_reserved() == v1::RESERVED_PORT_UNSPECIFIED || !v1::ReservedPort_IsValid(a.output_reserved())) {
        return invalid_argument(f + ".output_reserved: " + std::to_string(a.output_reserved()) +
                                " is not a reserved port");
      }
      return Status::ok();
    case v1::Action::kPushTag:
      if (a.push_tag().any_vid()) return invalid_argument(f + ".push_tag.any_vid: a pushed tag needs a VID");
      STRATA_RETURN_IF_ERROR(check_tpid(a.push_tag().tpid(), tpids, f + ".push_tag.tpid"));
      STRATA_RETURN_IF_ERROR(check_range(a.push_tag().vid(), l2tags::kMaxVid, f + ".push_tag.vid"));
      return check_range(a.push_tag().pcp(), l2tags::kMaxPcp, f + ".push_tag.pcp");
    case v1::Action::kPopTag:
      return Status::ok();
    case v1::Action::kSetTag:
      STRATA_RETURN_IF_ERROR(check_range(a.set_tag().depth(), l2tags::kMaxTags - 1, f + ".set_tag.depth"));
      if (!a.set_tag().has_vid() && !a.set_tag().has_pcp()) {
        return invalid_argument(f + ".set_tag: sets neither vid nor pcp");
      }
      if (a.set_tag().has_vid()) STRATA_RETURN_IF_ERROR(check_range(a.set_tag().vid(), l2tags::kMaxVid, f + ".set_tag.vid"));
      if (a.set_tag().has_pcp()) STRATA_RETURN_IF_ERROR(check_range(a.set_tag().pcp(), l2tags::kMaxPcp, f + ".set_tag.pcp"));
      return Status::ok();
    case v1::Action::kSetEthSrc:
      if (!is_mac_or_masked(a.set_eth_src(), false)) {
        return invalid_argument(f + ".set_eth_src: '" + a.set_eth_src() + "' is not a MAC address");
      }
      return Status::ok();
    case v1::Action::kSetEthDst:
      if (!is_mac_or_masked(a.set_eth_dst(), false)) {
        return invalid_argument(f + ".set_eth_dst: '" + a.set_eth_dst() + "' is not a MAC address");
      }
      return Status::ok();
    case v1::Action::kController:
      return check_range(a.controller().max_len(), 65535, f + ".controller.max_len");
    case v1::Action::kGroup:
      return check_range(a.group(), 0xffffff00, f + ".group");
    case v1::Action::KIND_NOT_SET:
      break;
  }
  return invalid_argument(f + ": an action needs a kind");
}

Status check_flow(const v1::Flow& flow, const l2tags::TpidSet& tpids, const std::string& f) {
  STRATA_RETURN_IF_ERROR(check_range(flow.table(), kMaxTable, f + ".table"));
  STRATA_RETURN_IF_ERROR(check_range(flow.priority(), 65535, f + ".priority"));
  STRATA_RETURN_IF_ERROR(check_flow_match(flow.match(), tpids, f + ".match"));
  for (int i = 0; i < flow.actions_size(); ++i) {
    STRATA_RETURN_IF_ERROR(check_action(flow.actions(i), tpids, f + ".actions[" + std::to_string(i) + "]"));
  }
  if (flow.has_goto_table()) {
    STRATA_RETURN_IF_ERROR(check_range(flow.goto_table(), kMaxTable, f + ".goto_table"));
    if (flow.goto_table() <= flow.table()) {
      return invalid_argument(f + ".goto_table: " + std::to_string(flow.goto_table()) +
                              " must be greater than the flow's table " + std::to_string(flow.table()));
    }
  }
  STRATA_RETURN_IF_ERROR(check_range(flow.idle_timeout(), 65535, f + ".idle_timeout"));
  return check_range(flow.hard_timeout(), 65535, f + ".hard_timeout");
}

}  // namespace strata::daemon
