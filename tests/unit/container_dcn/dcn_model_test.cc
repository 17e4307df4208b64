// The container DCN model: what it accepts, what it refuses (with the field
// and the code), and that a refused change leaves the set as it was.
#include <catch2/catch.hpp>

#include "container-dcn/dcn_model.h"

using namespace strata;
using namespace strata::container_dcn;

namespace {

// br0: vnic1 (1), vnic2 (2), uplink (3, a trunk list); br1: other (1).
PortView switch_ports() {
  PortView v;
  v.bridges = {"br0", "br1"};
  v.ports["vnic1"] = {"br0", 1, false};
  v.ports["vnic2"] = {"br0", 2, false};
  v.ports["uplink"] = {"br0", 3, true};
  v.ports["other"] = {"br1", 1, false};
  return v;
}

Container container(const std::string& name, uint16_t vid, uint32_t ofport = 0) {
  Container c;
  c.name = name;
  c.vid = vid;
  c.ofport = ofport;
  return c;
}

Dcn dcn(const std::string& name, const std::string& vnic, std::vector<Container> containers = {}) {
  return Dcn{name, "br0", vnic, std::move(containers)};
}

const l2tags::TpidSet kTpids{};

// The error's code and message, for one-line checks.
template <typename T>
std::string error_of(const Result<T>& r) {
  REQUIRE_FALSE(r.is_ok());
  return r.status().message();
}

}  // namespace

TEST_CASE("a DCN with containers is added with ofports assigned after the plain ports", "[container_dcn]") {
  DcnSet set;
  auto added = set.add_dcn(dcn("d1", "vnic1", {container("c1", 10), container("c2", 20, 7), container("c3", 30)}),
                           switch_ports(), kTpids, "dcn");
  REQUIRE(added.is_ok());
  REQUIRE(added->containers.size() == 3);
  CHECK(added->containers[0].ofport == 4);  // 1..3 are plain ports
  CHECK(added->containers[1].ofport == 7);  // as asked
  CHECK(added->containers[2].ofport == 5);
  CHECK(added->containers[0].tpid == 0x8100);
  CHECK(set.find("d1") != nullptr);
  CHECK(set.dcn_of_vnic("vnic1") == set.find("d1"));
  CHECK(set.dcn_of_container("c2") == set.find("d1"));
  CHECK(set.container_ofports("br0") == std::set<uint32_t>{4, 5, 7});
}

TEST_CASE("an explicit ofport of a later container is not taken by an earlier assignment", "[container_dcn]") {
  DcnSet set;
  auto added = set.add_dcn(dcn("d1", "vnic1", {container("c1", 10), container("c2", 20, 4)}), switch_ports(), kTpids,
                           "dcn");
  REQUIRE(added.is_ok());
  CHECK(added->containers[0].ofport == 5);
  CHECK(added->containers[1].ofport == 4);
}

TEST_CASE("bad DCNs are refused naming the field, and change nothing", "[container_dcn]") {
  DcnSet set;
  REQUIRE(set.add_dcn(dcn("d1", "vnic1", {container("c1", 10)}), switch_ports(), kTpids, "dcn").is_ok());
  const auto before = set.dcns().size();

  auto check = [&](Dcn d, StatusCode code, const std::string& message) {
    auto r = set.add_dcn(std::move(d), switch_ports(), kTpids, "dcn");
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == code);
    CHECK(r.status().message() == message);
    CHECK(set.dcns().size() == before);
  };
  check(dcn("", "vnic2"), StatusCode::kInvalidArgument, "dcn.name: a DCN needs a name");
  check(dcn("d 2", "vnic2"), StatusCode::kInvalidArgument,
        "dcn.name: 'd 2' may contain only letters, digits and - _ . : @");
  check(dcn("d1", "vnic2"), StatusCode::kAlreadyExists, "dcn.name: DCN 'd1' already exists");
  check(Dcn{"d2", "br9", "vnic2", {}}, StatusCode::kNotFound, "dcn.bridge: no bridge 'br9'");
  check(dcn("d2", "nope"), StatusCode::kNotFound, "dcn.vnic: bridge 'br0' has no port 'nope'");
  check(dcn("d2", "other"), StatusCode::kNotFound, "dcn.vnic: port 'other' is on bridge 'br1', not 'br0'");
  check(dcn("d2", "vnic1"), StatusCode::kAlreadyExists, "dcn.vnic: port 'vnic1' is already the VNIC of DCN 'd1'");
  check(dcn("d2", "uplink"), StatusCode::kFailedPrecondition,
        "dcn.vnic: port 'uplink' has an access stack or trunk list; a VNIC carries container tags only");
  check(dcn("d2", "c1"), StatusCode::kInvalidArgument, "dcn.vnic: 'c1' is a container's port, not a device port");
  // A bad container anywhere refuses the whole DCN.
  check(dcn("d2", "vnic2", {container("x1", 10), container("x2", 10)}), StatusCode::kAlreadyExists,
        "dcn.containers[1].tag.vid: DCN 'd2' already uses tag 10 (container 'x1')");
  check(dcn("d2", "vnic2", {container("x1", 10), container("x2", 4095)}), StatusCode::kInvalidArgument,
        "dcn.containers[1].tag.vid: 4095 is out of range 1..4094");
  CHECK(set.find("d2") == nullptr);
}

