// Fuzzes the OpenFlow 1.3 message decoder on arbitrary bytes: the message
// table check, then the body decoder of the type the header names (and of
// every multipart body). Properties: no read outside the input
// (AddressSanitizer: libFuzzer's buffer is exactly the input), every error
// carries a type/code the 1.3 specification defines, and whatever decodes
// re-encodes into bytes that decode to the same thing (the codec is one
// table read in both directions, so it must agree with itself).
#include <cstdint>
#include <cstdlib>

#include "ofproto/ofp_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using namespace strata::ofproto;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_error(const OfStatus& st) {
  if (st) return;
  check(st.type() <= ofp::kEtTableFeaturesFailed);
  check(st.code() <= 15);
}

// Decode, and on success re-encode and decode again: the same value.
template <typename T, typename Eq>
void round_trip(const uint8_t* msg, size_t len, Eq&& eq) {
  T v{};
  const OfStatus st = decode_body(msg, len, &v);
  check_error(st);
  if (!st) return;
  const std::vector<uint8_t> again = encode_message(msg[1], 0, v);
  T w{};
  check(decode_body(again.data(), again.size(), &w).is_ok());
  check(eq(v, w));
}

template <typename T>
void body(const std::vector<uint8_t>& b) {
  T v{};
  check_error(decode_bytes(b, &v));
}

bool same_flow_mod(const msg::FlowModBody& a, const msg::FlowModBody& b) {
  return a.cookie == b.cookie && a.table_id == b.table_id && a.command == b.command && a.priority == b.priority &&
         a.flags == b.flags && a.match == b.match && a.instructions == b.instructions;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < ofp::kHeaderLen) return 0;
  // The session frames by the header's length; give the decoder exactly that.
  OfpHeader h = read_header(data);
  const size_t len = std::min<size_t>(size, 0xffff);
  std::vector<uint8_t> msg(data, data + len);
  msg[2] = static_cast<uint8_t>(len >> 8);
  msg[3] = static_cast<uint8_t>(len);
  h.length = static_cast<uint16_t>(len);
  const OfStatus st = check_message(h);
  check_error(st);
  const uint8_t* m = msg.data();
  switch (h.type) {
    case ofp::kFlowMod: round_trip<msg::FlowModBody>(m, len, same_flow_mod); break;
    case ofp::kPacketOut:
      round_trip<msg::PacketOut>(m, len, [](const auto& a, const auto& b) {
        return a.in_port == b.in_port && a.actions == b.actions && a.data == b.data;
      });
      break;
    case ofp::kGroupMod:
      round_trip<msg::GroupMod>(m, len, [](const auto& a, const auto& b) {
        if (a.buckets.size() != b.buckets.size() || a.group_id != b.group_id) return false;
        for (size_t i = 0; i < a.buckets.size(); ++i) {
          if (a.buckets[i].actions != b.buckets[i].actions) return false;
        }
        return true;
      });
      break;
    case ofp::kPacketIn:
      round_trip<msg::PacketIn>(m, len, [](const auto& a, const auto& b) { return a.match == b.match && a.data == b.data; });
      break;
    case ofp::kFlowRemoved:
      round_trip<msg::FlowRemoved>(m, len, [](const auto& a, const auto& b) { return a.match == b.match; });
      break;
    case ofp::kPortMod: round_trip<msg::PortMod>(m, len, [](const auto& a, const auto& b) { return a.config == b.config; }); break;
    case ofp::kPortStatus:
      round_trip<msg::PortStatus>(m, len, [](const auto& a, const auto& b) { return a.desc.name == b.desc.name; });
      break;
    case ofp::kSetAsync: round_trip<msg::Async>(m, len, [](const auto& a, const auto& b) { return a.packet_in_mask == b.packet_in_mask; }); break;
    case ofp::kRoleRequest: round_trip<msg::Role>(m, len, [](const auto& a, const auto& b) { return a.role == b.role; }); break;
    case ofp::kSetConfig:
      round_trip<msg::SwitchConfig>(m, len, [](const auto& a, const auto& b) { return a.miss_send_len == b.miss_send_len; });
      break;
    case ofp::kMultipartRequest:
    case ofp::kMultipartReply: {
      msg::MultipartHeader mp;
      const OfStatus s = decode_body(m, len, &mp);
      check_error(s);
      if (!s) break;
      const bool request = h.type == ofp::kMultipartRequest;
      switch (mp.type) {
        case ofp::kMpFlow:
        case ofp::kMpAggregate:
          if (request) body<msg::FlowStatsRequest>(mp.body);
          else if (mp.type == ofp::kMpFlow) body<msg::FlowStatsReply>(mp.body);
          else body<msg::AggregateStats>(mp.body);
          break;
        case ofp::kMpPortStats:
          if (request) body<msg::PortStatsRequest>(mp.body);
          else body<msg::PortStatsReply>(mp.body);
          break;
        case ofp::kMpGroup:
          if (request) body<msg::GroupRequest>(mp.body);
          else body<msg::GroupStatsReply>(mp.body);
          break;
        case ofp::kMpGroupDesc: body<msg::GroupDescReply>(mp.body); break;
        case ofp::kMpTable: body<msg::TableStatsReply>(mp.body); break;
        case ofp::kMpPortDesc: body<msg::PortDescReply>(mp.body); break;
        case ofp::kMpTableFeatures: body<msg::TableFeaturesReply>(mp.body); break;
        case ofp::kMpDesc: body<msg::Desc>(mp.body); break;
        default: break;
      }
      break;
    }
    case ofp::kExperimenter: {
      // Bundles (ONF extension 230): the control message round-trips; an
      // ADD's inner message is itself fuzzed, as the handler decodes it.
      msg::Experimenter e;
      const OfStatus s = decode_body(m, len, &e);
      check_error(s);
      if (!s || e.experimenter != ofp::kOnfExperimenterId) break;
      if (e.exp_type == ofp::kOnfBundleControl) {
        round_trip<msg::BundleCtrl>(m, len, [](const auto& a, const auto& b) {
          return a.bundle_id == b.bundle_id && a.type == b.type && a.flags == b.flags && a.properties == b.properties;
        });
      } else if (e.exp_type == ofp::kOnfBundleAdd) {
        msg::BundleAdd a;
        const OfStatus sa = decode_body(m, len, &a);
        check_error(sa);
        if (sa && a.message_props.size() >= ofp::kHeaderLen) {
          LLVMFuzzerTestOneInput(a.message_props.data(), a.message_props.size());
        }
      }
      break;
    }
    default: {
      msg::Echo e;
      check(decode_body(m, len, &e).is_ok());  // anything decodes as raw bytes
      break;
    }
  }
  return 0;
}
