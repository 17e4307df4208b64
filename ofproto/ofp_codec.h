// The OpenFlow 1.3 message table and framing: which message types exist,
// their length rules and direction, and the generic encode/decode of a
// whole message (header + body by its layout). Multipart replies are split
// into several messages with REPLY_MORE when they outgrow one.
#pragma once

#include <cstdint>
#include <vector>

#include "ofproto/ofp_messages.h"

namespace strata::ofproto {

struct OfpHeader {
  uint8_t version = 0;  // protocol version
  uint8_t type = 0;     // ofp::MsgType
  uint16_t length = 0;  // whole message, header included
  uint32_t xid = 0;     // transaction id, echoed in replies
};

// Reads the 8-byte header (the caller has at least 8 bytes).
OfpHeader read_header(const uint8_t* p);

struct MsgInfo {
  uint8_t type;          // ofp::MsgType
  const char* name;      // "FLOW_MOD"
  uint16_t min_len;      // smallest valid length, header included
  bool exact;            // the length must be exactly min_len
  bool to_switch;        // a controller may send it to a switch
};
// The entry for `type`; nullptr for types 1.3 does not define.
const MsgInfo* msg_info(uint8_t type);

// Checks a complete message from a controller against the table: version,
// known type, direction, length. (HELLO is checked by the session.)
OfStatus check_message(const OfpHeader& h);

// Decodes the body of a complete message (header included in `msg`): every
// byte must be consumed.
template <typename T>
OfStatus decode_body(const uint8_t* msg, size_t len, T* out) {
  Reader r(msg + ofp::kHeaderLen, len - ofp::kHeaderLen);
  STRATA_OF_RETURN_IF_ERROR(wire::decode(r, out));
  if (r.remaining() != 0) return bad_request(ofp::kBrcBadLen, "message longer than its contents");
  return OfStatus::ok();
}

// Decodes a multipart request body (or reply body) held in a byte vector.
template <typename T>
OfStatus decode_bytes(const std::vector<uint8_t>& body, T* out) {
  Reader r(body.data(), body.size());
  STRATA_OF_RETURN_IF_ERROR(wire::decode(r, out));
  if (r.remaining() != 0) return bad_request(ofp::kBrcBadLen, "multipart body longer than its contents");
  return OfStatus::ok();
}

// A whole message: header, then the body by its layout.
template <typename T>
std::vector<uint8_t> encode_message(uint8_t type, uint32_t xid, const T& body) {
  std::vector<uint8_t> out;
  Writer w(out);
  w.u8(ofp::kVersion);
  w.u8(type);
  w.u16(0);
  w.u32(xid);
  wire::encode(body, w);
  w.patch_u16(2, static_cast<uint16_t>(out.size()));
  return out;
}

// OFPT_ERROR answering `request` (its first 64 bytes are echoed).
std::vector<uint8_t> encode_error(uint32_t xid, uint16_t type, uint16_t code, const uint8_t* request, size_t len);
// The same for any failure, experimenter errors (their id before the data) included.
std::vector<uint8_t> encode_error(uint32_t xid, const OfStatus& st, const uint8_t* request, size_t len);

// Multipart replies whose body is one struct (DESC, AGGREGATE, ...).
template <typename T>
std::vector<uint8_t> encode_multipart_single(uint16_t mp_type, uint32_t xid, const T& body) {
  std::vector<uint8_t> out;
  Writer w(out);
  w.u8(ofp::kVersion);
  w.u8(ofp::kMultipartReply);
  w.u16(0);
  w.u32(xid);
  w.u16(mp_type);
  w.u16(0);
  w.zeros(4);
  wire::encode(body, w);
  w.patch_u16(2, static_cast<uint16_t>(out.size()));
  return out;
}

// Multipart replies that are lists of entries, split so no message exceeds
// kMultipartBudget bytes: all but the last carry REPLY_MORE.
inline constexpr size_t kMultipartBudget = 60000;
template <typename E>
std::vector<std::vector<uint8_t>> encode_multipart_list(uint16_t mp_type, uint32_t xid, const std::vector<E>& entries) {
  std::vector<std::vector<uint8_t>> msgs;
  auto start = [&] {
    msgs.emplace_back();
    Writer w(msgs.back());
    w.u8(ofp::kVersion);
    w.u8(ofp::kMultipartReply);
    w.u16(0);
    w.u32(xid);
    w.u16(mp_type);
    w.u16(0);
    w.zeros(4);
  };
  start();
  for (const E& e : entries) {
    std::vector<uint8_t> one;
    Writer ew(one);
    wire::encode(e, ew);
    if (msgs.back().size() + one.size() > kMultipartBudget && msgs.back().size() > 16) {
      Writer(msgs.back()).patch_u16(10, ofp::kMpfMore);
      start();
    }
    msgs.back().insert(msgs.back().end(), one.begin(), one.end());
  }
  for (auto& m : msgs) Writer(m).patch_u16(2, static_cast<uint16_t>(m.size()));
  return msgs;
}

}  // namespace strata::ofproto
