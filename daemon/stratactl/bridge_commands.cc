// add-br, del-br, list-br, show, set-controller, del-controller, dump-config.
#include <fmt/format.h>
#include <google/protobuf/text_format.h>

#include <map>

#include "daemon/stratactl/command.h"
#include "daemon/stratactl/output.h"
#include "daemon/stratactl/tag_text.h"

namespace strata::ctl {

namespace {

using Mgmt = v1::Management::Stub;

std::string fail_mode_text(v1::FailMode m) {
  return m == v1::FAIL_MODE_SECURE ? "secure" : "standalone";
}

std::string options_text(const v1::Port& p) {
  // Sorted, so the output does not depend on map order.
  std::map<std::string, std::string> sorted(p.options().begin(), p.options().end());
  std::string out;
  for (const auto& [k, v] : sorted) out += (out.empty() ? "" : ", ") + k + "=" + v;
  return out;
}

void print_show(const v1::ShowResponse& r, std::ostream& out) {
  for (const auto& b : r.bridges()) {
    out << "bridge " << b.name() << "\n";
    out << "    fail_mode: " << fail_mode_text(b.fail_mode()) << "\n";
    if (b.datapath_id() != 0) out << "    datapath_id: " << fmt::format("{:016x}", b.datapath_id()) << "\n";
    if (b.controllers_size() > 0) {
      out << "    controllers:";
      for (const auto& c : b.controllers()) out << " " << c;
      out << "\n";
    }
    for (const auto& ps : b.ports()) {
      const auto& p = ps.port();
      out << "    port " << p.name() << " (ofport " << p.ofport() << ")\n";
      out << "        type: " << p.type() << "\n";
      if (p.options_size() > 0) out << "        options: " << options_text(p) << "\n";
      out << "        mode: " << port_mode_text(p) << "\n";
      if (!ps.dcn().empty() && ps.has_container_tag()) {
        out << "        container of DCN " << ps.dcn() << ", tag "
            << fmt::format("{:04x}:{}", ps.container_tag().tpid(), ps.container_tag().vid()) << "\n";
      } else if (!ps.dcn().empty()) {
        out << "        VNIC of DCN " << ps.dcn() << "\n";
      }
      out << "        link: " << (ps.link_up() ? "up" : "down");
      if (!ps.mac().empty()) out << ", mac " << ps.mac();
      out << ", datapath port " << ps.dp_port() << "\n";
    }
  }
  print_dcns(r.dcns(), out);
  print_guests(r.guests(), out);
  const auto& d = r.datapath();
  out << "datapath: " << d.pmd_threads() << " PMD thread(s), TPIDs";
  for (uint32_t t : d.tpids()) out << fmt::format(" {:04x}", t);
  out << ", megaflow idle " << d.megaflow_idle_ms() << " ms\n";
}

Command add_br() {
  Command c;
  c.name = "add-br";
  c.usage = "BR [--fail-mode secure|standalone] [--datapath-id HEX]";
  c.summary = "create a bridge";
  c.min_args = c.max_args = 1;
  c.options = [](po::options_description& d) {
    d.add_options()("fail-mode", po::value<std::string>(), "without a controller: standalone (learning switch, default) or secure (installed flows only)")(
        "datapath-id", po::value<std::string>(), "OpenFlow datapath id, hexadecimal (default: derived from the name)");
  };
  c.run = [](Context& ctx, const Args& a) {
    v1::AddBridgeRequest req;
    req.mutable_bridge()->set_name(a.positional[0]);
    if (a.options.count("fail-mode")) {
      const auto& m = a.options["fail-mode"].as<std::string>();
      if (m == "secure") {
        req.mutable_bridge()->set_fail_mode(v1::FAIL_MODE_SECURE);
      } else if (m == "standalone") {
        req.mutable_bridge()->set_fail_mode(v1::FAIL_MODE_STANDALONE);
      } else {
        throw CliError("--fail-mode: '" + m + "' is neither secure nor standalone", kExitUsage);
      }
    }
    if (a.options.count("datapath-id")) {
      std::string hex = a.options["datapath-id"].as<std::string>();
      if (hex.rfind("0x", 0) == 0) hex = hex.substr(2);
      if (hex.empty() || hex.size() > 16 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
        throw CliError("--datapath-id: '" + a.options["datapath-id"].as<std::string>() +
                           "' is not a 64-bit hexadecimal number", kExitUsage);
      }
      req.mutable_bridge()->set_datapath_id(std::stoull(hex, nullptr, 16));
    }
    v1::AddBridgeResponse resp;
    ctx.client.call(&Mgmt::AddBridge, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command del_br() {
  Command c;
  c.name = "del-br";
  c.usage = "BR";
  c.summary = "remove a bridge and all its ports";
  c.min_args = c.max_args = 1;
  c.run = [](Context& ctx, const Args& a) {
    v1::DelBridgeRequest req;
    req.set_bridge(a.positional[0]);
    v1::DelBridgeResponse resp;
    ctx.client.call(&Mgmt::DelBridge, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command list_br() {
  Command c;
  c.name = "list-br";
  c.summary = "list the bridges, one per line";
  c.run = [](Context& ctx, const Args&) {
    v1::ListBridgesResponse resp;
    ctx.client.call(&Mgmt::ListBridges, ctx.client.management(), v1::ListBridgesRequest(), &resp);
    if (ctx.json) return print_json(resp, ctx.out);
    for (const auto& b : resp.bridges()) ctx.out << b << "\n";
  };
  return c;
}

Command show() {
  Command c;
  c.name = "show";
  c.usage = "[BR]";
  c.summary = "bridges, ports, tag modes, links and datapath settings";
  c.max_args = 1;
  c.run = [](Context& ctx, const Args& a) {
    v1::ShowRequest req;
    if (!a.positional.empty()) req.set_bridge(a.positional[0]);
    v1::ShowResponse resp;
    ctx.client.call(&Mgmt::Show, ctx.client.management(), req, &resp);
    if (ctx.json) return print_json(resp, ctx.out);
    print_show(resp, ctx.out);
  };
  return c;
}

Command set_controller() {
  Command c;
  c.name = "set-controller";
  c.usage = "BR TARGET...";
  c.summary = "set a bridge's OpenFlow controllers (replaces the list)";
  c.details = "TARGET: ptcp:PORT[:IP] to listen (IP default 127.0.0.1), punix:PATH to listen on a Unix socket "
              "(ovs-ofctl ... unix:PATH), tcp:HOST[:PORT] to connect (PORT default 6653).";
  c.min_args = 2;
  c.max_args = SIZE_MAX;
  c.run = [](Context& ctx, const Args& a) {
    v1::SetControllerRequest req;
    req.set_bridge(a.positional[0]);
    for (size_t i = 1; i < a.positional.size(); ++i) req.add_targets(a.positional[i]);
    v1::SetControllerResponse resp;
    ctx.client.call(&Mgmt::SetController, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command del_controller() {
  Command c;
  c.name = "del-controller";
  c.usage = "BR";
  c.summary = "remove every controller of a bridge";
  c.min_args = c.max_args = 1;
  c.run = [](Context& ctx, const Args& a) {
    v1::SetControllerRequest req;
    req.set_bridge(a.positional[0]);
    v1::SetControllerResponse resp;
    ctx.client.call(&Mgmt::SetController, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command dump_config() {
  Command c;
  c.name = "dump-config";
  c.summary = "the persisted configuration, as a stratad --config file";
  c.run = [](Context& ctx, const Args&) {
    v1::GetConfigResponse resp;
    ctx.client.call(&Mgmt::GetConfig, ctx.client.management(), v1::GetConfigRequest(), &resp);
    if (ctx.json) return print_json(resp, ctx.out);
    std::string text;
    google::protobuf::TextFormat::PrintToString(resp.config(), &text);
    ctx.out << text;
  };
  return c;
}

}  // namespace

std::vector<Command> bridge_commands() {
  return {add_br(), del_br(), list_br(), show(), set_controller(), del_controller(), dump_config()};
}

}  // namespace strata::ctl
