// The table-driven codec: whole messages round-trip, fixed layouts have the
// specification's sizes, multipart replies split under 64 KiB, ERROR echoes
// at most 64 bytes.
#include <catch2/catch.hpp>

#include "ofproto/ofp_codec.h"

using namespace strata::ofproto;

namespace {

template <typename T>
T round_trip(uint8_t type, const T& in, size_t* len = nullptr) {
  const std::vector<uint8_t> bytes = encode_message(type, 0x1234, in);
  if (len != nullptr) *len = bytes.size();
  REQUIRE(read_header(bytes.data()).length == bytes.size());
  REQUIRE(read_header(bytes.data()).xid == 0x1234);
  T out{};
  const OfStatus st = decode_body(bytes.data(), bytes.size(), &out);
  INFO(st.message());
  REQUIRE(st);
  return out;
}

OfActions sample_actions() {
  OfActions a;
  a.push_back(OfAction::pop_vlan());
  a.push_back(OfAction::push_vlan(0x88a8));
  a.push_back(OfAction::set_field(FieldId::kVlanVid, ofp::kVidPresent | 300));
  a.push_back(OfAction::set_field(tag_field(TagAttr::kPcp, 3), 5));
  a.push_back(OfAction::group(7));
  a.push_back(OfAction::output(ofp::kPortController, 128));
  return a;
}

}  // namespace

TEST_CASE("fixed-size messages have the specification's lengths", "[ofproto][codec]") {
  size_t len = 0;
  round_trip(ofp::kFeaturesReply, msg::SwitchFeatures{}, &len);
  CHECK(len == 32);
  round_trip(ofp::kSetConfig, msg::SwitchConfig{}, &len);
  CHECK(len == 12);
  round_trip(ofp::kPortMod, msg::PortMod{}, &len);
  CHECK(len == 40);
  round_trip(ofp::kRoleRequest, msg::Role{}, &len);
  CHECK(len == 24);
  round_trip(ofp::kSetAsync, msg::Async{}, &len);
  CHECK(len == 32);
  round_trip(ofp::kPortStatus, msg::PortStatus{}, &len);
  CHECK(len == 80);
  round_trip(ofp::kFlowMod, msg::FlowModBody{}, &len);
  CHECK(len == 56);  // 48 + an empty OXM match padded to 8
}

TEST_CASE("FLOW_MOD with every instruction and action kind round-trips", "[ofproto][codec]") {
  msg::FlowModBody fm;
  fm.cookie = 0x1122334455667788;
  fm.cookie_mask = ~0ull;
  fm.table_id = 3;
  fm.command = ofp::kFcModifyStrict;
  fm.idle_timeout = 10;
  fm.hard_timeout = 20;
  fm.priority = 0x8001;
  fm.flags = ofp::kFfSendFlowRem | ofp::kFfCheckOverlap;
  fm.match.set_in_port(4).set_uint(FieldId::kVlanVid, ofp::kVidPresent | 10);
  fm.instructions.apply = sample_actions();
  fm.instructions.clear_actions = true;
  fm.instructions.write = OfActions{OfAction::output(2)};
  fm.instructions.metadata = 0xabcd;
  fm.instructions.metadata_mask = 0xffff;
  fm.instructions.goto_table = 9;
  const msg::FlowModBody back = round_trip(ofp::kFlowMod, fm);
  CHECK(back.cookie == fm.cookie);
  CHECK(back.table_id == 3);
  CHECK(back.command == ofp::kFcModifyStrict);
  CHECK(back.priority == 0x8001);
  CHECK(back.flags == fm.flags);
  CHECK(back.match == fm.match);
  CHECK(back.instructions == fm.instructions);
}

