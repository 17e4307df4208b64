// dcn-add, dcn-del, dcn-list, container-add, container-del, container-list.
#include <fmt/format.h>

#include <charconv>

#include "daemon/stratactl/command.h"
#include "daemon/stratactl/output.h"
#include "daemon/stratactl/tag_text.h"

namespace strata::ctl {

namespace {

using Mgmt = v1::Management::Stub;

// "0x88a8", "88a8" -> 0x88a8; anything else is a usage error.
uint32_t parse_tpid(const std::string& text) {
  std::string digits = text;
  if (digits.rfind("0x", 0) == 0 || digits.rfind("0X", 0) == 0) digits = digits.substr(2);
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, 16);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || v > 0xffff) {
    throw CliError("--tpid '" + text + "': expected a hexadecimal TPID such as 8100 or 0x88a8", kExitUsage);
  }
  return v;
}

void print_dcn(const v1::DcnStatus& d, std::ostream& out) {
  out << "dcn " << d.name() << "\n";
  out << "    bridge: " << d.bridge() << "\n";
  out << "    vnic: " << d.vnic() << " (ofport " << d.vnic_ofport() << ", link " << (d.vnic_link_up() ? "up" : "down")
      << ")\n";
  for (const auto& cs : d.containers()) {
    const auto& c = cs.container();
    out << "    container " << c.name() << " (ofport " << c.ofport() << ")\n";
    out << "        tag: " << fmt::format("{:04x}:{}", c.tag().tpid(), c.tag().vid()) << "\n";
    v1::Port as_port;
    if (c.has_access()) *as_port.mutable_access() = c.access();
    if (c.has_trunk()) *as_port.mutable_trunk() = c.trunk();
    out << "        mode: " << port_mode_text(as_port) << "\n";
    if (!c.address().empty()) out << "        address: " << c.address() << "\n";
    if (!c.mac().empty()) out << "        mac: " << c.mac() << "\n";
    out << "        datapath port " << cs.dp_port() << "\n";
  }
}

