#include "daemon/flow_convert.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <rte_cycles.h>

#include <algorithm>
#include <cstdio>

#include "ofproto/ofp_constants.h"

namespace strata::daemon {

namespace ofp = ofproto::ofp;
using ofproto::FieldId;

namespace {

using ofproto::FieldId;
using ofproto::OfAction;

bool parse_mac(const std::string& text, uint8_t out[6]) {
  unsigned b[6];
  char tail;
  if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6) {
    return false;
  }
  for (int i = 0; i < 6; ++i) out[i] = static_cast<uint8_t>(b[i]);
  return true;
}

std::string mac_text(const uint8_t* m) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5]);
}

std::string ipv4_text(uint32_t host) {
  const uint32_t net = htonl(host);
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &net, buf, sizeof(buf));
  return buf;
}

// "10.0.0.0/24", "10.0.0.1", "10.0.0.0/255.255.255.0" -> host-order value and mask.
bool parse_ipv4(const std::string& text, uint32_t* value, uint32_t* mask) {
  const size_t slash = text.find('/');
  in_addr a{};
  if (inet_pton(AF_INET, text.substr(0, slash).c_str(), &a) != 1) return false;
  *value = ntohl(a.s_addr);
  *mask = 0xffffffff;
  if (slash != std::string::npos) {
    const std::string m = text.substr(slash + 1);
    in_addr am{};
    if (inet_pton(AF_INET, m.c_str(), &am) == 1) {
      *mask = ntohl(am.s_addr);
    } else {
      if (m.empty() || m.size() > 2 || m.find_first_not_of("0123456789") != std::string::npos) return false;
      const int len = std::stoi(m);
      if (len > 32) return false;
      *mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
    }
  }
  *value &= *mask;
  return true;
}

std::string ipv4_masked_text(uint32_t v, uint32_t m) {
  if (m == 0xffffffff) return ipv4_text(v);
  const int len = __builtin_popcount(m);
  if (m == (len == 0 ? 0u : ~uint32_t{0} << (32 - len))) return ipv4_text(v) + "/" + std::to_string(len);
  return ipv4_text(v) + "/" + ipv4_text(m);
}

FieldId tp_field(uint32_t ip_proto, bool src) {
  switch (ip_proto) {
    case 17: return src ? FieldId::kUdpSrc : FieldId::kUdpDst;
    case 132: return src ? FieldId::kSctpSrc : FieldId::kSctpDst;
    default: return src ? FieldId::kTcpSrc : FieldId::kTcpDst;
  }
}

struct Reserved {
  v1::ReservedPort proto;  // the API's name
  uint32_t port;           // OpenFlow's number
};
constexpr Reserved kReserved[] = {
    {v1::RESERVED_PORT_NORMAL, ofp::kPortNormal},   {v1::RESERVED_PORT_FLOOD, ofp::kPortFlood},
    {v1::RESERVED_PORT_ALL, ofp::kPortAll},         {v1::RESERVED_PORT_IN_PORT, ofp::kPortInPort},
    {v1::RESERVED_PORT_CONTROLLER, ofp::kPortController}, {v1::RESERVED_PORT_LOCAL, ofp::kPortLocal},
};

// A field's value as text: MACs and IPv4 in their usual forms, VIDs as
// the tag-stack notation reads them, the rest in decimal (hex when wide).
std::string value_text(const ofproto::FieldInfo& f, const ofproto::FieldValue& v) {
  if (f.loc == ofproto::FieldLoc::kBytes && f.wire_len == 6) return mac_text(v.bytes.data());
  if (f.loc == ofproto::FieldLoc::kBytes && f.wire_len == 16) {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, v.bytes.data(), buf, sizeof(buf));
    return buf;
  }
  const uint64_t x = ofproto::field_uint(f, v);
  if (f.id == FieldId::kIpv4Src || f.id == FieldId::kIpv4Dst || f.id == FieldId::kArpSpa || f.id == FieldId::kArpTpa) {
    return ipv4_text(static_cast<uint32_t>(x));
  }
  if (f.wire_len >= 2 && (f.id == FieldId::kEthType || f.loc == ofproto::FieldLoc::kVid || f.wire_len >= 8 ||
                          (f.id >= FieldId::kTagTpid1 && f.id < FieldId::kTagVid1))) {
    return fmt::format("0x{:x}", x);
  }
  return std::to_string(x);
}

