// OpenFlow 1.3 message bodies and multipart entries as structs, each with
// its wire layout (see ofp_layout.h): the whole codec of the protocol is the
// list of kLayout lines below plus the message table in ofp_codec.h.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ofproto/ofp_layout.h"

namespace strata::ofproto::msg {

using wire::layout;
using wire::pad;

// ---- symmetric messages and simple requests --------------------------------
struct Hello {
  std::vector<uint8_t> elements;  // hello elements, raw (read by the session)
};
struct Error {
  uint16_t type = 0;          // ofp::ErrorType
  uint16_t code = 0;          // code within the type
  std::vector<uint8_t> data;  // at least 64 bytes of the failed request (or all of it)
};
struct Echo {
  std::vector<uint8_t> data;  // arbitrary payload, echoed back
};
struct Empty {};              // FEATURES_REQUEST, GET_CONFIG_REQUEST, BARRIER, GET_ASYNC_REQUEST

struct SwitchFeatures {
  uint64_t datapath_id = 0;   // the bridge's datapath id
  uint32_t n_buffers = 0;     // packets buffered at once (Strata: none)
  uint8_t n_tables = 0;       // tables supported
  uint8_t auxiliary_id = 0;   // 0: the main connection
  uint32_t capabilities = 0;  // ofp::Capabilities bits
  uint32_t reserved = 0;      // zero
};
struct SwitchConfig {
  uint16_t flags = 0;            // ofp::ConfigFlags
  uint16_t miss_send_len = 128;  // bytes of a table-miss frame sent to the controller
};

struct PacketOut {
  uint32_t buffer_id = ofp::kNoBuffer;  // always NO_BUFFER with Strata
  uint32_t in_port = ofp::kPortController;  // the port the frame is treated as coming from
  OfActions actions;               // what to do with it
  std::vector<uint8_t> data;       // the frame
};

struct FlowModBody {
  uint64_t cookie = 0;        // opaque controller value
  uint64_t cookie_mask = 0;   // modify/delete: which cookie bits must match
  uint8_t table_id = 0;       // table, or ALL for deletes
  uint8_t command = 0;        // ofp::FlowModCommand
  uint16_t idle_timeout = 0;  // seconds without traffic before removal, 0 = never
  uint16_t hard_timeout = 0;  // seconds before removal, 0 = never
  uint16_t priority = 0;      // higher wins
  uint32_t buffer_id = ofp::kNoBuffer;  // buffered packet to apply to (none kept)
  uint32_t out_port = ofp::kPortAny;    // delete filter: must output here
  uint32_t out_group = ofp::kGroupAny;  // delete filter: must use this group
  uint16_t flags = 0;         // ofp::FlowModFlags
  Match match;                // fields to match
  Instructions instructions;  // what to do
};

struct Bucket {
  uint16_t weight = 0;        // select groups: relative share
  uint32_t watch_port = ofp::kPortAny;   // fast failover: live while this port is
  uint32_t watch_group = ofp::kGroupAny; // fast failover: live while this group is
  OfActions actions;          // the bucket's actions
};
struct GroupMod {
  uint16_t command = 0;       // ofp::GroupModCommand
  uint8_t type = 0;           // ofp::GroupType
  uint32_t group_id = 0;      // the group
  std::vector<Bucket> buckets;  // its buckets
};

struct PortMod {
  uint32_t port_no = 0;                  // the port
  std::array<uint8_t, 6> hw_addr{};      // must be the port's address
  uint32_t config = 0;                   // new ofp::PortConfig bits ...
  uint32_t mask = 0;                     // ... for these bits
  uint32_t advertise = 0;                // features to advertise (ignored)
};
struct TableMod {
  uint8_t table_id = 0;  // table or ALL
  uint32_t config = 0;   // deprecated in 1.3; ignored
};
struct Role {
  uint32_t role = 0;           // ofp::ControllerRole
  uint64_t generation_id = 0;  // master election generation
};
// An OFPT_EXPERIMENTER message: whose, which of theirs, and the rest.
struct Experimenter {
  uint32_t experimenter = 0;  // e.g. ofp::kOnfExperimenterId
  uint32_t exp_type = 0;      // the experimenter's message type
  std::vector<uint8_t> data;  // the body after the experimenter header
};
// ONFT_BUNDLE_CONTROL (ofp::kOnfBundleControl), request and reply.
struct BundleCtrl {
  uint32_t experimenter = ofp::kOnfExperimenterId;
  uint32_t exp_type = ofp::kOnfBundleControl;
  uint32_t bundle_id = 0;           // chosen by the controller, per connection
  uint16_t type = 0;                // ofp::BundleCtrlType
  uint16_t flags = 0;               // ofp::BundleFlags
  std::vector<uint8_t> properties;  // ofp_bundle_prop TLVs
};
// ONFT_BUNDLE_ADD_MESSAGE (ofp::kOnfBundleAdd): one whole message, then
// properties; where one ends is the inner message's own length.
struct BundleAdd {
  uint32_t experimenter = ofp::kOnfExperimenterId;
  uint32_t exp_type = ofp::kOnfBundleAdd;
  uint32_t bundle_id = 0;              // the bundle it goes into
  uint16_t flags = 0;                  // must be the bundle's
  std::vector<uint8_t> message_props;  // the message (header included), then properties
};
struct Async {
  std::array<uint32_t, 2> packet_in_mask{};      // [master/equal, slave]: PACKET_IN reasons sent
  std::array<uint32_t, 2> port_status_mask{};    // PORT_STATUS reasons sent
  std::array<uint32_t, 2> flow_removed_mask{};   // FLOW_REMOVED reasons sent
};
struct QueueGetConfigRequest {
  uint32_t port = 0;  // the port asked about
};
struct QueueGetConfigReply {
  uint32_t port = 0;  // the port; no queues follow
};

// ---- asynchronous messages ---------------------------------------------------
struct PacketIn {
  uint32_t buffer_id = ofp::kNoBuffer;  // NO_BUFFER: data is the frame
  uint16_t total_len = 0;    // the full frame length
  uint8_t reason = 0;        // ofp::PacketInReason
  uint8_t table_id = 0;      // table of the flow that sent it
  uint64_t cookie = 0;       // cookie of that flow
  Match match;               // in_port (and metadata when not 0)
  std::vector<uint8_t> data; // the frame, maybe truncated
};
struct FlowRemoved {
  uint64_t cookie = 0;         // the flow's cookie
  uint16_t priority = 0;       // its priority
  uint8_t reason = 0;          // ofp::FlowRemovedReason
  uint8_t table_id = 0;        // its table
  uint32_t duration_sec = 0;   // how long it lived
  uint32_t duration_nsec = 0;  // ... and the nanoseconds beyond
  uint16_t idle_timeout = 0;   // as added
  uint16_t hard_timeout = 0;   // as added
  uint64_t packet_count = 0;   // frames it matched
  uint64_t byte_count = 0;     // bytes it matched
  Match match;                 // its match
};
struct Port {
  uint32_t port_no = 0;              // OpenFlow port number
  std::array<uint8_t, 6> hw_addr{};  // MAC address
  std::string name;                  // port name (15 characters shown)
  uint32_t config = 0;               // ofp::PortConfig bits
  uint32_t state = 0;                // ofp::PortState bits
  uint32_t curr = 0;                 // current features
  uint32_t advertised = 0;           // advertised features
  uint32_t supported = 0;            // supported features
  uint32_t peer = 0;                 // peer's features
  uint32_t curr_speed = 0;           // kbps
  uint32_t max_speed = 0;            // kbps
};
struct PortStatus {
  uint8_t reason = 0;  // ofp::PortReason
  Port desc;           // the port
};

// ---- multipart -------------------------------------------------------------
struct MultipartHeader {
  uint16_t type = 0;   // ofp::MultipartType
  uint16_t flags = 0;  // REQ_MORE / REPLY_MORE
  std::vector<uint8_t> body;  // the type's body, decoded by the handler
};

struct FlowStatsRequest {  // also AGGREGATE
  uint8_t table_id = ofp::kTableAll;    // table or ALL
  uint32_t out_port = ofp::kPortAny;    // filter: outputs here
  uint32_t out_group = ofp::kGroupAny;  // filter: uses this group
  uint64_t cookie = 0;                  // filter: cookie ...
  uint64_t cookie_mask = 0;             // ... under this mask
  Match match;                          // filter: non-strict match
};
struct FlowStats {
  uint8_t table_id = 0;        // the flow's table
  uint32_t duration_sec = 0;   // age
  uint32_t duration_nsec = 0;  // age, nanoseconds beyond
  uint16_t priority = 0;       // priority
  uint16_t idle_timeout = 0;   // as added
  uint16_t hard_timeout = 0;   // as added
  uint16_t flags = 0;          // ofp::FlowModFlags
  uint64_t cookie = 0;         // cookie
  uint64_t packet_count = 0;   // frames matched
  uint64_t byte_count = 0;     // bytes matched
  Match match;                 // match
  Instructions instructions;   // instructions
};
struct FlowStatsReply {
  std::vector<FlowStats> flows;  // one entry per flow
};
struct AggregateStats {
  uint64_t packet_count = 0;  // sum over the selected flows
  uint64_t byte_count = 0;    // sum over the selected flows
  uint32_t flow_count = 0;    // how many were selected
};
struct TableStats {
  uint8_t table_id = 0;        // table
  uint32_t active_count = 0;   // flows in it
  uint64_t lookup_count = 0;   // frames looked up
  uint64_t matched_count = 0;  // frames that hit a flow
};
struct TableStatsReply {
  std::vector<TableStats> tables;  // one per table
};
struct PortStatsRequest {
  uint32_t port_no = ofp::kPortAny;  // port or ANY
};
struct PortStats {
  uint32_t port_no = 0;  // port
  uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;  // traffic
  uint64_t rx_dropped = 0, tx_dropped = 0, rx_errors = 0, tx_errors = 0;  // losses
  uint64_t rx_frame_err = 0, rx_over_err = 0, rx_crc_err = 0, collisions = 0;  // not kept: zero
  uint32_t duration_sec = 0;   // since the port was added
  uint32_t duration_nsec = 0;  // ... nanoseconds beyond
};
struct PortStatsReply {
  std::vector<PortStats> ports;  // one per port
};
struct PortDescReply {
  std::vector<Port> ports;  // one per port
};
struct GroupRequest {
  uint32_t group_id = ofp::kGroupAll;  // group or ALL
};
struct BucketCounter {
  uint64_t packet_count = 0;  // frames through the bucket
  uint64_t byte_count = 0;    // bytes through the bucket
};
struct GroupStats {
  uint32_t group_id = 0;       // group
  uint32_t ref_count = 0;      // flows and groups using it
  uint64_t packet_count = 0;   // frames through it
  uint64_t byte_count = 0;     // bytes through it
  uint32_t duration_sec = 0;   // age
  uint32_t duration_nsec = 0;  // age, nanoseconds beyond
  std::vector<BucketCounter> buckets;  // per bucket
};
struct GroupStatsReply {
  std::vector<GroupStats> groups;  // one per group
};
struct GroupDesc {
  uint8_t type = 0;             // ofp::GroupType
  uint32_t group_id = 0;        // group
  std::vector<Bucket> buckets;  // its buckets
};
struct GroupDescReply {
  std::vector<GroupDesc> groups;  // one per group
};
struct GroupFeatures {
  uint32_t types = 0;                    // bitmap of ofp::GroupType supported
  uint32_t capabilities = 0;             // OFPGFC_* bits
  std::array<uint32_t, 4> max_groups{};  // per type
  std::array<uint32_t, 4> actions{};     // per type: bitmap of action types
};
struct Desc {
  std::string mfr_desc;    // manufacturer
  std::string hw_desc;     // hardware
  std::string sw_desc;     // software
  std::string serial_num;  // serial number
  std::string dp_desc;     // which datapath
};
struct TableFeatureProp {
  uint16_t type = 0;             // OFPTFPT_*
  std::vector<uint8_t> payload;  // the property's contents, raw
};
struct TableFeatures {
  uint8_t table_id = 0;          // table
  std::string name;              // its name
  uint64_t metadata_match = 0;   // metadata bits it can match
  uint64_t metadata_write = 0;   // metadata bits it can write
  uint32_t config = 0;           // table config
  uint32_t max_entries = 0;      // capacity
  std::vector<uint8_t> properties;  // encoded property list
};
struct TableFeaturesReply {
  std::vector<TableFeatures> tables;  // one per table
};
struct MeterFeatures {
  uint32_t max_meter = 0;   // no meters
  uint32_t band_types = 0;  // none
  uint32_t capabilities = 0;  // none
  uint8_t max_bands = 0;    // none
  uint8_t max_color = 0;    // none
};

}  // namespace strata::ofproto::msg

