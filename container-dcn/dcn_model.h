// The container DCN model: which DCNs exist, which containers each holds,
// and every rule that keeps them consistent with each other and with the
// switch's ports. A DCN is a VM (or a namespace standing in for one) whose
// one VNIC, a port of a bridge, carries many containers; each container is
// a switch port of its own, told apart on the VNIC by its container tag
// (the outermost tag there).
//
// Pure and DPDK-free: the daemon builds a DcnSet from its configuration,
// asks it to check and make a change, and only then applies the change to
// the switch. Every error names the request field it is about, with the
// prefix the caller passes ("dcn.containers[1].tag.vid: ...").
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "l2tags/tpid_set.h"

namespace strata::container_dcn {

// Container tags: VID 0 (priority tag) and 4095 (reserved) carry no VLAN.
inline constexpr uint16_t kMinContainerVid = 1;
inline constexpr uint16_t kMaxContainerVid = 4094;
inline constexpr uint16_t kDefaultTpid = 0x8100;

struct Container {
  std::string name;         // its switch port's name: unique among every port of the switch
  uint16_t tpid = kDefaultTpid;  // container tag on the VNIC: a recognised TPID
  uint16_t vid = 0;         // kMinContainerVid..kMaxContainerVid, unique within the DCN
  uint32_t ofport = 0;      // its port's OpenFlow number; 0 = the lowest free on the bridge
  std::string address;      // for the in-DCN agent: "10.1.0.2/24" or "fd00::2/64"; may be empty
  std::string mac;          // for the in-DCN agent: "02:00:00:00:01:02"; may be empty
};

struct Dcn {
  std::string name;                   // unique among DCNs
  std::string bridge;                 // the bridge its VNIC is on
  std::string vnic;                   // a port of `bridge` no other DCN uses
  std::vector<Container> containers;  // in the order they were added
};

// The switch's plain (device) ports, which DCNs refer to and whose names
// and OpenFlow numbers containers must not take.
struct PortView {
  struct Port {
    std::string bridge;   // the bridge it is on
    uint32_t ofport = 0;  // its OpenFlow number
    bool tagged = false;  // it has an access stack or a trunk list (a VNIC must not)
  };
  std::set<std::string> bridges;      // every bridge
  std::map<std::string, Port> ports;  // every plain port, by name
};

class DcnSet {
 public:
  DcnSet() = default;
  explicit DcnSet(std::vector<Dcn> dcns) : dcns_(std::move(dcns)) {}

  const std::vector<Dcn>& dcns() const { return dcns_; }
  const Dcn* find(const std::string& name) const;
  // The DCN whose VNIC is `port`, or nullptr.
  const Dcn* dcn_of_vnic(const std::string& port) const;
  // The DCN holding the container whose port is `port`, or nullptr.
  const Dcn* dcn_of_container(const std::string& port) const;

  // Checks a whole set read from a configuration file (field prefix
  // "dcns"): what add_dcn would check for each DCN in turn.
  Status check_all(const PortView& ports, const l2tags::TpidSet& tpids, const std::string& field) const;

  // Adds a DCN with its containers, or changes nothing: name free, bridge
  // known, VNIC a plain untagged port of it that no DCN uses, every
  // container valid. Container ofports left 0 are assigned (lowest free on
  // the bridge); returns the DCN as added.
  Result<Dcn> add_dcn(Dcn dcn, const PortView& ports, const l2tags::TpidSet& tpids, const std::string& field);
  // Removes a DCN and its containers; returns it. `field` names the DCN name.
  Result<Dcn> del_dcn(const std::string& name, const std::string& field);
  // Adds one container to a DCN (`dcn_field` names the DCN, `field` the
  // container); returns it as added (ofport assigned).
  Result<Container> add_container(const std::string& dcn, Container c, const PortView& ports,
                                  const l2tags::TpidSet& tpids, const std::string& dcn_field,
                                  const std::string& field);
  // Removes one container; returns it.
  Result<Container> del_container(const std::string& dcn, const std::string& name, const std::string& dcn_field,
                                  const std::string& field);

  // For plain-port changes: may a port named `name` with OpenFlow number
  // `ofport` join `bridge`? (Not if a container has the name or number.)
  Status check_plain_port_free(const std::string& bridge, const std::string& name, uint32_t ofport,
                               const std::string& field) const;
  // OpenFlow numbers containers use on `bridge`.
  std::set<uint32_t> container_ofports(const std::string& bridge) const;
  // May the plain port `name` be removed? Not a VNIC that has containers
  // (FAILED_PRECONDITION); a container's port is removed with
  // del_container, never as a plain port.
  Status check_port_removal(const std::string& name, const std::string& field) const;
  // A plain port went: the DCN whose VNIC it was (without containers, or
  // check_port_removal would have refused) goes too. Returns its name or "".
  std::string forget_port(const std::string& name);
  // A bridge went: every DCN on it goes. Returns their names.
  std::vector<std::string> forget_bridge(const std::string& bridge);

 private:
  Dcn* find_mutable(const std::string& name);
  Status check_container(const Dcn& dcn, const Container& c, const PortView& ports, const l2tags::TpidSet& tpids,
                         const std::string& field) const;

  std::vector<Dcn> dcns_;  // in the order they were added
};

// Field checks shared with the configuration reader.
// A DCN or container name: 1..64 of letters, digits and - _ . : @.
Status check_dcn_name(const std::string& name, const std::string& field, const char* what);
// "10.1.0.2/24" / "fd00::2/64" (prefix required), or empty.
Status check_address(const std::string& address, const std::string& field);
// "02:00:00:00:01:02" (unicast), or empty.
Status check_mac(const std::string& mac, const std::string& field);

}  // namespace strata::container_dcn