Command dcn_add() {
  Command c;
  c.name = "dcn-add";
  c.usage = "BR DCN --vnic PORT";
  c.summary = "make a port of a bridge the VNIC of a container DCN";
  c.details =
      "PORT (an existing port of BR, a trunk without an allowed list) then carries the DCN's\n"
      "containers, each told apart by its container tag, the outermost tag on PORT; frames\n"
      "with a tag of no container are counted (unknown_container_tag) and dropped.\n"
      "Add containers with container-add.";
  c.min_args = c.max_args = 2;
  c.options = [](po::options_description& d) {
    d.add_options()("vnic", po::value<std::string>(), "the DCN's VNIC port (required)");
  };
  c.run = [](Context& ctx, const Args& a) {
    if (!a.options.count("vnic")) throw CliError("--vnic PORT is required", kExitUsage);
    v1::AddDcnRequest req;
    req.mutable_dcn()->set_bridge(a.positional[0]);
    req.mutable_dcn()->set_name(a.positional[1]);
    req.mutable_dcn()->set_vnic(a.options["vnic"].as<std::string>());
    v1::AddDcnResponse resp;
    ctx.client.call(&Mgmt::AddDcn, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command dcn_del() {
  Command c;
  c.name = "dcn-del";
  c.usage = "DCN";
  c.summary = "remove a container DCN and all its containers (the VNIC stays, as a plain port)";
  c.min_args = c.max_args = 1;
  c.run = [](Context& ctx, const Args& a) {
    v1::DelDcnRequest req;
    req.set_dcn(a.positional[0]);
    v1::DelDcnResponse resp;
    ctx.client.call(&Mgmt::DelDcn, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command dcn_list() {
  Command c;
  c.name = "dcn-list";
  c.usage = "";
  c.summary = "the container DCNs: bridge, VNIC, containers";
  c.min_args = c.max_args = 0;
  c.run = [](Context& ctx, const Args&) {
    v1::ListDcnsRequest req;
    v1::ListDcnsResponse resp;
    ctx.client.call(&Mgmt::ListDcns, ctx.client.management(), req, &resp);
    if (ctx.json) return print_json(resp, ctx.out);
    Table t({"dcn", "bridge", "vnic", "containers"});
    t.set_numeric({false, false, false, true});
    for (const auto& d : resp.dcns()) {
      t.add_row({d.name(), d.bridge(), d.vnic(), std::to_string(d.containers_size())});
    }
    t.print(ctx.out);
  };
  return c;
}

Command container_add() {
  Command c;
  c.name = "container-add";
  c.usage = "DCN NAME --tag VID [--tpid TPID] [--ofport N] [--access STACK] [--address IP/LEN] [--mac MAC]";
  c.summary = "add a container to a DCN: a switch port of its own, tagged VID on the DCN's VNIC";
  c.details =
      "--tag VID: 1..4094, unique within the DCN; --tpid: 8100 (default), 88a8, 9100, 9200, 9300.\n"
      "NAME is the name of the container's port (unique among every port).\n"
      "--access STACK: the container port's tag domain, as for add-port (e.g. the tenant's\n"
      "       88a8:100/8100:200); without it the port is a trunk carrying every stack.\n"
      "--address, --mac: for the in-DCN agent (strata-dcn-agent) only.";
  c.min_args = c.max_args = 2;
  c.options = [](po::options_description& d) {
    d.add_options()("tag", po::value<uint32_t>(), "container tag VID (required)")(
        "tpid", po::value<std::string>(), "container tag TPID, hexadecimal (default 8100)")(
        "ofport", po::value<uint32_t>(), "OpenFlow port number (default: the lowest free)")(
        "access", po::value<std::string>(), "the port's access tag stack")(
        "address", po::value<std::string>(), "address the agent gives the container (IP/LEN)")(
        "mac", po::value<std::string>(), "MAC the agent gives the container's interface");
  };
  c.run = [](Context& ctx, const Args& a) {
    if (!a.options.count("tag")) throw CliError("--tag VID is required", kExitUsage);
    v1::AddContainerRequest req;
    req.set_dcn(a.positional[0]);
    v1::Container* ct = req.mutable_container();
    ct->set_name(a.positional[1]);
    ct->mutable_tag()->set_vid(a.options["tag"].as<uint32_t>());
    ct->mutable_tag()->set_tpid(a.options.count("tpid") ? parse_tpid(a.options["tpid"].as<std::string>()) : 0x8100);
    if (a.options.count("ofport")) ct->set_ofport(a.options["ofport"].as<uint32_t>());
    if (a.options.count("access")) {
      auto stack = parse_stack_text(a.options["access"].as<std::string>());
      if (!stack) throw CliError("--access: " + stack.status().message(), kExitUsage);
      *ct->mutable_access()->mutable_stack() = *stack;
    }
    if (a.options.count("address")) ct->set_address(a.options["address"].as<std::string>());
    if (a.options.count("mac")) ct->set_mac(a.options["mac"].as<std::string>());
    v1::AddContainerResponse resp;
    ctx.client.call(&Mgmt::AddContainer, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command container_del() {
  Command c;
  c.name = "container-del";
  c.usage = "DCN NAME";
  c.summary = "remove a container (and its port) from a DCN";
  c.min_args = c.max_args = 2;
  c.run = [](Context& ctx, const Args& a) {
    v1::DelContainerRequest req;
    req.set_dcn(a.positional[0]);
    req.set_container(a.positional[1]);
    v1::DelContainerResponse resp;
    ctx.client.call(&Mgmt::DelContainer, ctx.client.management(), req, &resp);
    if (ctx.json) print_json(resp, ctx.out);
  };
  return c;
}

Command container_list() {
  Command c;
  c.name = "container-list";
  c.usage = "DCN";
  c.summary = "the containers of a DCN: tag, OpenFlow port, tag domain, agent settings";
  c.min_args = c.max_args = 1;
  c.run = [](Context& ctx, const Args& a) {
    v1::ListContainersRequest req;
    req.set_dcn(a.positional[0]);
    v1::ListContainersResponse resp;
    ctx.client.call(&Mgmt::ListContainers, ctx.client.management(), req, &resp);
    if (ctx.json) return print_json(resp, ctx.out);
    print_dcn(resp.dcn(), ctx.out);
  };
  return c;
}

}  // namespace

void print_dcns(const google::protobuf::RepeatedPtrField<v1::DcnStatus>& dcns, std::ostream& out) {
  for (const auto& d : dcns) print_dcn(d, out);
}

std::vector<Command> dcn_commands() {
  return {dcn_add(), dcn_del(), dcn_list(), container_add(), container_del(), container_list()};
}

}  // namespace strata::ctl
