// Bridge: ports, link and port-config state, and NORMAL. The OpenFlow side
// (upcalls through the pipeline, flow API, revalidation, statistics) is in
// bridge_pipeline.cc.
#include "ofproto/bridge.h"

#include <rte_cycles.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "ofproto/connmgr.h"
#include "ofproto/tag_domain.h"

namespace strata::ofproto {

namespace {

void mask_mac(uint8_t m[6]) { std::memset(m, 0xff, 6); }

// A default datapath id from the bridge name (as OVS derives one from a MAC).
uint64_t dpid_from_name(const std::string& name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
  return h & 0x0000ffffffffffffull;
}

}  // namespace

Bridge::Bridge(std::string name, datapath::Dpif& dpif, PacketInContexts* contexts)
    : name_(std::move(name)), dpif_(dpif), contexts_(contexts) {
  if (contexts_ == nullptr) {
    own_contexts_ = std::make_unique<PacketInContexts>();
    contexts_ = own_contexts_.get();
  }
  datapath_id_ = dpid_from_name(name_);
  // No controller: a learning switch, through a visible flow (as OVS).
  FlowMod fm;
  fm.priority = 0;
  fm.instructions = Instructions::apply_actions({OfAction::output(ofp::kPortNormal)});
  (void)pipeline_.flow_mod(fm, now_ms(), nullptr);
  pipeline_.clear_dirty();
}

Bridge::~Bridge() = default;

uint64_t Bridge::now_ms() const {
  const uint64_t hz = rte_get_tsc_hz();
  if (hz < 1000) {
    // No EAL (unit tests): the TSC rate is unknown, and raw cycles taken
    // as milliseconds would age a MAC entry in a fraction of a millisecond.
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }
  return rte_get_tsc_cycles() / (hz / 1000);
}

void Bridge::set_datapath_id(uint64_t id) { datapath_id_ = id != 0 ? id : dpid_from_name(name_); }

Status Bridge::add_port(const BridgePort& port) {
  if (find_port(port.name) != nullptr) return already_exists("port '" + port.name + "' is already on bridge '" + name_ + "'");
  if (ports_.count(port.ofport) != 0) {
    return already_exists("bridge '" + name_ + "' already has OpenFlow port " + std::to_string(port.ofport));
  }
  BridgePort p = port;
  p.added_ms = now_ms();
  ports_[p.ofport] = p;
  by_dp_[p.dp_port] = p.ofport;
  link_up_[p.ofport] = false;
  revalidate_floods();
  if (pipeline_.flow_count() != 0) revalidate_all();
  send_port_status(ofp::kPprAdd, p);
  return Status::ok();
}

Status Bridge::remove_port(const std::string& name) {
  const BridgePort* p = find_port(name);
  if (p == nullptr) return not_found("bridge '" + name_ + "' has no port '" + name + "'");
  const BridgePort gone = *p;
  by_dp_.erase(gone.dp_port);
  ports_.erase(gone.ofport);
  link_up_.erase(gone.ofport);
  macs_.flush_port(gone.ofport);
  revalidate_floods();
  revalidate_all();
  send_port_status(ofp::kPprDelete, gone);
  return Status::ok();
}

Status Bridge::set_port_mode(const std::string& name, TagMode mode) {
  for (auto& [no, p] : ports_) {
    if (p.name != name) continue;
    if (p.mode == mode) return Status::ok();
    p.mode = mode;
    macs_.flush_port(no);
    revalidate_floods();
    revalidate_all();
    return Status::ok();
  }
  return not_found("bridge '" + name_ + "' has no port '" + name + "'");
}

const BridgePort* Bridge::find_port(const std::string& name) const {
  for (const auto& [no, p] : ports_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const BridgePort* Bridge::port_by_dp(uint32_t dp_port) const {
  auto it = by_dp_.find(dp_port);
  return it == by_dp_.end() ? nullptr : &ports_.at(it->second);
}

uint32_t Bridge::next_free_ofport() const {
  uint32_t n = 1;
  while (ports_.count(n) != 0) ++n;
  return n;
}

OfStatus Bridge::set_port_config(uint32_t ofport, uint32_t config, uint32_t mask) {
  auto it = ports_.find(ofport);
  if (it == ports_.end()) return OfStatus(ofp::kEtPortModFailed, ofp::kPmfcBadPort, "no port " + std::to_string(ofport));
  if ((config | mask) & ~ofp::kPortConfigMask) {
    return OfStatus(ofp::kEtPortModFailed, ofp::kPmfcBadConfig, "unsupported port config bits");
  }
  const uint32_t next = (it->second.of_config & ~mask) | (config & mask);
  if (next == it->second.of_config) return OfStatus::ok();
  it->second.of_config = next;
  revalidate_all();
  send_port_status(ofp::kPprModify, it->second);
  return OfStatus::ok();
}

bool Bridge::port_live(uint32_t ofport) const {
  const BridgePort* p = port(ofport);
  if (p == nullptr || (p->of_config & ofp::kPcPortDown)) return false;
  auto it = link_up_.find(ofport);
  return it != link_up_.end() && it->second;
}

msg::Port Bridge::describe_port(const BridgePort& p) const {
  msg::Port d;
  d.port_no = p.ofport;
  d.name = p.name;
  d.config = p.of_config;
  for (const auto& info : dpif_.port_list()) {
    if (info.port_no != p.dp_port) continue;
    unsigned m[6] = {};
    if (std::sscanf(info.mac.c_str(), "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6) {
      for (int i = 0; i < 6; ++i) d.hw_addr[static_cast<size_t>(i)] = static_cast<uint8_t>(m[i]);
    }
    if (!info.link_up) d.state |= ofp::kPsLinkDown;
  }
  if (!(d.state & ofp::kPsLinkDown) && !(p.of_config & ofp::kPcPortDown)) d.state |= ofp::kPsLive;
  d.curr = d.advertised = d.supported = ofp::kPf10GbFd | ofp::kPfCopper;
  d.curr_speed = d.max_speed = 10000000;  // kbps
  return d;
}

msg::PortStats Bridge::port_stats(const BridgePort& p, uint64_t now) const {
  msg::PortStats s;
  s.port_no = p.ofport;
  if (auto st = dpif_.port_stats(p.dp_port)) {
    s.rx_packets = st->rx_packets;
    s.tx_packets = st->tx_packets;
    s.rx_bytes = st->rx_bytes;
    s.tx_bytes = st->tx_bytes;
    s.rx_dropped = st->rx_dropped + st->malformed + st->upcall_dropped + st->unknown_tag;
    s.tx_dropped = st->tx_dropped;
    s.rx_errors = st->rx_errors;
    s.tx_errors = st->tx_errors;
  }
  const uint64_t age = now > p.added_ms ? now - p.added_ms : 0;
  s.duration_sec = static_cast<uint32_t>(age / 1000);
  s.duration_nsec = static_cast<uint32_t>((age % 1000) * 1000000);
  return s;
}

void Bridge::check_links() {
  bool changed = false;
  for (const auto& info : dpif_.port_list()) {
    const BridgePort* p = port_by_dp(info.port_no);
    if (p == nullptr) continue;
    bool& seen = link_up_[p->ofport];
    if (seen == info.link_up) continue;
    seen = info.link_up;
    changed = true;
    send_port_status(ofp::kPprModify, *p);
  }
  if (changed) revalidate_all();
}

void Bridge::revalidate_towards(const uint8_t mac[6]) {
  dpif_.flow_del_if([&](const datapath::MegaflowInfo& f) {
    return by_dp_.count(f.key.in_port) != 0 && std::memcmp(f.key.eth_dst, mac, 6) == 0;
  });
}

void Bridge::revalidate_floods() {
  dpif_.flow_del_if([&](const datapath::MegaflowInfo& f) {
    if (by_dp_.count(f.key.in_port) == 0 && !ports_.empty()) return false;
    // Group destinations always flood; unicast ones flood while unknown.
    return (f.key.eth_dst[0] & 1) != 0 || std::count(f.actions.begin(), f.actions.end(), ',') > 0 ||
           f.actions.find("output") == std::string::npos;
  });
}

void Bridge::translate_normal(const datapath::Upcall& upcall, datapath::UpcallResult* out) {
  normal(*upcall.key, &out->mask, &out->actions, nullptr);
}

void Bridge::normal(const datapath::FlowKey& key, datapath::FlowMask* mask_out, datapath::ActionBuilder* actions,
                    datapath::ActionBuilder* restore) {
  datapath::FlowMask& mask = *mask_out;
  // Consulted always: where it came from, its addresses, its whole stack.
  mask.in_port = 0xffffffff;
  mask_mac(mask.eth_src);
  mask_mac(mask.eth_dst);
  mask.tag_depth = 0xff;
  const BridgePort* in = port_by_dp(key.in_port);
  if (in == nullptr) return;  // a port being removed: drop
  const uint16_t tci_mask = consults_pcp(*in) ? 0xefff : 0x0fff;
  for (int i = 0; i < l2tags::kMaxTags; ++i) {
    mask.tags[i].tpid = 0xffff;
    mask.tags[i].tci = tci_mask;
  }

  const l2tags::TagStack frame = stack_from_key(key);
  const auto service = ingress_service_stack(*in, frame);
  if (!service) return;  // not in any domain this port carries: drop

  const uint64_t now = now_ms();
  if (macs_.learn(*service, key.eth_src, in->ofport, now)) revalidate_towards(key.eth_src);

  // Destinations: the learned port, or every other port of the domain.
  // Ports an OpenFlow PORT_MOD took down or out of forwarding are skipped.
  auto forwards = [](const BridgePort& p) { return (p.of_config & (ofp::kPcPortDown | ofp::kPcNoFwd)) == 0; };
  std::vector<const BridgePort*> outs;
  const bool group = (key.eth_dst[0] & 1) != 0;
  std::optional<uint32_t> learned = group ? std::nullopt : macs_.lookup(*service, key.eth_dst, now);
  if (learned) {
    auto it = ports_.find(*learned);
    if (it != ports_.end() && it->second.ofport != in->ofport && egress_allowed(it->second, *service) &&
        forwards(it->second)) {
      outs.push_back(&it->second);
    }
  } else {
    for (const auto& [no, p] : ports_) {
      if (no != in->ofport && egress_allowed(p, *service) && forwards(p)) outs.push_back(&p);
    }
  }
  if (outs.empty()) return;

  // Each output wants the service stack minus its own strip depth. Visit
  // them by strip depth ascending: pushes (of the access stack) happen once,
  // first, then only pops follow, so no popped tag is ever needed again.
  std::stable_sort(outs.begin(), outs.end(), [](const BridgePort* a, const BridgePort* b) {
    return egress_strip_depth(*a) < egress_strip_depth(*b);
  });
  const int arrived = in->mode == TagMode::kAccess ? in->access.size() : 0;  // service tags not on the frame
  int cur = arrived;
  for (const BridgePort* p : outs) {
    const int want = egress_strip_depth(*p);
    for (int d = cur - 1; d >= want; --d) actions->push_tag((*service)[d]);
    for (int d = cur; d < want; ++d) actions->pop_tag();
    cur = want;
    actions->output(p->dp_port);
  }
  if (restore != nullptr) {
    // The frame is now the service stack minus `cur` tags; it arrived minus `arrived`.
    for (int d = cur; d < arrived; ++d) restore->pop_tag();
    for (int d = cur - 1; d >= arrived; --d) restore->push_tag((*service)[d]);
  }
}

}  // namespace strata::ofproto
