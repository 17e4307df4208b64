#include "container-dcn/agent/nic_offloads.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace strata::dcn_agent {

namespace {

class Socket {
 public:
  Socket() : fd_(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

int ethtool(const Socket& s, const std::string& nic, void* data) {
  ifreq ifr = {};
  std::strncpy(ifr.ifr_name, nic.c_str(), IFNAMSIZ - 1);
  ifr.ifr_data = static_cast<char*>(data);
  return ioctl(s.fd(), SIOCETHTOOL, &ifr);
}

}  // namespace

Status disable_tx_vlan_offload(const std::string& nic) {
  const std::string where = "--nic '" + nic + "': ethtool features: ";
  Socket s;
  if (s.fd() < 0) return internal_error(where + std::strerror(errno));

  // How many features the kernel names, then their names.
  std::vector<uint8_t> info_buf(sizeof(ethtool_sset_info) + sizeof(uint32_t));
  auto* info = reinterpret_cast<ethtool_sset_info*>(info_buf.data());
  info->cmd = ETHTOOL_GSSET_INFO;
  info->sset_mask = 1ULL << ETH_SS_FEATURES;
  if (ethtool(s, nic, info) != 0 || !(info->sset_mask & (1ULL << ETH_SS_FEATURES))) {
    return failed_precondition(where + std::strerror(errno));
  }
  const uint32_t count = info->data[0];
  std::vector<uint8_t> strings_buf(sizeof(ethtool_gstrings) + count * ETH_GSTRING_LEN);
  auto* strings = reinterpret_cast<ethtool_gstrings*>(strings_buf.data());
  strings->cmd = ETHTOOL_GSTRINGS;
  strings->string_set = ETH_SS_FEATURES;
  strings->len = count;
  if (ethtool(s, nic, strings) != 0) return failed_precondition(where + std::strerror(errno));

  const uint32_t blocks = (count + 31) / 32;
  std::vector<uint8_t> set_buf(sizeof(ethtool_sfeatures) + blocks * sizeof(ethtool_set_features_block));
  auto* set = reinterpret_cast<ethtool_sfeatures*>(set_buf.data());
  set->cmd = ETHTOOL_SFEATURES;
  set->size = blocks;
  bool any = false;
  for (uint32_t i = 0; i < count; ++i) {
    const char* name = reinterpret_cast<const char*>(strings->data + i * ETH_GSTRING_LEN);
    if (std::strncmp(name, "tx-vlan-hw-insert", ETH_GSTRING_LEN) == 0 ||
        std::strncmp(name, "tx-vlan-stag-hw-insert", ETH_GSTRING_LEN) == 0) {
      set->features[i / 32].valid |= 1U << (i % 32);  // requested bit left 0: off
      any = true;
    }
  }
  if (!any) return Status::ok();
  // A positive result says some could not change (the device has them
  // fixed off): what matters is that none is on.
  if (ethtool(s, nic, set) < 0) return failed_precondition(where + "cannot turn VLAN insert offload off: " + std::strerror(errno));
  return Status::ok();
}

}  // namespace strata::dcn_agent
