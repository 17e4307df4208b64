#include "container-dcn/agent/mechanism.h"

#include <unistd.h>

#include "container-dcn/agent/command_runner.h"

namespace strata::dcn_agent {

namespace {

bool vlan_support_present() {
  // /proc/net/vlan is made per namespace when the module is loaded;
  // /sys/module/8021q also when it is built in.
  return access("/proc/net/vlan/config", F_OK) == 0 || access("/sys/module/8021q", F_OK) == 0;
}

}  // namespace

const char* mechanism_name(Mechanism m) {
  return m == Mechanism::kVlan ? "vlan" : "ebpf";
}

Result<Mechanism> parse_mechanism(const std::string& text) {
  if (text == "vlan") return Mechanism::kVlan;
  if (text == "ebpf") return Mechanism::kEbpf;
  return invalid_argument("--mechanism: '" + text + "' is not one of auto, vlan, ebpf");
}

bool kernel_has_8021q() {
  if (vlan_support_present()) return true;
  // A kernel without module support, or without the module, says no here.
  auto r = run_command({"modprobe", "-q", "8021q"});
  return r.is_ok() && vlan_support_present();
}

Result<Mechanism> choose_mechanism(const std::string& option) {
  if (option == "auto") return kernel_has_8021q() ? Mechanism::kVlan : Mechanism::kEbpf;
  return parse_mechanism(option);
}

}  // namespace strata::dcn_agent
