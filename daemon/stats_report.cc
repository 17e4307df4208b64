#include "daemon/stats_report.h"

#include <fmt/format.h>

#include "l2tags/notation.h"
#include "ofproto/tag_domain.h"

namespace strata::daemon {

std::string port_stats_table(const datapath::Dpif& dpif) {
  std::string out = fmt::format("{:<4} {:<12} {:<9} {:>12} {:>12} {:>9} {:>12} {:>12} {:>9} {:>9} {:>9}\n", "no",
                                "port", "type", "rx_pkts", "rx_bytes", "rx_drop", "tx_pkts", "tx_bytes", "tx_drop",
                                "malformed", "upcalls");
  for (const auto& p : dpif.port_list()) {
    auto s = dpif.port_stats(p.port_no);
    if (!s) continue;
    out += fmt::format("{:<4} {:<12} {:<9} {:>12} {:>12} {:>9} {:>12} {:>12} {:>9} {:>9} {:>9}\n", p.port_no,
                       p.spec.name, p.spec.type, s->rx_packets, s->rx_bytes, s->rx_dropped + s->upcall_dropped,
                       s->tx_packets, s->tx_bytes, s->tx_dropped + s->tx_errors, s->malformed, s->upcalls);
  }
  return out;
}

std::string port_xstats_report(const datapath::Dpif& dpif) {
  std::string out;
  for (const auto& p : dpif.port_list()) {
    auto xs = dpif.port_xstats(p.port_no);
    if (!xs) continue;
    std::string line;
    for (const auto& x : *xs) {
      if (x.value != 0) line += fmt::format(" {}={}", x.name, x.value);
    }
    out += fmt::format("{:<4} {}:{}\n", p.port_no, p.spec.name, line.empty() ? " (none non-zero)" : line);
  }
  return out;
}

std::string pmd_stats_table(const datapath::Dpif& dpif) {
  std::string out;
  for (const auto& s : dpif.pmd_stats()) {
    uint64_t busy = 0;
    for (int i = 0; i < datapath::kStageCount; ++i) {
      if (i != datapath::kStageIdle) busy += s.cycles[i];
    }
    const double pkts = s.packets > 0 ? static_cast<double>(s.packets) : 1.0;
    out += fmt::format("pmd {} (cpu {}, {} rxqs): {} packets, {:.1f} cycles/packet busy, {} sleeps\n", s.pmd, s.cpu,
                       s.rxqs, s.packets, static_cast<double>(busy) / pkts, s.sleeps);
    out += fmt::format("  lookups: batch {} emc {} megaflow {} miss {}\n", s.batch_hits, s.emc_hits,
                       s.megaflow_hits, s.misses);
    out += "  cycles/packet by stage:";
    for (int i = 0; i < datapath::kStageCount; ++i) {
      if (i == datapath::kStageIdle) continue;
      out += fmt::format(" {} {:.1f}", datapath::pmd_stage_name(i), static_cast<double>(s.cycles[i]) / pkts);
    }
    out += fmt::format("; idle {:.3f} s\n", s.tsc_hz ? static_cast<double>(s.cycles[datapath::kStageIdle]) / s.tsc_hz : 0.0);
  }
  return out;
}

std::string megaflow_table(const datapath::Dpif& dpif) {
  std::string out;
  for (const auto& f : dpif.flow_dump()) {
    const auto& k = f.key;
    std::string tags = f.mask.tag_depth ? l2tags::format(ofproto::stack_from_key(k)) : "*";
    out += fmt::format(
        "in_port={},tags={},dl_src={:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x},dl_dst={:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}"
        " packets:{} bytes:{} idle:{}ms actions:{}\n",
        k.in_port, tags.empty() ? "none" : tags, k.eth_src[0], k.eth_src[1], k.eth_src[2], k.eth_src[3],
        k.eth_src[4], k.eth_src[5], k.eth_dst[0], k.eth_dst[1], k.eth_dst[2], k.eth_dst[3], k.eth_dst[4],
        k.eth_dst[5], f.packets, f.bytes, f.idle_ms, f.actions);
  }
  return out;
}

}  // namespace strata::daemon
