// add-port, del-port, list-ports.
#include <fmt/format.h>

#include "daemon/stratactl/command.h"
#include "daemon/stratactl/output.h"
#include "daemon/stratactl/tag_text.h"

namespace strata::ctl {

namespace {

using Mgmt = v1::Management::Stub;

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

Command add_port() {
  Command c;
  c.name = "add-port";
  c.usage = "BR PORT --type TYPE [--ofport N] [--opt KEY=VALUE]... [--access STACK | --trunk STACK[,STACK]...]";
  c.summary = "add a port to a bridge";
  c.details =
      "TYPE and its --opt keys:\n"
      "  vhostuser        a VM's virtio-net; stratad serves the socket path=FILE (n_rxq=N queue pairs)\n"
      "  vhostuserclient  a VM's virtio-net; the VMM serves path=FILE, stratad connects and reconnects\n"
      "  virtio-user      stratad as the virtio frontend of another vhost-user backend at path=FILE\n"
      "                   (server=1: stratad serves it)\n"
      "  afxdp            an AF_XDP socket on a kernel interface iface=NAME (a veth, a VM's NIC)\n"
      "  afpacket         an AF_PACKET socket on iface=NAME\n"
      "  tap              a tap interface iface=NAME that stratad creates\n"
      "  pcap             reads rx=FILE (infinite_rx=1 replays it forever), writes tx=FILE\n"
      "  ring             a pair of rte_rings, for a peer in the same process\n"
      "  null             discards what it is sent; no-rx=1 also receives nothing\n"
      "--opt KEY=VALUE: other keys pass through to the DPDK device arguments.\n"
      "--access STACK: frames entering get STACK pushed, frames leaving get it popped,\n"
      "       e.g. --access 88a8:100/8100:200 (outermost first, TPID:VID[:PCP]).\n"
      "--trunk STACK,...: the outer stacks the port carries, VIDs may be *, e.g. 88a8:100,88a8:*;\n"
      "       neither option: a trunk carrying every stack.";
  c.min_args = c.max_args = 2;
  c.options = [](po::options_description& d) {
    d.add_options()("type", po::value<std::string>(), "port type (required)")(
        "ofport", po::value<uint32_t>(), "OpenFlow port number (default: the lowest free)")(
        "opt", po::value<std::vector<std::string>>()->composing(), "driver option KEY=VALUE (repeatable)")(
        "access", po::value<std::string>(), "access port with this tag stack")(
        "trunk", po::value<std::vector<std::string>>()->composing(), "trunk carrying these outer stacks");
  };
  c.run = [](Context& ctx, const Args& a) {
    if (!a.options.count("type")) throw CliError("--type TYPE is required", kExitUsage);
    if (a.options.count("access") && a.options.count("trunk")) {
      throw CliError("--access and --trunk exclude each other", kExitUsage);
    }
    v1::AddPortRequest req;
    req.set_bridge(a.positional[0]);
    v1::Port* p = req.mutable_port();
    p->set_name(a.positional[1]);
    p->set_type(a.options["type"].as<std::string>());
    if (a.options.count("ofport")) p->set_ofport(a.options["ofport"].as<uint32_t>());
    if (a.options.count("opt")) {
      for (const auto& kv : a.options["opt"].as<std::vector<std::string>>()) {
        const size_t eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) throw CliError("--opt '" + kv + "': expected KEY=VALUE", kExitUsage);
        (*p->mutable_options())[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
    }
    if (a.options.count("access")) {
      auto stack = parse_stack_text(a.options["access"].as<std::string>());
      if (!stack) throw CliError("--access: " + stack.status().message(), kExitUsage);
      *p->mutable_access()->mutable_stack() = *stack;
    }
    if (a.options.count("trunk")) {
      auto* trunk = p->mutable_trunk();
      for (const auto& arg : a.options["trunk"].as<std::vector<std::string>>()) {
        for (const auto& text : split_commas(arg)) {
          auto stack = parse_allowed_text(text);
          if (!stack) throw CliError("--trunk: " + stack.status().message(), kExitUsage);
          *trunk->add_allowed() = *stack;
        }
      }
    }
    v1::AddPortResponse resp;
    ctx.client.call(&Mgmt::AddPort, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command del_port() {
  Command c;
  c.name = "del-port";
  c.usage = "BR PORT";
  c.summary = "remove a port from a bridge";
  c.min_args = c.max_args = 2;
  c.run = [](Context& ctx, const Args& a) {
    v1::DelPortRequest req;
    req.set_bridge(a.positional[0]);
    req.set_port(a.positional[1]);
    v1::DelPortResponse resp;
    ctx.client.call(&Mgmt::DelPort, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command list_ports() {
  Command c;
  c.name = "list-ports";
  c.usage = "BR";
  c.summary = "the ports of a bridge: OpenFlow number, type, tag mode, link";
  c.min_args = c.max_args = 1;
  c.run = [](Context& ctx, const Args& a) {
    v1::ListPortsRequest req;
    req.set_bridge(a.positional[0]);
    v1::ListPortsResponse resp;
    ctx.client.call(&Mgmt::ListPorts, ctx.client.management(), req, &resp);
    if (ctx.json) return print_json(resp, ctx.out);
    Table t({"port", "ofport", "type", "mode", "link"});
    t.set_numeric({false, true, false, false, false});
    for (const auto& ps : resp.ports()) {
      std::string mode = port_mode_text(ps.port());
      if (!ps.dcn().empty() && ps.has_container_tag()) {
        mode += ", DCN " + ps.dcn() + " tag " + fmt::format("{:04x}:{}", ps.container_tag().tpid(), ps.container_tag().vid());
      } else if (!ps.dcn().empty()) {
        mode = "VNIC of DCN " + ps.dcn();
      }
      t.add_row({ps.port().name(), std::to_string(ps.port().ofport()), ps.port().type(), mode,
                 ps.link_up() ? "up" : "down"});
    }
    t.print(ctx.out);
  };
  return c;
}

}  // namespace

std::vector<Command> port_commands() { return {add_port(), del_port(), list_ports()}; }

}  // namespace strata::ctl