TEST_CASE("bad containers are refused naming the field, and change nothing", "[container_dcn]") {
  DcnSet set;
  REQUIRE(set.add_dcn(dcn("d1", "vnic1", {container("c1", 10)}), switch_ports(), kTpids, "dcn").is_ok());
  REQUIRE(set.add_dcn(dcn("d2", "vnic2", {container("c2", 10)}), switch_ports(), kTpids, "dcn").is_ok());

  auto check = [&](const std::string& d, Container c, StatusCode code, const std::string& message) {
    auto r = set.add_container(d, std::move(c), switch_ports(), kTpids, "dcn", "container");
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == code);
    CHECK(r.status().message() == message);
    CHECK(set.find("d1")->containers.size() == 1);
  };
  check("d9", container("x", 11), StatusCode::kNotFound, "dcn: no DCN 'd9'");
  check("", container("x", 11), StatusCode::kInvalidArgument, "dcn: a DCN name is required");
  check("d1", container("x", 10), StatusCode::kAlreadyExists,
        "container.tag.vid: DCN 'd1' already uses tag 10 (container 'c1')");
  check("d1", container("x", 0), StatusCode::kInvalidArgument, "container.tag.vid: 0 is out of range 1..4094");
  check("d1", container("x", 4095), StatusCode::kInvalidArgument, "container.tag.vid: 4095 is out of range 1..4094");
  check("d1", container("c1", 11), StatusCode::kAlreadyExists, "container.name: DCN 'd1' already has container 'c1'");
  check("d1", container("c2", 11), StatusCode::kAlreadyExists,
        "container.name: port 'c2' is container 'c2' of DCN 'd2'");
  check("d1", container("vnic2", 11), StatusCode::kAlreadyExists,
        "container.name: port 'vnic2' already exists on bridge 'br0'");
  check("d1", container("x", 11, 2), StatusCode::kAlreadyExists,
        "container.ofport: bridge 'br0' already has OpenFlow port 2 (port 'vnic2')");
  check("d1", container("x", 11, 5), StatusCode::kAlreadyExists,
        "container.ofport: bridge 'br0' already has OpenFlow port 5 (container 'c2')");
  Container bad_tpid = container("x", 11);
  bad_tpid.tpid = 0x0800;
  check("d1", bad_tpid, StatusCode::kInvalidArgument, "container.tag.tpid: 0x0800 is not a recognised TPID");
  Container bad_addr = container("x", 11);
  bad_addr.address = "10.0.0.1";
  check("d1", bad_addr, StatusCode::kInvalidArgument,
        "container.address: '10.0.0.1' needs a prefix length (10.1.0.2/24, fd00::2/64)");
  bad_addr.address = "10.0.0.1/33";
  check("d1", bad_addr, StatusCode::kInvalidArgument, "container.address: '10.0.0.1/33' has a prefix length outside 0..32");
  Container bad_mac = container("x", 11);
  bad_mac.mac = "01:00:5e:00:00:01";
  check("d1", bad_mac, StatusCode::kInvalidArgument, "container.mac: 01:00:5e:00:00:01 is a multicast address");
  bad_mac.mac = "zz";
  check("d1", bad_mac, StatusCode::kInvalidArgument, "container.mac: 'zz' is not a MAC address (02:00:00:00:01:02)");
}