TEST_CASE("PACKET_OUT, PACKET_IN, FLOW_REMOVED and GROUP_MOD round-trip", "[ofproto][codec]") {
  msg::PacketOut po;
  po.in_port = 3;
  po.actions = sample_actions();
  po.data = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const msg::PacketOut po2 = round_trip(ofp::kPacketOut, po);
  CHECK(po2.in_port == 3);
  CHECK(po2.actions == po.actions);
  CHECK(po2.data == po.data);

  msg::PacketIn pi;
  pi.total_len = 1500;
  pi.reason = ofp::kPrAction;
  pi.table_id = 4;
  pi.cookie = 99;
  pi.match.set_in_port(2).set_metadata(0x55);
  pi.data = {9, 8, 7};
  const msg::PacketIn pi2 = round_trip(ofp::kPacketIn, pi);
  CHECK(pi2.match == pi.match);
  CHECK(pi2.data == pi.data);
  CHECK(pi2.total_len == 1500);

  msg::FlowRemoved fr;
  fr.cookie = 5;
  fr.reason = ofp::kRrIdleTimeout;
  fr.packet_count = 77;
  fr.match.set_eth_type(0x0806);
  const msg::FlowRemoved fr2 = round_trip(ofp::kFlowRemoved, fr);
  CHECK(fr2.packet_count == 77);
  CHECK(fr2.match == fr.match);

  msg::GroupMod gm;
  gm.type = ofp::kGtFastFailover;
  gm.group_id = 42;
  gm.buckets.push_back(msg::Bucket{0, 1, ofp::kGroupAny, {OfAction::output(1)}});
  gm.buckets.push_back(msg::Bucket{0, 2, ofp::kGroupAny, sample_actions()});
  const msg::GroupMod gm2 = round_trip(ofp::kGroupMod, gm);
  REQUIRE(gm2.buckets.size() == 2);
  CHECK(gm2.buckets[1].watch_port == 2);
  CHECK(gm2.buckets[1].actions == gm.buckets[1].actions);
}

TEST_CASE("large multipart replies are split below 64 KiB with REPLY_MORE", "[ofproto][codec]") {
  std::vector<msg::FlowStats> flows(3000);
  for (size_t i = 0; i < flows.size(); ++i) {
    flows[i].priority = static_cast<uint16_t>(i);
    flows[i].match.set_in_port(static_cast<uint32_t>(i + 1));
    flows[i].instructions.apply = OfActions{OfAction::output(2)};
  }
  const auto msgs = encode_multipart_list(ofp::kMpFlow, 7, flows);
  REQUIRE(msgs.size() > 1);
  std::vector<msg::FlowStats> back;
  for (size_t i = 0; i < msgs.size(); ++i) {
    const auto& m = msgs[i];
    REQUIRE(m.size() <= 0xffff);
    const OfpHeader h = read_header(m.data());
    CHECK(h.length == m.size());
    CHECK(h.xid == 7);
    msg::MultipartHeader mp;
    REQUIRE(decode_body(m.data(), m.size(), &mp));
    CHECK(mp.type == ofp::kMpFlow);
    CHECK(((mp.flags & ofp::kMpfMore) != 0) == (i + 1 < msgs.size()));
    msg::FlowStatsReply part;
    REQUIRE(decode_bytes(mp.body, &part));
    back.insert(back.end(), part.flows.begin(), part.flows.end());
  }
  REQUIRE(back.size() == flows.size());
  CHECK(back.back().priority == 2999);
  CHECK(back.back().match == flows.back().match);
}

TEST_CASE("ERROR echoes at most 64 bytes of the request with its xid", "[ofproto][codec]") {
  std::vector<uint8_t> req(200, 0xab);
  req[4] = 0xde;
  req[5] = 0xad;
  req[6] = 0xbe;
  req[7] = 0xef;
  const auto err = encode_error(0xdeadbeef, ofp::kEtBadRequest, ofp::kBrcBadLen, req.data(), req.size());
  REQUIRE(err.size() == 8 + 4 + 64);
  msg::Error e;
  REQUIRE(decode_body(err.data(), err.size(), &e));
  CHECK(e.type == ofp::kEtBadRequest);
  CHECK(e.code == ofp::kBrcBadLen);
  CHECK(e.data.size() == 64);
  CHECK(read_header(err.data()).xid == 0xdeadbeef);
}

TEST_CASE("the message table knows direction and length rules", "[ofproto][codec]") {
  OfpHeader h{ofp::kVersion, ofp::kFeaturesRequest, 8, 1};
  CHECK(check_message(h));
  h.length = 9;
  CHECK(check_message(h).code() == ofp::kBrcBadLen);
  h = {ofp::kVersion, ofp::kFeaturesReply, 32, 1};
  CHECK(check_message(h).code() == ofp::kBrcBadType);
  h = {ofp::kVersion, 99, 8, 1};
  CHECK(check_message(h).code() == ofp::kBrcBadType);
  h = {0x01, ofp::kEchoRequest, 8, 1};
  CHECK(check_message(h).code() == ofp::kBrcBadVersion);
  h = {ofp::kVersion, ofp::kFlowMod, 48, 1};
  CHECK(check_message(h).code() == ofp::kBrcBadLen);
}