std::string action_text(const OfAction& a) {
  switch (a.kind) {
    case ofproto::ActionKind::kOutput:
      for (const auto& r : kReserved) {
        if (r.port != a.port) continue;
        std::string name = v1::ReservedPort_Name(r.proto).substr(14);
        if (r.port == ofp::kPortController && a.max_len != ofp::kControllerMaxLenNoBuffer) {
          name += fmt::format(":{}", a.max_len);
        }
        return name;
      }
      return a.port == ofp::kPortTable ? std::string("TABLE") : fmt::format("output:{}", a.port);
    case ofproto::ActionKind::kGroup: return fmt::format("group:{}", a.port);
    case ofproto::ActionKind::kPushVlan: return fmt::format("push_vlan:0x{:04x}", a.ethertype);
    case ofproto::ActionKind::kPopVlan: return "pop_vlan";
    case ofproto::ActionKind::kSetField: {
      const auto& f = ofproto::field_info(a.field);
      return fmt::format("set_field:{}={}", f.name, value_text(f, a.value));
    }
    case ofproto::ActionKind::kSetQueue: return fmt::format("set_queue:{}", a.port);
  }
  return "?";
}

std::string actions_list_text(const ofproto::OfActions& acts) {
  std::string out;
  for (const auto& a : acts) {
    if (!out.empty()) out += ',';
    out += action_text(a);
  }
  return out;
}

}  // namespace

uint64_t ofproto_now_ms() { return rte_get_tsc_cycles() / std::max<uint64_t>(1, rte_get_tsc_hz() / 1000); }

Result<ofproto::Match> to_match(const v1::FlowMatch& m, const std::string& f) {
  ofproto::Match out;
  if (m.has_in_port()) out.set_in_port(m.in_port());
  if (m.has_tags()) {
    l2tags::StackPattern p;
    for (const auto& t : m.tags().tags()) {
      l2tags::TagPattern tp;
      tp.tpid = static_cast<uint16_t>(t.tpid() == 0 ? 0x8100 : t.tpid());
      if (t.has_vid()) tp.vid = static_cast<uint16_t>(t.vid());
      if (t.has_pcp()) tp.pcp = static_cast<uint8_t>(t.pcp());
      if (!p.push_inner(tp)) return invalid_argument(f + ".tags.tags: more than 8 tags");
    }
    if (m.tags().outer_only()) {
      for (int d = 0; d < p.size(); ++d) out.set_tag(d + 1, p[d]);
    } else {
      out.set_tag_stack(p);
    }
  }
  uint8_t mac[6], mask[6];
  for (const auto& [name, text, src] : {std::tuple{"eth_src", &m.eth_src(), true}, std::tuple{"eth_dst", &m.eth_dst(), false}}) {
    if (text->empty()) continue;
    const size_t slash = text->find('/');
    if (!parse_mac(text->substr(0, slash), mac) || (slash != std::string::npos && !parse_mac(text->substr(slash + 1), mask))) {
      return invalid_argument(f + "." + name + ": '" + *text + "' is not a MAC address");
    }
    const uint8_t* mp = slash == std::string::npos ? nullptr : mask;
    if (src) {
      out.set_eth_src(mac, mp);
    } else {
      out.set_eth_dst(mac, mp);
    }
  }
  if (m.has_eth_type()) out.set_eth_type(static_cast<uint16_t>(m.eth_type()));
  for (const auto& [name, text, id] : {std::tuple{"ipv4_src", &m.ipv4_src(), FieldId::kIpv4Src},
                                       std::tuple{"ipv4_dst", &m.ipv4_dst(), FieldId::kIpv4Dst}}) {
    if (text->empty()) continue;
    uint32_t v = 0, mk = 0;
    if (!parse_ipv4(*text, &v, &mk)) return invalid_argument(f + "." + name + ": '" + *text + "' is not an IPv4 prefix");
    out.set_uint_masked(id, v, mk);
  }
  if (m.has_ip_proto()) out.set_uint(FieldId::kIpProto, m.ip_proto());
  if (m.has_tp_src()) out.set_uint(tp_field(m.ip_proto(), true), m.tp_src());
  if (m.has_tp_dst()) out.set_uint(tp_field(m.ip_proto(), false), m.tp_dst());
  if (m.has_metadata()) out.set_metadata(m.metadata(), m.metadata_mask() == 0 ? ~uint64_t{0} : m.metadata_mask());
  if (ofproto::OfStatus st = ofproto::check_prerequisites(out); !st) {
    return invalid_argument(f + ": " + st.to_status().message());
  }
  return out;
}

