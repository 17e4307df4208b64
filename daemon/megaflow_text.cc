#include "daemon/megaflow_text.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>

namespace strata::daemon {

namespace {

bool any_set(const uint8_t* p, size_t n) {
  return std::any_of(p, p + n, [](uint8_t b) { return b != 0; });
}

std::string mac_text(const uint8_t m[6]) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5]);
}

// "02:..:01" for a full mask, "02:..:00/ff:ff:ff:00:00:00" otherwise.
std::string masked_mac(const uint8_t v[6], const uint8_t m[6]) {
  const uint8_t full[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  if (std::equal(m, m + 6, full)) return mac_text(v);
  return mac_text(v) + "/" + mac_text(m);
}

std::string ipv4_text(uint32_t net_order) {
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &net_order, buf, sizeof(buf));
  return buf;
}

std::string masked_ipv4(uint32_t v, uint32_t m) {
  const uint32_t host_mask = ntohl(m);
  const int prefix = __builtin_popcount(host_mask);
  // A contiguous mask reads as a prefix length; anything else in full.
  if (prefix == 32) return ipv4_text(v);
  if (host_mask == (prefix == 0 ? 0u : ~0u << (32 - prefix))) return ipv4_text(v) + "/" + std::to_string(prefix);
  return ipv4_text(v) + "/" + ipv4_text(m);
}

// The tag levels the mask consults, in the tag-stack notation.
std::string tags_text(const datapath::FlowKey& k, const datapath::FlowMask& m) {
  int levels = 0;
  for (int i = 0; i < l2tags::kMaxTags; ++i) {
    if (m.tags[i].tpid != 0 || m.tags[i].tci != 0) levels = i + 1;
  }
  const bool exact_depth = m.tag_depth != 0;
  if (exact_depth) levels = std::min<int>(levels, k.tag_depth);
  if (exact_depth && k.tag_depth == 0) return "none";
  std::string out;
  for (int i = 0; i < levels; ++i) {
    if (!out.empty()) out += '/';
    out += m.tags[i].tpid != 0 ? fmt::format("{:04x}", k.tags[i].tpid) : "*";
    out += (m.tags[i].tci & 0x0fff) == 0x0fff ? fmt::format(":{}", k.tags[i].tci & 0x0fff) : ":*";
    if ((m.tags[i].tci & 0xe000) != 0) out += fmt::format(":{}", k.tags[i].tci >> 13);
  }
  if (!exact_depth) out += out.empty() ? "..." : "/...";
  return out;
}

}  // namespace

std::string format_megaflow_match(const datapath::FlowKey& k, const datapath::FlowMask& m,
                                  const std::function<std::optional<uint32_t>(uint32_t)>& ofport_of) {
  std::string out;
  auto add = [&out](const std::string& field) {
    if (!out.empty()) out += ',';
    out += field;
  };
  if (m.in_port != 0) {
    const auto of = ofport_of(k.in_port);
    add(of ? fmt::format("in_port={}", *of) : fmt::format("dp_port={}", k.in_port));
  }
  bool tags = m.tag_depth != 0;
  for (int i = 0; i < l2tags::kMaxTags; ++i) tags = tags || m.tags[i].tpid != 0 || m.tags[i].tci != 0;
  if (tags) add("tags=" + tags_text(k, m));
  if (any_set(m.eth_src, 6)) add("dl_src=" + masked_mac(k.eth_src, m.eth_src));
  if (any_set(m.eth_dst, 6)) add("dl_dst=" + masked_mac(k.eth_dst, m.eth_dst));
  if (m.eth_type != 0) add(fmt::format("dl_type=0x{:04x}", k.eth_type));
  if (m.ip_proto != 0) add(fmt::format("nw_proto={}", k.ip_proto));
  if (m.nw_src != 0) add("nw_src=" + masked_ipv4(k.nw_src, m.nw_src));
  if (m.nw_dst != 0) add("nw_dst=" + masked_ipv4(k.nw_dst, m.nw_dst));
  if (m.tp_src != 0) add(fmt::format("tp_src={}", ntohs(k.tp_src)));
  if (m.tp_dst != 0) add(fmt::format("tp_dst={}", ntohs(k.tp_dst)));
  if (out.empty()) out = "any";
  return out;
}

}  // namespace strata::daemon