TEST_CASE("the same tag in two DCNs, any TPID of the set, and agent fields are fine", "[container_dcn]") {
  DcnSet set;
  REQUIRE(set.add_dcn(dcn("d1", "vnic1", {container("c1", 10)}), switch_ports(), kTpids, "dcn").is_ok());
  REQUIRE(set.add_dcn(dcn("d2", "vnic2", {container("c2", 10)}), switch_ports(), kTpids, "dcn").is_ok());
  Container c = container("c3", 11);
  c.tpid = 0x88a8;
  c.address = "fd00::3/64";
  c.mac = "02:00:00:00:00:03";
  auto added = set.add_container("d1", c, switch_ports(), kTpids, "dcn", "container");
  REQUIRE(added.is_ok());
  CHECK(added->ofport == 6);  // 4, 5 taken by c1, c2 on br0
  CHECK(added->tpid == 0x88a8);
}

TEST_CASE("removals: containers, DCNs, VNICs and bridges", "[container_dcn]") {
  DcnSet set;
  REQUIRE(set.add_dcn(dcn("d1", "vnic1", {container("c1", 10), container("c2", 11)}), switch_ports(), kTpids, "dcn")
              .is_ok());
  REQUIRE(set.add_dcn(dcn("d2", "vnic2"), switch_ports(), kTpids, "dcn").is_ok());

  CHECK(error_of(set.del_container("d1", "c9", "dcn", "container")) == "container: DCN 'd1' has no container 'c9'");
  CHECK(error_of(set.del_container("d2", "c1", "dcn", "container")) ==
        "container: container 'c1' is in DCN 'd1', not 'd2'");
  CHECK(error_of(set.del_dcn("d9", "dcn")) == "dcn: no DCN 'd9'");

  // A VNIC with containers stays; a container's port is not a plain port.
  Status st = set.check_port_removal("vnic1", "port");
  CHECK(st.code() == StatusCode::kFailedPrecondition);
  CHECK(st.message() ==
        "port: port 'vnic1' is the VNIC of DCN 'd1', which has 2 container(s); remove them (container-del) or the "
        "DCN (dcn-del) first");
  CHECK(set.check_port_removal("c1", "port").code() == StatusCode::kFailedPrecondition);
  CHECK(set.check_port_removal("vnic2", "port").is_ok());  // an empty DCN's VNIC may go ...
  CHECK(set.forget_port("vnic2") == "d2");                 // ... and the DCN with it
  CHECK(set.find("d2") == nullptr);

  CHECK(set.check_plain_port_free("br0", "c1", 0, "port").code() == StatusCode::kAlreadyExists);
  CHECK(set.check_plain_port_free("br0", "p9", 4, "port").message() ==
        "port.ofport: bridge 'br0' already has OpenFlow port 4 (container 'c1' of DCN 'd1')");
  CHECK(set.check_plain_port_free("br1", "p9", 4, "port").is_ok());

  auto gone = set.del_container("d1", "c1", "dcn", "container");
  REQUIRE(gone.is_ok());
  CHECK(gone->vid == 10);
  CHECK(set.find("d1")->containers.size() == 1);
  CHECK(set.forget_bridge("br0") == std::vector<std::string>{"d1"});
  CHECK(set.dcns().empty());
}

TEST_CASE("check_all validates a configuration's DCNs in order", "[container_dcn]") {
  DcnSet good({dcn("d1", "vnic1", {container("c1", 10)}), dcn("d2", "vnic2", {container("c2", 10)})});
  CHECK(good.check_all(switch_ports(), kTpids, "dcns").is_ok());
  DcnSet bad({dcn("d1", "vnic1", {container("c1", 10)}), dcn("d2", "vnic1")});
  Status st = bad.check_all(switch_ports(), kTpids, "dcns");
  CHECK(st.message() == "dcns[1].vnic: port 'vnic1' is already the VNIC of DCN 'd1'");
}