Result<ofproto::OfActions> to_actions(const google::protobuf::RepeatedPtrField<v1::Action>& actions,
                                      const std::string& f) {
  ofproto::OfActions out;
  for (int i = 0; i < actions.size(); ++i) {
    const v1::Action& a = actions[i];
    const std::string af = f + "[" + std::to_string(i) + "]";
    switch (a.kind_case()) {
      case v1::Action::kOutput: out.push_back(OfAction::output(a.output())); break;
      case v1::Action::kOutputReserved: {
        bool found = false;
        for (const auto& r : kReserved) {
          if (r.proto == a.output_reserved()) {
            out.push_back(OfAction::output(r.port));
            found = true;
          }
        }
        if (!found) return invalid_argument(af + ".output_reserved: not a reserved port");
        break;
      }
      case v1::Action::kPushTag:
        ofproto::append_push_tag(out, l2tags::Tag{static_cast<uint16_t>(a.push_tag().tpid() == 0 ? 0x8100 : a.push_tag().tpid()),
                                                  static_cast<uint8_t>(a.push_tag().pcp()), false,
                                                  static_cast<uint16_t>(a.push_tag().vid())});
        break;
      case v1::Action::kPopTag: out.push_back(OfAction::pop_vlan()); break;
      case v1::Action::kSetTag: {
        const int depth = static_cast<int>(a.set_tag().depth()) + 1;  // ofproto counts from 1
        if (a.set_tag().has_vid()) {
          out.push_back(OfAction::set_field(depth == 1 ? FieldId::kVlanVid : ofproto::tag_field(ofproto::TagAttr::kVid, depth),
                                            ofp::kVidPresent | a.set_tag().vid()));
        }
        if (a.set_tag().has_pcp()) {
          out.push_back(OfAction::set_field(depth == 1 ? FieldId::kVlanPcp : ofproto::tag_field(ofproto::TagAttr::kPcp, depth),
                                            a.set_tag().pcp()));
        }
        break;
      }
      case v1::Action::kSetEthSrc:
      case v1::Action::kSetEthDst: {
        const bool src = a.kind_case() == v1::Action::kSetEthSrc;
        const std::string& text = src ? a.set_eth_src() : a.set_eth_dst();
        ofproto::FieldValue v;
        if (!parse_mac(text, v.bytes.data())) {
          return invalid_argument(af + (src ? ".set_eth_src" : ".set_eth_dst") + ": '" + text + "' is not a MAC address");
        }
        out.push_back(OfAction::set_field_bytes(src ? FieldId::kEthSrc : FieldId::kEthDst, v));
        break;
      }
      case v1::Action::kController:
        out.push_back(OfAction::output(ofp::kPortController, a.controller().max_len() == 0
                                                                  ? ofp::kControllerMaxLenNoBuffer
                                                                  : static_cast<uint16_t>(a.controller().max_len())));
        break;
      case v1::Action::kGroup: out.push_back(OfAction::group(a.group())); break;
      case v1::Action::KIND_NOT_SET: return invalid_argument(af + ": an action needs a kind");
    }
  }
  return out;
}

