// Names the agent derives, so that what exists in the kernel is all the
// state there is: after a restart the agent finds its containers again by
// these names, never from a file of its own.
//
//   network namespace   sdcn-<dcn>-<container>   (in /run/netns, `ip netns`)
//   container interface eth0, inside that namespace
//   DCN-side veth end   sd<12 hex>   (eBPF mechanism; a hash of dcn and
//                                     container: interface names stop at 15)
//   VLAN subinterface   sv<12 hex>   (8021q mechanism, only while it is being
//                                     made: it is moved into the namespace
//                                     and renamed eth0 there)
#pragma once

#include <optional>
#include <string>

namespace strata::dcn_agent {

inline constexpr char kNamespacePrefix[] = "sdcn-";
inline constexpr char kContainerIfname[] = "eth0";

// "sdcn-<dcn>-<container>".
std::string namespace_name(const std::string& dcn, const std::string& container);

// The container a namespace name stands for, if it starts with DCN's
// prefix ("sdcn-<dcn>-"). A DCN whose name has a '-' shares prefixes with
// others ("a" and "a-b"); the record on the interface settles whose a
// namespace is (container_record.h), this only narrows the candidates.
std::optional<std::string> container_of_namespace(const std::string& dcn, const std::string& ns);

// The DCN-side veth end of a container (eBPF mechanism): "sd" + 12 hex.
std::string veth_ifname(const std::string& dcn, const std::string& container);

// The VLAN subinterface's name before it moves into the namespace: "sv" + 12 hex.
std::string vlan_staging_ifname(const std::string& dcn, const std::string& container);

}  // namespace strata::dcn_agent
