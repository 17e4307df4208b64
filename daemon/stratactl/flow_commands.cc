// add-flow, del-flows, dump-flows: the native Flows service.
#include <fmt/format.h>

#include "daemon/stratactl/command.h"
#include "daemon/stratactl/flow_syntax.h"
#include "daemon/stratactl/output.h"

namespace strata::ctl {

namespace {

using Flows = v1::Flows::Stub;

const char kFlowHelp[] =
    "FLOW: comma-separated fields, then actions= (ovs-ofctl style), e.g.\n"
    "  table=0,priority=100,in_port=1,tags=88a8:100/8100:*,actions=pop_tag,output:2\n"
    "fields: table= priority= (default 32768) cookie= idle_timeout= hard_timeout=\n"
    "  in_port=N  tags=STACK (exact stack, VID may be *; STACK/... for the outer tags only;\n"
    "  none for untagged)  dl_src= dl_dst=MAC[/MASK]  dl_type=  ip arp ipv6 tcp udp icmp\n"
    "  nw_src= nw_dst=A.B.C.D[/LEN]  nw_proto=  tp_src= tp_dst=  metadata=V[/MASK]\n"
    "actions: output:N (or N)  normal flood all in_port local  controller[:MAX_LEN]  drop\n"
    "  push_tag:TPID:VID[:PCP]  pop_tag  set_vid:DEPTH:VID  set_pcp:DEPTH:PCP (depth 0 = outermost)\n"
    "  set_eth_src:MAC  set_eth_dst:MAC  group:N  goto_table:N (last)";

const char kMatchHelp[] =
    "MATCH: the fields of a FLOW without actions=, plus table=, priority= (with --strict),\n"
    "cookie=V[/MASK] and out_port=N. Without MATCH: every flow.";

Command add_flow() {
  Command c;
  c.name = "add-flow";
  c.usage = "BR FLOW";
  c.summary = "add a flow (native API: matches on every tag level)";
  c.details = kFlowHelp;
  c.min_args = c.max_args = 2;
  c.run = [](Context& ctx, const Args& a) {
    auto flow = parse_flow(a.positional[1]);
    if (!flow) throw CliError(flow.status().message(), kExitUsage);
    v1::AddFlowsRequest req;
    req.set_bridge(a.positional[0]);
    *req.add_flows() = *flow;
    v1::AddFlowsResponse resp;
    ctx.client.call(&Flows::AddFlows, ctx.client.flows(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command del_flows() {
  Command c;
  c.name = "del-flows";
  c.usage = "BR [MATCH] [--strict]";
  c.summary = "remove the flows a match selects (all without MATCH)";
  c.details = kMatchHelp;
  c.min_args = 1;
  c.max_args = 2;
  c.options = [](po::options_description& d) {
    d.add_options()("strict", po::bool_switch(), "priority and match must be equal, not just covered");
  };
  c.run = [](Context& ctx, const Args& a) {
    v1::DeleteFlowsRequest req;
    req.set_bridge(a.positional[0]);
    if (a.positional.size() == 2) {
      auto sel = parse_selector(a.positional[1]);
      if (!sel) throw CliError(sel.status().message(), kExitUsage);
      *req.mutable_match() = sel->match;
      if (sel->table) req.set_table(*sel->table);
      if (sel->priority) req.set_priority(*sel->priority);
      if (sel->out_port) req.set_out_port(*sel->out_port);
      if (sel->cookie) {
        req.set_cookie(*sel->cookie);
        req.set_cookie_mask(sel->cookie_mask);
      }
    }
    req.set_strict(a.options["strict"].as<bool>());
    v1::DeleteFlowsResponse resp;
    ctx.client.call(&Flows::DeleteFlows, ctx.client.flows(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command dump_flows() {
  Command c;
  c.name = "dump-flows";
  c.usage = "BR [MATCH]";
  c.summary = "the flows of a bridge with their counters";
  c.details = kMatchHelp;
  c.min_args = 1;
  c.max_args = 2;
  c.run = [](Context& ctx, const Args& a) {
    v1::DumpFlowsRequest req;
    req.set_bridge(a.positional[0]);
    if (a.positional.size() == 2) {
      auto sel = parse_selector(a.positional[1]);
      if (!sel) throw CliError(sel.status().message(), kExitUsage);
      *req.mutable_match() = sel->match;
      if (sel->table) req.set_table(*sel->table);
    }
    v1::DumpFlowsResponse resp;
    ctx.client.call(&Flows::DumpFlows, ctx.client.flows(), req, &resp);
    if (ctx.json) return print_json(resp, ctx.out);
    for (const auto& f : resp.flows()) {
      const auto& flow = f.flow();
      std::string line = fmt::format(" cookie=0x{:x}, duration={:.3f}s, table={}, n_packets={}, n_bytes={}, ",
                                     flow.cookie(), static_cast<double>(f.duration_ms()) / 1000.0, flow.table(),
                                     f.packets(), f.bytes());
      if (flow.idle_timeout() != 0) line += fmt::format("idle_timeout={}, ", flow.idle_timeout());
      if (flow.hard_timeout() != 0) line += fmt::format("hard_timeout={}, ", flow.hard_timeout());
      line += fmt::format("priority={}", flow.priority());
      // An entry the native form cannot say completely (an OpenFlow
      // controller's) comes with its whole match and instructions as text.
      const std::string match = f.match_text().empty() ? format_match(flow.match()) : f.match_text();
      if (!match.empty()) {
        line += ',';
        line += match;
      }
      ctx.out << line << " actions=" << (f.actions_text().empty() ? format_actions(flow) : f.actions_text()) << "\n";
    }
  };
  return c;
}

}  // namespace

std::vector<Command> flow_commands() { return {add_flow(), del_flows(), dump_flows()}; }

}  // namespace strata::ctl
