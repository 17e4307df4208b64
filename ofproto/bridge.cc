#include "ofproto/bridge.h"

#include <rte_cycles.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "ofproto/tag_domain.h"

namespace strata::ofproto {

namespace {

uint64_t now_ms() { return rte_get_tsc_cycles() / std::max<uint64_t>(1, rte_get_tsc_hz() / 1000); }

void mask_mac(uint8_t m[6]) { std::memset(m, 0xff, 6); }

}  // namespace

Status Bridge::add_port(const BridgePort& port) {
  if (find_port(port.name) != nullptr) return already_exists("port '" + port.name + "' is already on bridge '" + name_ + "'");
  if (ports_.count(port.ofport) != 0) {
    return already_exists("bridge '" + name_ + "' already has OpenFlow port " + std::to_string(port.ofport));
  }
  ports_[port.ofport] = port;
  by_dp_[port.dp_port] = port.ofport;
  revalidate_floods();
  return Status::ok();
}

Status Bridge::remove_port(const std::string& name) {
  const BridgePort* p = find_port(name);
  if (p == nullptr) return not_found("bridge '" + name_ + "' has no port '" + name + "'");
  const uint32_t ofport = p->ofport;
  by_dp_.erase(p->dp_port);
  ports_.erase(ofport);
  macs_.flush_port(ofport);
  revalidate_floods();
  return Status::ok();
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
  const datapath::FlowKey& key = *upcall.key;
  datapath::FlowMask& mask = out->mask;
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
  std::vector<const BridgePort*> outs;
  const bool group = (key.eth_dst[0] & 1) != 0;
  std::optional<uint32_t> learned = group ? std::nullopt : macs_.lookup(*service, key.eth_dst, now);
  if (learned) {
    auto it = ports_.find(*learned);
    if (it != ports_.end() && it->second.ofport != in->ofport && egress_allowed(it->second, *service)) {
      outs.push_back(&it->second);
    }
  } else {
    for (const auto& [no, p] : ports_) {
      if (no != in->ofport && egress_allowed(p, *service)) outs.push_back(&p);
    }
  }
  if (outs.empty()) return;

  // Each output wants the service stack minus its own strip depth. Visit
  // them by strip depth ascending: pushes (of the access stack) happen once,
  // first, then only pops follow, so no popped tag is ever needed again.
  std::stable_sort(outs.begin(), outs.end(), [](const BridgePort* a, const BridgePort* b) {
    return egress_strip_depth(*a) < egress_strip_depth(*b);
  });
  int cur = in->mode == TagMode::kAccess ? in->access.size() : 0;  // service tags not on the frame now
  for (const BridgePort* p : outs) {
    const int want = egress_strip_depth(*p);
    for (int d = cur - 1; d >= want; --d) out->actions.push_tag((*service)[d]);
    for (int d = cur; d < want; ++d) out->actions.pop_tag();
    cur = want;
    out->actions.output(p->dp_port);
  }
}

}  // namespace strata::ofproto
