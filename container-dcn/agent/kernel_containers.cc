#include "container-dcn/agent/kernel_containers.h"

#include <dirent.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "container-dcn/agent/command_runner.h"
#include "container-dcn/agent/container_record.h"
#include "container-dcn/agent/naming.h"
#include "container-dcn/agent/nic_offloads.h"

namespace strata::dcn_agent {

namespace {

Result<std::string> ip(std::vector<std::string> args) {
  args.insert(args.begin(), "ip");
  return run_command(args);
}

Result<std::string> ip_in(const std::string& netns, std::vector<std::string> args) {
  args.insert(args.begin(), {"-n", netns});
  return ip(std::move(args));
}

bool interface_here(const std::string& ifname) {
  return if_nametoindex(ifname.c_str()) != 0;
}

bool interface_in(const std::string& netns, const std::string& ifname) {
  return ip_in(netns, {"link", "show", "dev", ifname}).is_ok();
}

// The alias in `ip -o link show` output: "...\    alias TEXT" up to the
// next "\" field separator or the end of the line.
std::string alias_of(const std::string& line) {
  const std::string key = "\\    alias ";
  const auto at = line.find(key);
  if (at == std::string::npos) return "";
  std::string alias = line.substr(at + key.size());
  alias = alias.substr(0, std::min(alias.find('\\'), alias.find('\n')));
  while (!alias.empty() && alias.back() == ' ') alias.pop_back();
  return alias;
}

Status make_namespace_side(const std::string& netns, const ContainerSpec& spec) {
  if (!spec.mac.empty()) STRATA_RETURN_IF_ERROR(ip_in(netns, {"link", "set", "dev", kContainerIfname, "address", spec.mac}).status());
  STRATA_RETURN_IF_ERROR(ip_in(netns, {"link", "set", "dev", "lo", "up"}).status());
  STRATA_RETURN_IF_ERROR(ip_in(netns, {"link", "set", "dev", kContainerIfname, "up"}).status());
  if (!spec.address.empty()) {
    std::vector<std::string> add = {"addr", "add", spec.address, "dev", kContainerIfname};
    // IPv6: usable at once, without duplicate address detection's delay.
    if (spec.address.find(':') != std::string::npos) add.push_back("nodad");
    STRATA_RETURN_IF_ERROR(ip_in(netns, add).status());
  }
  return Status::ok();
}

Status make_veth(const std::string& dcn, const ContainerSpec& spec, const std::string& netns) {
  const std::string veth = veth_ifname(dcn, spec.name);
  STRATA_RETURN_IF_ERROR(
      ip({"link", "add", veth, "type", "veth", "peer", "name", kContainerIfname, "netns", netns}).status());
  STRATA_RETURN_IF_ERROR(make_namespace_side(netns, spec));
  // The DCN-side end is a wire, not a host: no IPv6 link-local address,
  // so it sends nothing of its own into the container. (Best effort: a
  // kernel without IPv6 has no such file.)
  std::ofstream("/proc/sys/net/ipv6/conf/" + veth + "/disable_ipv6") << "1\n";
  return ip({"link", "set", "dev", veth, "up"}).status();
}

Status make_vlan(const std::string& dcn, const ContainerSpec& spec, const std::string& netns, const std::string& nic) {
  const std::string staging = vlan_staging_ifname(dcn, spec.name);
  STRATA_RETURN_IF_ERROR(ip({"link", "add", "link", nic, "name", staging, "type", "vlan", "id",
                             std::to_string(spec.vid), "protocol", spec.tpid == kTpid8021ad ? "802.1ad" : "802.1Q"})
                             .status());
  STRATA_RETURN_IF_ERROR(ip({"link", "set", "dev", staging, "netns", netns}).status());
  STRATA_RETURN_IF_ERROR(ip_in(netns, {"link", "set", "dev", staging, "name", kContainerIfname}).status());
  return make_namespace_side(netns, spec);
}

}  // namespace

Result<std::vector<FoundContainer>> find_containers(const std::string& dcn) {
  const std::string prefix = namespace_name(dcn, "");
  std::vector<FoundContainer> found;
  DIR* dir = opendir(kNetnsDir);
  if (!dir) return found;  // no namespace made yet on this system
  std::vector<std::string> names;
  while (dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name.rfind(prefix, 0) == 0) names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    FoundContainer f{name, std::nullopt};
    auto shown = ip_in(name, {"-o", "link", "show", "dev", kContainerIfname});
    if (shown) f.record = decode_record(alias_of(*shown));
    found.push_back(std::move(f));
  }
  return found;
}

