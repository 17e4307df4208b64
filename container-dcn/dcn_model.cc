#include "container-dcn/dcn_model.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

namespace strata::container_dcn {

namespace {

std::string hex_tpid(uint16_t tpid) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%04x", tpid);
  return buf;
}

std::string printable(const std::string& s) {
  std::string out;
  for (char c : s) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

uint32_t lowest_free(const std::set<uint32_t>& used) {
  uint32_t n = 1;
  while (used.count(n) != 0) ++n;
  return n;
}

// OpenFlow numbers a port may have (above are the reserved ones).
constexpr uint32_t kMaxOfport = 0xfffffeff;

}  // namespace

Status check_dcn_name(const std::string& name, const std::string& field, const char* what) {
  if (name.empty()) return invalid_argument(field + ": a " + what + " needs a name");
  if (name.size() > 64) return invalid_argument(field + ": '" + printable(name.substr(0, 64)) + "...' is longer than 64 characters");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == ':' || c == '@';
    if (!ok) return invalid_argument(field + ": '" + printable(name) + "' may contain only letters, digits and - _ . : @");
  }
  return Status::ok();
}

Status check_address(const std::string& address, const std::string& field) {
  if (address.empty()) return Status::ok();
  const size_t slash = address.find('/');
  const auto bad = [&](const std::string& why) {
    return invalid_argument(field + ": '" + printable(address) + "' " + why);
  };
  if (slash == std::string::npos) return bad("needs a prefix length (10.1.0.2/24, fd00::2/64)");
  const std::string ip = address.substr(0, slash);
  const std::string len = address.substr(slash + 1);
  unsigned char buf[16];
  int max_len = 0;
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) {
    max_len = 32;
  } else if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
    max_len = 128;
  } else {
    return bad("is not an IPv4 or IPv6 address");
  }
  if (len.empty() || len.size() > 3 || !std::all_of(len.begin(), len.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(len) > max_len) {
    return bad("has a prefix length outside 0.." + std::to_string(max_len));
  }
  return Status::ok();
}

