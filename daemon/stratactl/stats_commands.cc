// dump-dpflows, port-stats, pmd-stats: the datapath's view.
#include <fmt/format.h>

#include "daemon/stratactl/command.h"
#include "daemon/stratactl/output.h"

namespace strata::ctl {

namespace {

using Mgmt = v1::Management::Stub;

Command dump_dpflows() {
  Command c;
  c.name = "dump-dpflows";
  c.usage = "BR";
  c.summary = "the datapath's megaflows entering on a bridge's ports";
  c.details =
      "The match shows only the fields the megaflow consults; in_port is the OpenFlow\n"
      "port number, output:N in actions the datapath port number (see show).";
  c.min_args = c.max_args = 1;
  c.run = [](Context& ctx, const Args& a) {
    v1::DumpDatapathFlowsRequest req;
    req.set_bridge(a.positional[0]);
    v1::DumpDatapathFlowsResponse resp;
    ctx.client.call(&Mgmt::DumpDatapathFlows, ctx.client.management(), req, &resp);
    if (ctx.json) return print_json(resp, ctx.out);
    for (const auto& f : resp.flows()) {
      ctx.out << fmt::format("{}, packets:{}, bytes:{}, idle:{}ms, actions:{}\n", f.match(), f.packets(), f.bytes(),
                             f.idle_ms(), f.actions());
    }
  };
  return c;
}

Command port_stats() {
  Command c;
  c.name = "port-stats";
  c.usage = "BR [--xstats]";
  c.summary = "the counters of a bridge's ports";
  c.details =
      "--xstats: also each device's extended statistics as its DPDK driver names them\n"
      "(vhost-user: rx_q0_good_packets, tx_q0_good_bytes, ...); counters at zero are left out\n"
      "of the table. --json always carries all of them (field xstats).";
  c.min_args = c.max_args = 1;
  c.options = [](po::options_description& d) {
    d.add_options()("xstats", po::bool_switch(), "also list each device's non-zero extended statistics");
  };
  c.run = [](Context& ctx, const Args& a) {
    v1::PortStatsRequest req;
    req.set_bridge(a.positional[0]);
    v1::PortStatsResponse resp;
    ctx.client.call(&Mgmt::PortStats, ctx.client.management(), req, &resp);
    if (ctx.json) return print_json(resp, ctx.out);
    Table t({"port", "ofport", "rx_pkts", "rx_bytes", "rx_drop", "rx_err", "tx_pkts", "tx_bytes", "tx_drop",
             "tx_err", "malformed", "upcalls"});
    t.set_numeric({false, true, true, true, true, true, true, true, true, true, true, true});
    for (const auto& p : resp.ports()) {
      auto n = [](uint64_t v) { return std::to_string(v); };
      t.add_row({p.port(), n(p.ofport()), n(p.rx_packets()), n(p.rx_bytes()), n(p.rx_dropped()), n(p.rx_errors()),
                 n(p.tx_packets()), n(p.tx_bytes()), n(p.tx_dropped()), n(p.tx_errors()), n(p.malformed()),
                 n(p.upcalls())});
    }
    t.print(ctx.out);
    if (!a.options["xstats"].as<bool>()) return;
    for (const auto& p : resp.ports()) {
      ctx.out << fmt::format("{} xstats:", p.port());
      size_t shown = 0;
      for (const auto& x : p.xstats()) {
        if (x.value() == 0) continue;
        ctx.out << fmt::format("\n  {:<40} {:>20}", x.name(), x.value());
        ++shown;
      }
      ctx.out << (shown == 0 ? " none non-zero\n" : "\n");
    }
  };
  return c;
}

Command pmd_stats() {
  Command c;
  c.name = "pmd-stats";
  c.summary = "per-PMD-thread counters and cycles per packet by stage";
  c.run = [](Context& ctx, const Args&) {
    v1::PmdStatsResponse resp;
    ctx.client.call(&Mgmt::PmdStats, ctx.client.management(), v1::PmdStatsRequest(), &resp);
    if (ctx.json) return print_json(resp, ctx.out);
    for (const auto& p : resp.pmds()) {
      const double pkts = p.packets() > 0 ? static_cast<double>(p.packets()) : 1.0;
      uint64_t busy = 0, idle = 0;
      for (const auto& s : p.stages()) (s.stage() == "idle" ? idle : busy) += s.cycles();
      ctx.out << fmt::format("pmd {} (cpu {}, {} rxqs): {} packets, {:.1f} cycles/packet busy, {} sleeps\n", p.pmd(),
                             p.cpu(), p.rxqs(), p.packets(), static_cast<double>(busy) / pkts, p.sleeps());
      ctx.out << fmt::format("  lookups: batch {} emc {} megaflow {} miss {}\n", p.batch_hits(), p.emc_hits(),
                             p.megaflow_hits(), p.misses());
      ctx.out << "  cycles/packet by stage:";
      for (const auto& s : p.stages()) {
        if (s.stage() != "idle") ctx.out << fmt::format(" {} {:.1f}", s.stage(), static_cast<double>(s.cycles()) / pkts);
      }
      ctx.out << fmt::format("; idle {:.3f} s\n",
                             p.tsc_hz() ? static_cast<double>(idle) / static_cast<double>(p.tsc_hz()) : 0.0);
    }
  };
  return c;
}

}  // namespace

std::vector<Command> stats_commands() { return {dump_dpflows(), port_stats(), pmd_stats()}; }

}  // namespace strata::ctl
