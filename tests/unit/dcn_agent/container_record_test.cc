#include "container-dcn/agent/container_record.h"

#include <catch2/catch.hpp>

using namespace strata::dcn_agent;

namespace {

ContainerRecord full_record() {
  ContainerRecord r;
  r.dcn = "dcn1";
  r.spec.name = "web";
  r.spec.tpid = 0x88a8;
  r.spec.vid = 4094;
  r.spec.address = "fd00::2/64";
  r.spec.mac = "02:00:00:00:01:02";
  r.mechanism = Mechanism::kVlan;
  return r;
}

}  // namespace

TEST_CASE("a record reads back as what was written", "[dcn_agent]") {
  const ContainerRecord r = full_record();
  CHECK(encode_record(r) ==
        "strata-dcn/1 dcn=dcn1 name=web tag=88a8:4094 mech=vlan addr=fd00::2/64 mac=02:00:00:00:01:02");
  CHECK(decode_record(encode_record(r)) == r);
  ContainerRecord bare = r;
  bare.spec.address.clear();
  bare.spec.mac.clear();
  bare.mechanism = Mechanism::kEbpf;
  CHECK(encode_record(bare) == "strata-dcn/1 dcn=dcn1 name=web tag=88a8:4094 mech=ebpf");
  CHECK(decode_record(encode_record(bare)) == bare);
}

TEST_CASE("the longest record fits an interface alias (255 bytes)", "[dcn_agent]") {
  ContainerRecord r = full_record();
  r.dcn = std::string(64, 'd');
  r.spec.name = std::string(64, 'c');
  r.spec.address = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128";
  CHECK(encode_record(r).size() <= 255);
}

TEST_CASE("anything but a complete valid record is no record", "[dcn_agent]") {
  CHECK_FALSE(decode_record(""));
  CHECK_FALSE(decode_record("my own alias"));
  CHECK_FALSE(decode_record("strata-dcn/2 dcn=d name=c tag=8100:5 mech=ebpf"));
  CHECK_FALSE(decode_record("strata-dcn/1 dcn=d name=c tag=8100:5"));              // no mechanism
  CHECK_FALSE(decode_record("strata-dcn/1 dcn=d name=c mech=ebpf"));          // no tag
  CHECK_FALSE(decode_record("strata-dcn/1 dcn=d name=c tag=8100:0 mech=ebpf"));
  CHECK_FALSE(decode_record("strata-dcn/1 dcn=d name=c tag=8100:x mech=ebpf"));
  CHECK_FALSE(decode_record("strata-dcn/1 dcn=d name=c tag=9100:5 mech=ebpf"));
  CHECK_FALSE(decode_record("strata-dcn/1 dcn=d name=c tag=8100:5 mech=tap"));
  CHECK_FALSE(decode_record("strata-dcn/1 dcn=d name=c tag=8100:5 mech=ebpf color=red"));
  CHECK_FALSE(decode_record("strata-dcn/1 dcn=d dcn=e name=c tag=8100:5 mech=ebpf"));
  CHECK_FALSE(decode_record("strata-dcn/1 dcn=d name=c tag=8100:5 mech=ebpf addr=10.0.0.1"));
  CHECK(decode_record("strata-dcn/1 dcn=d name=c tag=8100:5 mech=ebpf"));
}