Status check_mac(const std::string& mac, const std::string& field) {
  if (mac.empty()) return Status::ok();
  unsigned b[6];
  char tail = 0;
  if (mac.size() != 17 ||
      std::sscanf(mac.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6) {
    return invalid_argument(field + ": '" + printable(mac) + "' is not a MAC address (02:00:00:00:01:02)");
  }
  if (b[0] & 1) return invalid_argument(field + ": " + mac + " is a multicast address");
  return Status::ok();
}

const Dcn* DcnSet::find(const std::string& name) const {
  for (const auto& d : dcns_) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

Dcn* DcnSet::find_mutable(const std::string& name) {
  for (auto& d : dcns_) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

const Dcn* DcnSet::dcn_of_vnic(const std::string& port) const {
  for (const auto& d : dcns_) {
    if (d.vnic == port) return &d;
  }
  return nullptr;
}

const Dcn* DcnSet::dcn_of_container(const std::string& port) const {
  for (const auto& d : dcns_) {
    for (const auto& c : d.containers) {
      if (c.name == port) return &d;
    }
  }
  return nullptr;
}

std::set<uint32_t> DcnSet::container_ofports(const std::string& bridge) const {
  std::set<uint32_t> used;
  for (const auto& d : dcns_) {
    if (d.bridge != bridge) continue;
    for (const auto& c : d.containers) used.insert(c.ofport);
  }
  return used;
}

// One container against its DCN (as it is without it), the other DCNs and
// the switch's plain ports.
Status DcnSet::check_container(const Dcn& dcn, const Container& c, const PortView& ports,
                               const l2tags::TpidSet& tpids, const std::string& field) const {
  STRATA_RETURN_IF_ERROR(check_dcn_name(c.name, field + ".name", "container"));
  if (!tpids.contains(c.tpid)) {
    return invalid_argument(field + ".tag.tpid: " + hex_tpid(c.tpid) + " is not a recognised TPID");
  }
  if (c.vid < kMinContainerVid || c.vid > kMaxContainerVid) {
    return invalid_argument(field + ".tag.vid: " + std::to_string(c.vid) + " is out of range " +
                            std::to_string(kMinContainerVid) + ".." + std::to_string(kMaxContainerVid));
  }
  if (c.ofport > kMaxOfport) {
    return invalid_argument(field + ".ofport: " + std::to_string(c.ofport) + " is reserved (1.." +
                            std::to_string(kMaxOfport) + ", or 0 for the lowest free)");
  }
  STRATA_RETURN_IF_ERROR(check_address(c.address, field + ".address"));
  STRATA_RETURN_IF_ERROR(check_mac(c.mac, field + ".mac"));
  for (const auto& other : dcn.containers) {
    if (other.name == c.name) {
      return already_exists(field + ".name: DCN '" + dcn.name + "' already has container '" + c.name + "'");
    }
    if (other.vid == c.vid) {
      return already_exists(field + ".tag.vid: DCN '" + dcn.name + "' already uses tag " + std::to_string(c.vid) +
                            " (container '" + other.name + "')");
    }
  }
  if (const Dcn* owner = dcn_of_container(c.name); owner != nullptr && owner->name != dcn.name) {
    return already_exists(field + ".name: port '" + c.name + "' is container '" + c.name + "' of DCN '" +
                          owner->name + "'");
  }
  if (auto it = ports.ports.find(c.name); it != ports.ports.end()) {
    return already_exists(field + ".name: port '" + c.name + "' already exists on bridge '" + it->second.bridge + "'");
  }
  if (c.ofport != 0) {
    for (const auto& [name, p] : ports.ports) {
      if (p.bridge == dcn.bridge && p.ofport == c.ofport) {
        return already_exists(field + ".ofport: bridge '" + dcn.bridge + "' already has OpenFlow port " +
                              std::to_string(c.ofport) + " (port '" + name + "')");
      }
    }
    for (const auto& d : dcns_) {
      if (d.bridge != dcn.bridge) continue;
      for (const auto& other : d.containers) {
        if (other.ofport == c.ofport) {
          return already_exists(field + ".ofport: bridge '" + dcn.bridge + "' already has OpenFlow port " +
                                std::to_string(c.ofport) + " (container '" + other.name + "')");
        }
      }
    }
  }
  return Status::ok();
}

Result<Dcn> DcnSet::add_dcn(Dcn dcn, const PortView& ports, const l2tags::TpidSet& tpids, const std::string& field) {
  STRATA_RETURN_IF_ERROR(check_dcn_name(dcn.name, field + ".name", "DCN"));
  if (find(dcn.name) != nullptr) return already_exists(field + ".name: DCN '" + dcn.name + "' already exists");
  if (dcn.bridge.empty()) return invalid_argument(field + ".bridge: a bridge name is required");
  if (ports.bridges.count(dcn.bridge) == 0) return not_found(field + ".bridge: no bridge '" + dcn.bridge + "'");
  if (dcn.vnic.empty()) return invalid_argument(field + ".vnic: a VNIC port name is required");
  if (dcn_of_container(dcn.vnic) != nullptr) {
    return invalid_argument(field + ".vnic: '" + dcn.vnic + "' is a container's port, not a device port");
  }
  auto it = ports.ports.find(dcn.vnic);
  if (it == ports.ports.end()) return not_found(field + ".vnic: bridge '" + dcn.bridge + "' has no port '" + dcn.vnic + "'");
  if (it->second.bridge != dcn.bridge) {
    return not_found(field + ".vnic: port '" + dcn.vnic + "' is on bridge '" + it->second.bridge + "', not '" +
                     dcn.bridge + "'");
  }
  if (const Dcn* other = dcn_of_vnic(dcn.vnic)) {
    return already_exists(field + ".vnic: port '" + dcn.vnic + "' is already the VNIC of DCN '" + other->name + "'");
  }
  if (it->second.tagged) {
    return failed_precondition(field + ".vnic: port '" + dcn.vnic +
                               "' has an access stack or trunk list; a VNIC carries container tags only");
  }
  // Containers one by one against what is there plus the ones before them.
  Dcn added{dcn.name, dcn.bridge, dcn.vnic, {}};
  dcns_.push_back(added);
  Dcn& in_set = dcns_.back();
  for (size_t i = 0; i < dcn.containers.size(); ++i) {
    const std::string cf = field + ".containers[" + std::to_string(i) + "]";
    Container c = dcn.containers[i];
    Status st = check_container(in_set, c, ports, tpids, cf);
    if (st.is_ok() && c.ofport == 0) {
      // Explicit numbers first: a later container's number must not be
      // taken by an earlier container's assignment.
      std::set<uint32_t> used = container_ofports(dcn.bridge);
      for (const auto& [name, p] : ports.ports) {
        if (p.bridge == dcn.bridge) used.insert(p.ofport);
      }
      for (const auto& later : dcn.containers) {
        if (later.ofport != 0) used.insert(later.ofport);
      }
      c.ofport = lowest_free(used);
    }
    if (!st.is_ok()) {
      dcns_.pop_back();
      return st;
    }
    in_set.containers.push_back(c);
  }
  return in_set;
}

Result<Dcn> DcnSet::del_dcn(const std::string& name, const std::string& field) {
  if (name.empty()) return invalid_argument(field + ": a DCN name is required");
  for (auto it = dcns_.begin(); it != dcns_.end(); ++it) {
    if (it->name != name) continue;
    Dcn gone = std::move(*it);
    dcns_.erase(it);
    return gone;
  }
  return not_found(field + ": no DCN '" + name + "'");
}

Result<Container> DcnSet::add_container(const std::string& dcn_name, Container c, const PortView& ports,
                                        const l2tags::TpidSet& tpids, const std::string& dcn_field,
                                        const std::string& field) {
  if (dcn_name.empty()) return invalid_argument(dcn_field + ": a DCN name is required");
  Dcn* dcn = find_mutable(dcn_name);
  if (dcn == nullptr) return not_found(dcn_field + ": no DCN '" + dcn_name + "'");
  STRATA_RETURN_IF_ERROR(check_container(*dcn, c, ports, tpids, field));
  if (c.ofport == 0) {
    std::set<uint32_t> used = container_ofports(dcn->bridge);
    for (const auto& [name, p] : ports.ports) {
      if (p.bridge == dcn->bridge) used.insert(p.ofport);
    }
    c.ofport = lowest_free(used);
  }
  dcn->containers.push_back(c);
  return c;
}

Result<Container> DcnSet::del_container(const std::string& dcn_name, const std::string& name,
                                        const std::string& dcn_field, const std::string& field) {
  if (dcn_name.empty()) return invalid_argument(dcn_field + ": a DCN name is required");
  Dcn* dcn = find_mutable(dcn_name);
  if (dcn == nullptr) return not_found(dcn_field + ": no DCN '" + dcn_name + "'");
  if (name.empty()) return invalid_argument(field + ": a container name is required");
  for (auto it = dcn->containers.begin(); it != dcn->containers.end(); ++it) {
    if (it->name != name) continue;
    Container gone = std::move(*it);
    dcn->containers.erase(it);
    return gone;
  }
  if (const Dcn* owner = dcn_of_container(name)) {
    return not_found(field + ": container '" + name + "' is in DCN '" + owner->name + "', not '" + dcn_name + "'");
  }
  return not_found(field + ": DCN '" + dcn_name + "' has no container '" + name + "'");
}

Status DcnSet::check_plain_port_free(const std::string& bridge, const std::string& name, uint32_t ofport,
                                     const std::string& field) const {
  if (const Dcn* owner = dcn_of_container(name)) {
    return already_exists(field + ".name: port '" + name + "' is container '" + name + "' of DCN '" + owner->name + "'");
  }
  if (ofport == 0) return Status::ok();
  for (const auto& d : dcns_) {
    if (d.bridge != bridge) continue;
    for (const auto& c : d.containers) {
      if (c.ofport == ofport) {
        return already_exists(field + ".ofport: bridge '" + bridge + "' already has OpenFlow port " +
                              std::to_string(ofport) + " (container '" + c.name + "' of DCN '" + d.name + "')");
      }
    }
  }
  return Status::ok();
}

Status DcnSet::check_port_removal(const std::string& name, const std::string& field) const {
  if (const Dcn* owner = dcn_of_container(name)) {
    return failed_precondition(field + ": port '" + name + "' is container '" + name + "' of DCN '" + owner->name +
                               "'; remove it with container-del");
  }
  if (const Dcn* d = dcn_of_vnic(name); d != nullptr && !d->containers.empty()) {
    return failed_precondition(field + ": port '" + name + "' is the VNIC of DCN '" + d->name + "', which has " +
                               std::to_string(d->containers.size()) +
                               " container(s); remove them (container-del) or the DCN (dcn-del) first");
  }
  return Status::ok();
}

std::string DcnSet::forget_port(const std::string& name) {
  for (auto it = dcns_.begin(); it != dcns_.end(); ++it) {
    if (it->vnic != name) continue;
    std::string gone = it->name;
    dcns_.erase(it);
    return gone;
  }
  return "";
}

std::vector<std::string> DcnSet::forget_bridge(const std::string& bridge) {
  std::vector<std::string> gone;
  std::erase_if(dcns_, [&](const Dcn& d) {
    if (d.bridge != bridge) return false;
    gone.push_back(d.name);
    return true;
  });
  return gone;
}

Status DcnSet::check_all(const PortView& ports, const l2tags::TpidSet& tpids, const std::string& field) const {
  DcnSet rebuilt;
  for (size_t i = 0; i < dcns_.size(); ++i) {
    auto added = rebuilt.add_dcn(dcns_[i], ports, tpids, field + "[" + std::to_string(i) + "]");
    if (!added) return added.status();
  }
  return Status::ok();
}

}  // namespace strata::container_dcn
