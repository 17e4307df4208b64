#include "ofproto/ofp_codec.h"

#include <algorithm>

namespace strata::ofproto {

namespace {

using namespace ofp;  // NOLINT: the table reads better

// Minimum lengths are the specification's sizeof() of each message; `exact`
// for messages with no variable part.
constexpr MsgInfo kMessages[] = {
    {kHello, "HELLO", 8, false, true},
    {kError, "ERROR", 12, false, true},
    {kEchoRequest, "ECHO_REQUEST", 8, false, true},
    {kEchoReply, "ECHO_REPLY", 8, false, true},
    {kExperimenter, "EXPERIMENTER", 16, false, true},
    {kFeaturesRequest, "FEATURES_REQUEST", 8, true, true},
    {kFeaturesReply, "FEATURES_REPLY", 32, true, false},
    {kGetConfigRequest, "GET_CONFIG_REQUEST", 8, true, true},
    {kGetConfigReply, "GET_CONFIG_REPLY", 12, true, false},
    {kSetConfig, "SET_CONFIG", 12, true, true},
    {kPacketIn, "PACKET_IN", 34, false, false},
    {kFlowRemoved, "FLOW_REMOVED", 56, false, false},
    {kPortStatus, "PORT_STATUS", 80, true, false},
    {kPacketOut, "PACKET_OUT", 24, false, true},
    {kFlowMod, "FLOW_MOD", 56, false, true},
    {kGroupMod, "GROUP_MOD", 16, false, true},
    {kPortMod, "PORT_MOD", 40, true, true},
    {kTableMod, "TABLE_MOD", 16, true, true},
    {kMultipartRequest, "MULTIPART_REQUEST", 16, false, true},
    {kMultipartReply, "MULTIPART_REPLY", 16, false, false},
    {kBarrierRequest, "BARRIER_REQUEST", 8, true, true},
    {kBarrierReply, "BARRIER_REPLY", 8, true, false},
    {kQueueGetConfigRequest, "QUEUE_GET_CONFIG_REQUEST", 16, true, true},
    {kQueueGetConfigReply, "QUEUE_GET_CONFIG_REPLY", 16, false, false},
    {kRoleRequest, "ROLE_REQUEST", 24, true, true},
    {kRoleReply, "ROLE_REPLY", 24, true, false},
    {kGetAsyncRequest, "GET_ASYNC_REQUEST", 8, true, true},
    {kGetAsyncReply, "GET_ASYNC_REPLY", 32, true, false},
    {kSetAsync, "SET_ASYNC", 32, true, true},
    {kMeterMod, "METER_MOD", 16, false, true},
};

}  // namespace

OfpHeader read_header(const uint8_t* p) {
  Reader r(p, ofp::kHeaderLen);
  OfpHeader h;
  h.version = r.u8();
  h.type = r.u8();
  h.length = r.u16();
  h.xid = r.u32();
  return h;
}

const MsgInfo* msg_info(uint8_t type) {
  for (const auto& m : kMessages) {
    if (m.type == type) return &m;
  }
  return nullptr;
}

OfStatus check_message(const OfpHeader& h) {
  if (h.version != ofp::kVersion) {
    return bad_request(ofp::kBrcBadVersion, "version " + std::to_string(h.version) + " after 1.3 was negotiated");
  }
  const MsgInfo* info = msg_info(h.type);
  if (info == nullptr || !info->to_switch) {
    return bad_request(ofp::kBrcBadType, "message type " + std::to_string(h.type) + " is not one a switch accepts");
  }
  if (h.length < info->min_len || (info->exact && h.length != info->min_len)) {
    return bad_request(ofp::kBrcBadLen, std::string(info->name) + " with length " + std::to_string(h.length));
  }
  return OfStatus::ok();
}

std::vector<uint8_t> encode_error(uint32_t xid, uint16_t type, uint16_t code, const uint8_t* request, size_t len) {
  return encode_error(xid, OfStatus(type, code, ""), request, len);
}

std::vector<uint8_t> encode_error(uint32_t xid, const OfStatus& st, const uint8_t* request, size_t len) {
  msg::Error e;
  e.type = st.type();
  e.code = st.code();
  if (st.type() == ofp::kEtExperimenter) {
    // ofp_error_experimenter_msg: type, exp_code, then the experimenter id before the data.
    const uint32_t id = st.experimenter();
    e.data = {static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16), static_cast<uint8_t>(id >> 8),
              static_cast<uint8_t>(id)};
  }
  e.data.insert(e.data.end(), request, request + std::min(len, ofp::kErrorDataMax));
  return encode_message(ofp::kError, xid, e);
}

}  // namespace strata::ofproto