namespace strata::ofproto::wire {
using namespace msg;  // NOLINT: the layout lines read better unqualified

template <> inline constexpr auto kLayout<Hello> = layout(bytes_rest(&Hello::elements));
template <> inline constexpr auto kLayout<Error> = layout(u16(&Error::type), u16(&Error::code), bytes_rest(&Error::data));
template <> inline constexpr auto kLayout<Echo> = layout(bytes_rest(&Echo::data));
template <> inline constexpr auto kLayout<Empty> = layout();
template <> inline constexpr auto kLayout<SwitchFeatures> =
    layout(u64(&SwitchFeatures::datapath_id), u32(&SwitchFeatures::n_buffers), u8(&SwitchFeatures::n_tables),
           u8(&SwitchFeatures::auxiliary_id), pad<2>(), u32(&SwitchFeatures::capabilities),
           u32(&SwitchFeatures::reserved));
template <> inline constexpr auto kLayout<SwitchConfig> =
    layout(u16(&SwitchConfig::flags), u16(&SwitchConfig::miss_send_len));
template <> inline constexpr auto kLayout<PacketOut> =
    layout(u32(&PacketOut::buffer_id), u32(&PacketOut::in_port), actions_len16<6>(&PacketOut::actions),
           bytes_rest(&PacketOut::data));
template <> inline constexpr auto kLayout<FlowModBody> =
    layout(u64(&FlowModBody::cookie), u64(&FlowModBody::cookie_mask), u8(&FlowModBody::table_id),
           u8(&FlowModBody::command), u16(&FlowModBody::idle_timeout), u16(&FlowModBody::hard_timeout),
           u16(&FlowModBody::priority), u32(&FlowModBody::buffer_id), u32(&FlowModBody::out_port),
           u32(&FlowModBody::out_group), u16(&FlowModBody::flags), pad<2>(), match(&FlowModBody::match),
           instructions_rest(&FlowModBody::instructions));
template <> inline constexpr auto kLayout<Bucket> =
    layout(self_len16(), u16(&Bucket::weight), u32(&Bucket::watch_port), u32(&Bucket::watch_group), pad<4>(),
           actions_rest(&Bucket::actions));
template <> inline constexpr auto kLayout<GroupMod> =
    layout(u16(&GroupMod::command), u8(&GroupMod::type), pad<1>(), u32(&GroupMod::group_id),
           list_rest(&GroupMod::buckets));
template <> inline constexpr auto kLayout<PortMod> =
    layout(u32(&PortMod::port_no), pad<4>(), raw(&PortMod::hw_addr), pad<2>(), u32(&PortMod::config),
           u32(&PortMod::mask), u32(&PortMod::advertise), pad<4>());
template <> inline constexpr auto kLayout<TableMod> = layout(u8(&TableMod::table_id), pad<3>(), u32(&TableMod::config));
template <> inline constexpr auto kLayout<Role> = layout(u32(&Role::role), pad<4>(), u64(&Role::generation_id));
template <> inline constexpr auto kLayout<Experimenter> =
    layout(u32(&Experimenter::experimenter), u32(&Experimenter::exp_type), bytes_rest(&Experimenter::data));
template <> inline constexpr auto kLayout<BundleCtrl> =
    layout(u32(&BundleCtrl::experimenter), u32(&BundleCtrl::exp_type), u32(&BundleCtrl::bundle_id),
           u16(&BundleCtrl::type), u16(&BundleCtrl::flags), bytes_rest(&BundleCtrl::properties));
template <> inline constexpr auto kLayout<BundleAdd> =
    layout(u32(&BundleAdd::experimenter), u32(&BundleAdd::exp_type), u32(&BundleAdd::bundle_id), pad<2>(),
           u16(&BundleAdd::flags), bytes_rest(&BundleAdd::message_props));
template <> inline constexpr auto kLayout<Async> =
    layout(u32s(&Async::packet_in_mask), u32s(&Async::port_status_mask), u32s(&Async::flow_removed_mask));
template <> inline constexpr auto kLayout<QueueGetConfigRequest> = layout(u32(&QueueGetConfigRequest::port), pad<4>());
template <> inline constexpr auto kLayout<QueueGetConfigReply> = layout(u32(&QueueGetConfigReply::port), pad<4>());
template <> inline constexpr auto kLayout<PacketIn> =
    layout(u32(&PacketIn::buffer_id), u16(&PacketIn::total_len), u8(&PacketIn::reason), u8(&PacketIn::table_id),
           u64(&PacketIn::cookie), match(&PacketIn::match), pad<2>(), bytes_rest(&PacketIn::data));
template <> inline constexpr auto kLayout<FlowRemoved> =
    layout(u64(&FlowRemoved::cookie), u16(&FlowRemoved::priority), u8(&FlowRemoved::reason),
           u8(&FlowRemoved::table_id), u32(&FlowRemoved::duration_sec), u32(&FlowRemoved::duration_nsec),
           u16(&FlowRemoved::idle_timeout), u16(&FlowRemoved::hard_timeout), u64(&FlowRemoved::packet_count),
           u64(&FlowRemoved::byte_count), match(&FlowRemoved::match));
template <> inline constexpr auto kLayout<Port> =
    layout(u32(&Port::port_no), pad<4>(), raw(&Port::hw_addr), pad<2>(), str<16>(&Port::name), u32(&Port::config),
           u32(&Port::state), u32(&Port::curr), u32(&Port::advertised), u32(&Port::supported), u32(&Port::peer),
           u32(&Port::curr_speed), u32(&Port::max_speed));
template <> inline constexpr auto kLayout<PortStatus> = layout(u8(&PortStatus::reason), pad<7>(), nested(&PortStatus::desc));
template <> inline constexpr auto kLayout<MultipartHeader> =
    layout(u16(&MultipartHeader::type), u16(&MultipartHeader::flags), pad<4>(), bytes_rest(&MultipartHeader::body));
template <> inline constexpr auto kLayout<FlowStatsRequest> =
    layout(u8(&FlowStatsRequest::table_id), pad<3>(), u32(&FlowStatsRequest::out_port),
           u32(&FlowStatsRequest::out_group), pad<4>(), u64(&FlowStatsRequest::cookie),
           u64(&FlowStatsRequest::cookie_mask), match(&FlowStatsRequest::match));
template <> inline constexpr auto kLayout<FlowStats> =
    layout(self_len16(), u8(&FlowStats::table_id), pad<1>(), u32(&FlowStats::duration_sec),
           u32(&FlowStats::duration_nsec), u16(&FlowStats::priority), u16(&FlowStats::idle_timeout),
           u16(&FlowStats::hard_timeout), u16(&FlowStats::flags), pad<4>(), u64(&FlowStats::cookie),
           u64(&FlowStats::packet_count), u64(&FlowStats::byte_count), match(&FlowStats::match),
           instructions_rest(&FlowStats::instructions));
template <> inline constexpr auto kLayout<FlowStatsReply> = layout(list_rest(&FlowStatsReply::flows));
template <> inline constexpr auto kLayout<AggregateStats> =
    layout(u64(&AggregateStats::packet_count), u64(&AggregateStats::byte_count), u32(&AggregateStats::flow_count),
           pad<4>());
template <> inline constexpr auto kLayout<TableStats> =
    layout(u8(&TableStats::table_id), pad<3>(), u32(&TableStats::active_count), u64(&TableStats::lookup_count),
           u64(&TableStats::matched_count));
template <> inline constexpr auto kLayout<TableStatsReply> = layout(list_rest(&TableStatsReply::tables));
template <> inline constexpr auto kLayout<PortStatsRequest> = layout(u32(&PortStatsRequest::port_no), pad<4>());
template <> inline constexpr auto kLayout<PortStats> =
    layout(u32(&PortStats::port_no), pad<4>(), u64(&PortStats::rx_packets), u64(&PortStats::tx_packets),
           u64(&PortStats::rx_bytes), u64(&PortStats::tx_bytes), u64(&PortStats::rx_dropped),
           u64(&PortStats::tx_dropped), u64(&PortStats::rx_errors), u64(&PortStats::tx_errors),
           u64(&PortStats::rx_frame_err), u64(&PortStats::rx_over_err), u64(&PortStats::rx_crc_err),
           u64(&PortStats::collisions), u32(&PortStats::duration_sec), u32(&PortStats::duration_nsec));
template <> inline constexpr auto kLayout<PortStatsReply> = layout(list_rest(&PortStatsReply::ports));
template <> inline constexpr auto kLayout<PortDescReply> = layout(list_rest(&PortDescReply::ports));
template <> inline constexpr auto kLayout<GroupRequest> = layout(u32(&GroupRequest::group_id), pad<4>());
template <> inline constexpr auto kLayout<BucketCounter> =
    layout(u64(&BucketCounter::packet_count), u64(&BucketCounter::byte_count));
template <> inline constexpr auto kLayout<GroupStats> =
    layout(self_len16(), pad<2>(), u32(&GroupStats::group_id), u32(&GroupStats::ref_count), pad<4>(),
           u64(&GroupStats::packet_count), u64(&GroupStats::byte_count), u32(&GroupStats::duration_sec),
           u32(&GroupStats::duration_nsec), list_rest(&GroupStats::buckets));
template <> inline constexpr auto kLayout<GroupStatsReply> = layout(list_rest(&GroupStatsReply::groups));
template <> inline constexpr auto kLayout<GroupDesc> =
    layout(self_len16(), u8(&GroupDesc::type), pad<1>(), u32(&GroupDesc::group_id), list_rest(&GroupDesc::buckets));
template <> inline constexpr auto kLayout<GroupDescReply> = layout(list_rest(&GroupDescReply::groups));
template <> inline constexpr auto kLayout<GroupFeatures> =
    layout(u32(&GroupFeatures::types), u32(&GroupFeatures::capabilities), u32s(&GroupFeatures::max_groups),
           u32s(&GroupFeatures::actions));
template <> inline constexpr auto kLayout<Desc> =
    layout(str<256>(&Desc::mfr_desc), str<256>(&Desc::hw_desc), str<256>(&Desc::sw_desc), str<32>(&Desc::serial_num),
           str<256>(&Desc::dp_desc));
template <> inline constexpr auto kLayout<TableFeatures> =
    layout(self_len16(), u8(&TableFeatures::table_id), pad<5>(), str<32>(&TableFeatures::name),
           u64(&TableFeatures::metadata_match), u64(&TableFeatures::metadata_write), u32(&TableFeatures::config),
           u32(&TableFeatures::max_entries), bytes_rest(&TableFeatures::properties));
template <> inline constexpr auto kLayout<TableFeaturesReply> = layout(list_rest(&TableFeaturesReply::tables));
template <> inline constexpr auto kLayout<MeterFeatures> =
    layout(u32(&MeterFeatures::max_meter), u32(&MeterFeatures::band_types), u32(&MeterFeatures::capabilities),
           u8(&MeterFeatures::max_bands), u8(&MeterFeatures::max_color), pad<2>());

}  // namespace strata::ofproto::wire