Result<ofproto::FlowMod> to_flow_mod(const v1::Flow& flow, const std::string& f) {
  ofproto::FlowMod fm;
  fm.command = ofproto::FlowCommand::kAdd;
  fm.table_id = static_cast<uint8_t>(flow.table());
  fm.priority = static_cast<uint16_t>(flow.priority());
  fm.cookie = flow.cookie();
  fm.idle_timeout = static_cast<uint16_t>(flow.idle_timeout());
  fm.hard_timeout = static_cast<uint16_t>(flow.hard_timeout());
  auto match = to_match(flow.match(), f + ".match");
  if (!match) return match.status();
  fm.match = *match;
  auto acts = to_actions(flow.actions(), f + ".actions");
  if (!acts) return acts.status();
  if (!acts->empty() || !flow.has_goto_table()) fm.instructions.apply = std::move(*acts);
  if (flow.has_goto_table()) fm.instructions.goto_table = static_cast<uint8_t>(flow.goto_table());
  return fm;
}

bool from_match(const ofproto::Match& m, v1::FlowMatch* out) {
  out->Clear();
  uint64_t v = 0;
  if (ofproto::match_exact(m, FieldId::kInPort, &v)) out->set_in_port(static_cast<uint32_t>(v));
  // Tags: consecutive present depths from 1, then maybe "no tag here".
  v1::StackMatch stack;
  bool any_tag_info = false, ended = false;
  for (int d = 1; d <= l2tags::kMaxTags && !ended; ++d) {
    const auto& vf = ofproto::field_info(ofproto::tag_field(ofproto::TagAttr::kVid, d));
    ofproto::FieldValue val, msk;
    bool exact = false;
    if (!ofproto::field_from_match(vf, m.value, m.mask, &val, &msk, &exact)) break;
    const uint64_t vv = ofproto::field_uint(vf, val), mm = ofproto::field_uint(vf, msk);
    if ((mm & ofp::kVidPresent) == 0) break;
    any_tag_info = true;
    if ((vv & ofp::kVidPresent) == 0) {
      ended = true;
      break;
    }
    v1::TagMatch* t = stack.add_tags();
    if (ofproto::match_exact(m, ofproto::tag_field(ofproto::TagAttr::kTpid, d), &v)) t->set_tpid(static_cast<uint32_t>(v));
    if ((mm & 0x0fff) == 0x0fff) t->set_vid(static_cast<uint32_t>(vv & 0x0fff));
    if (ofproto::match_exact(m, ofproto::tag_field(ofproto::TagAttr::kPcp, d), &v)) t->set_pcp(static_cast<uint32_t>(v));
  }
  if (any_tag_info) {
    stack.set_outer_only(!ended);
    *out->mutable_tags() = stack;
  }
  for (const auto& [id, src] : {std::pair{FieldId::kEthSrc, true}, std::pair{FieldId::kEthDst, false}}) {
    ofproto::FieldValue val, msk;
    bool exact = false;
    if (!ofproto::field_from_match(ofproto::field_info(id), m.value, m.mask, &val, &msk, &exact)) continue;
    std::string text = mac_text(val.bytes.data());
    if (!exact) {
      text += '/';
      text += mac_text(msk.bytes.data());
    }
    src ? out->set_eth_src(text) : out->set_eth_dst(text);
  }
  if (ofproto::match_exact(m, FieldId::kEthType, &v)) out->set_eth_type(static_cast<uint32_t>(v));
  for (const auto& [id, src] : {std::pair{FieldId::kIpv4Src, true}, std::pair{FieldId::kIpv4Dst, false}}) {
    const auto& fi = ofproto::field_info(id);
    ofproto::FieldValue val, msk;
    bool exact = false;
    if (!ofproto::field_from_match(fi, m.value, m.mask, &val, &msk, &exact)) continue;
    const std::string text = ipv4_masked_text(static_cast<uint32_t>(ofproto::field_uint(fi, val)),
                                              static_cast<uint32_t>(ofproto::field_uint(fi, msk)));
    src ? out->set_ipv4_src(text) : out->set_ipv4_dst(text);
  }
  if (ofproto::match_exact(m, FieldId::kIpProto, &v)) out->set_ip_proto(static_cast<uint32_t>(v));
  if (out->has_ip_proto()) {
    if (ofproto::match_exact(m, tp_field(out->ip_proto(), true), &v)) out->set_tp_src(static_cast<uint32_t>(v));
    if (ofproto::match_exact(m, tp_field(out->ip_proto(), false), &v)) out->set_tp_dst(static_cast<uint32_t>(v));
  }
  {
    const auto& fi = ofproto::field_info(FieldId::kMetadata);
    ofproto::FieldValue val, msk;
    bool exact = false;
    if (ofproto::field_from_match(fi, m.value, m.mask, &val, &msk, &exact)) {
      out->set_metadata(ofproto::field_uint(fi, val));
      if (!exact) out->set_metadata_mask(ofproto::field_uint(fi, msk));
    }
  }
  // Whatever the native form cannot say makes the round trip differ.
  auto back = to_match(*out, "");
  return back && *back == m;
}