Status create_container(const std::string& dcn, const ContainerSpec& spec, Mechanism mechanism,
                        const std::string& nic) {
  const std::string netns = namespace_name(dcn, spec.name);
  // Leftovers of an interrupted creation of the same name would make the
  // `ip link add`s below fail: take them away first.
  STRATA_RETURN_IF_ERROR(remove_container(dcn, spec.name, netns));
  Status st = ip({"netns", "add", netns}).status();
  if (st) st = mechanism == Mechanism::kVlan ? make_vlan(dcn, spec, netns, nic) : make_veth(dcn, spec, netns);
  // The record last: its presence means the rest is complete.
  if (st) {
    st = ip_in(netns, {"link", "set", "dev", kContainerIfname, "alias", encode_record({dcn, spec, mechanism})})
             .status();
  }
  if (!st) {
    (void)remove_container(dcn, spec.name, netns);
    return st.with_context("container '" + spec.name + "'");
  }
  return Status::ok();
}

Status remove_container(const std::string& dcn, const std::string& container, const std::string& netns) {
  const std::string netns_path = std::string(kNetnsDir) + "/" + netns;
  const bool ns_exists = access(netns_path.c_str(), F_OK) == 0;
  // Deleting eth0 in the namespace removes a veth's both ends, or the VLAN
  // device, at once (a namespace itself goes away asynchronously, and its
  // veth's name would stay taken for a while).
  if (ns_exists && interface_in(netns, kContainerIfname)) {
    STRATA_RETURN_IF_ERROR(ip_in(netns, {"link", "del", "dev", kContainerIfname}).status());
  }
  for (const auto& ifname : {veth_ifname(dcn, container), vlan_staging_ifname(dcn, container)}) {
    if (interface_here(ifname)) STRATA_RETURN_IF_ERROR(ip({"link", "del", "dev", ifname}).status());
  }
  if (ns_exists) STRATA_RETURN_IF_ERROR(ip({"netns", "del", netns}).status());
  return Status::ok();
}

Status prepare_nic(const std::string& nic) {
  if (!interface_here(nic)) return not_found("--nic: interface '" + nic + "' does not exist in this network namespace");
  STRATA_RETURN_IF_ERROR(disable_tx_vlan_offload(nic));
  return ip({"link", "set", "dev", nic, "up", "promisc", "on"}).status();
}

Status check_netns_dir_is_shared() {
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  const std::string dir = kNetnsDir;
  size_t best_length = 0;  // the mount that holds /run/netns: the longest prefix, the last one wins
  bool slave = false, shared = false;
  // Fields: id parent major:minor root mount-point options [optional...] - ...
  while (std::getline(mountinfo, line)) {
    std::istringstream in(line);
    std::string id, parent, dev, root, point, options, field;
    in >> id >> parent >> dev >> root >> point >> options;
    const bool covers = point == "/" || dir == point || dir.rfind(point + "/", 0) == 0;
    if (!covers || point.size() < best_length) continue;
    best_length = point.size();
    slave = shared = false;
    while (in >> field && field != "-") {
      if (field.rfind("shared:", 0) == 0) shared = true;
      if (field.rfind("master:", 0) == 0) slave = true;
    }
  }
  if (slave && !shared) {
    return failed_precondition(
        "running in a private mount namespace where /run/netns does not propagate back (ip netns exec?): "
        "container namespaces would vanish with the agent; enter only the DCN's network namespace "
        "(nsenter --net=/run/netns/DCN strata-dcn-agent ...)");
  }
  return Status::ok();
}

}  // namespace strata::dcn_agent
