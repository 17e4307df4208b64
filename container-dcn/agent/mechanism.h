// The two ways the agent tags a container's frames on the DCN's NIC, and
// how it picks one: the kernel's own VLAN subinterfaces where the DCN's
// kernel has 8021q (a VM running Debian's kernel), else a veth per
// container with the TC eBPF programs of bpf/container_tag.bpf.c (this
// host's kernel, which has no 8021q).
#pragma once

#include <string>

#include "base/status.h"

namespace strata::dcn_agent {

enum class Mechanism {
  kVlan,  // 8021q subinterface of the NIC, moved into the container's namespace
  kEbpf,  // veth pair + TC eBPF push/pop and redirect on the DCN side
};

const char* mechanism_name(Mechanism m);  // "vlan", "ebpf"

// "vlan" or "ebpf" (what --mechanism and the record say).
Result<Mechanism> parse_mechanism(const std::string& text);

// Whether this kernel can make VLAN devices: 8021q loaded (/proc/net/vlan,
// /sys/module/8021q), or loadable (`modprobe -q 8021q` succeeds).
bool kernel_has_8021q();

// --mechanism auto|vlan|ebpf: auto picks vlan when the kernel has 8021q.
Result<Mechanism> choose_mechanism(const std::string& option);

}  // namespace strata::dcn_agent