bool from_instructions(const ofproto::Instructions& ins, v1::Flow* out) {
  out->clear_actions();
  out->clear_goto_table();
  if (ins.goto_table) out->set_goto_table(*ins.goto_table);
  if (ins.apply) {
    const auto& acts = *ins.apply;
    for (size_t i = 0; i < acts.size(); ++i) {
      const OfAction& a = acts[i];
      v1::Action* pa = out->add_actions();
      switch (a.kind) {
        case ofproto::ActionKind::kOutput: {
          if (a.port == ofp::kPortController) {
            pa->mutable_controller()->set_max_len(a.max_len == ofp::kControllerMaxLenNoBuffer ? 0 : a.max_len);
            break;
          }
          bool reserved = false;
          for (const auto& r : kReserved) {
            if (r.port == a.port) {
              pa->set_output_reserved(r.proto);
              reserved = true;
            }
          }
          if (!reserved) pa->set_output(a.port);
          break;
        }
        case ofproto::ActionKind::kGroup: pa->set_group(a.port); break;
        case ofproto::ActionKind::kPopVlan: pa->mutable_pop_tag(); break;
        case ofproto::ActionKind::kPushVlan: {
          // The native push_tag is push_vlan + set vlan_vid + set vlan_pcp.
          v1::Tag* t = pa->mutable_push_tag();
          t->set_tpid(a.ethertype);
          if (i + 1 < acts.size() && acts[i + 1].kind == ofproto::ActionKind::kSetField &&
              acts[i + 1].field == FieldId::kVlanVid) {
            t->set_vid(static_cast<uint32_t>(ofproto::field_uint(ofproto::field_info(FieldId::kVlanVid), acts[i + 1].value) & 0x0fff));
            ++i;
          }
          if (i + 1 < acts.size() && acts[i + 1].kind == ofproto::ActionKind::kSetField &&
              acts[i + 1].field == FieldId::kVlanPcp) {
            t->set_pcp(static_cast<uint32_t>(ofproto::field_uint(ofproto::field_info(FieldId::kVlanPcp), acts[i + 1].value)));
            ++i;
          }
          break;
        }
        case ofproto::ActionKind::kSetField: {
          const auto& fi = ofproto::field_info(a.field);
          const uint64_t x = ofproto::field_uint(fi, a.value);
          int depth = -1;
          bool vid = false;
          if (a.field == FieldId::kVlanVid || a.field == FieldId::kVlanPcp) {
            depth = 0;
            vid = a.field == FieldId::kVlanVid;
          } else if (a.field >= FieldId::kTagVid1 && a.field < FieldId::kCount) {
            const int rel = static_cast<int>(a.field) - static_cast<int>(FieldId::kTagVid1);
            depth = rel % 8;
            vid = rel < 8;
          }
          if (depth >= 0) {
            pa->mutable_set_tag()->set_depth(static_cast<uint32_t>(depth));
            vid ? pa->mutable_set_tag()->set_vid(static_cast<uint32_t>(x & 0x0fff))
                : pa->mutable_set_tag()->set_pcp(static_cast<uint32_t>(x));
          } else if (a.field == FieldId::kEthSrc) {
            pa->set_set_eth_src(mac_text(a.value.bytes.data()));
          } else if (a.field == FieldId::kEthDst) {
            pa->set_set_eth_dst(mac_text(a.value.bytes.data()));
          } else {
            out->mutable_actions()->RemoveLast();
          }
          break;
        }
        case ofproto::ActionKind::kSetQueue: out->mutable_actions()->RemoveLast(); break;
      }
    }
  }
  auto back = to_actions(out->actions(), "");
  if (!back) return false;
  ofproto::Instructions rebuilt;
  if (!back->empty() || !out->has_goto_table()) rebuilt.apply = std::move(*back);
  if (out->has_goto_table()) rebuilt.goto_table = static_cast<uint8_t>(out->goto_table());
  return rebuilt == ins;
}

std::string match_text(const ofproto::Match& m) {
  std::string out;
  for (const auto& f : ofproto::field_table()) {
    if (f.id == FieldId::kVlanVid || f.id == FieldId::kVlanPcp) continue;  // the same bits as tag1_vid / tag1_pcp
    ofproto::FieldValue v, mk;
    bool exact = false;
    if (!ofproto::field_from_match(f, m.value, m.mask, &v, &mk, &exact)) continue;
    if (!out.empty()) out += ',';
    out += f.name;
    out += '=';
    out += value_text(f, v);
    if (!exact) {
      out += '/';
      out += value_text(f, mk);
    }
  }
  return out;
}

std::string instructions_text(const ofproto::Instructions& ins) {
  std::vector<std::string> parts;
  if (ins.apply) parts.push_back(ins.apply->empty() ? "drop" : actions_list_text(*ins.apply));
  if (ins.clear_actions) parts.push_back("clear_actions");
  if (ins.write) parts.push_back(fmt::format("write_actions({})", actions_list_text(*ins.write)));
  if (ins.metadata) parts.push_back(fmt::format("write_metadata:0x{:x}/0x{:x}", *ins.metadata, ins.metadata_mask));
  if (ins.goto_table) parts.push_back(fmt::format("goto_table:{}", *ins.goto_table));
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ',';
    out += p;
  }
  return out.empty() ? "drop" : out;
}

v1::FlowStats to_flow_stats(const ofproto::Rule& r, uint64_t now_ms) {
  v1::FlowStats s;
  v1::Flow* f = s.mutable_flow();
  f->set_table(r.table_id);
  f->set_priority(r.priority);
  f->set_cookie(r.cookie);
  f->set_idle_timeout(r.idle_timeout);
  f->set_hard_timeout(r.hard_timeout);
  const bool match_ok = from_match(r.match, f->mutable_match());
  const bool ins_ok = from_instructions(r.instructions, f);
  if (!match_ok || !ins_ok) {
    s.set_match_text(match_text(r.match));
    s.set_actions_text(instructions_text(r.instructions));
  }
  s.set_packets(r.packets);
  s.set_bytes(r.bytes);
  s.set_duration_ms(now_ms > r.created_ms ? now_ms - r.created_ms : 0);
  const uint64_t used = r.used_ms != 0 ? r.used_ms : r.created_ms;
  s.set_idle_ms(now_ms > used ? now_ms - used : 0);
  return s;
}

}  // namespace strata::daemon
