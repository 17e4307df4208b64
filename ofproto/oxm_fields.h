// The OXM field table: every field a flow can match or set, with its wire
// identity (class, number, length, maskable), its prerequisites and where it
// lives in a MatchKey. The match codec, prerequisite checks, set_field,
// translation and the flow text format are all driven by this one table;
// nothing else knows a field's layout.
//
// Besides the OpenFlow 1.3 basic class, Strata defines an experimenter OXM
// class for the tag stack at any depth (see ofproto/README.md):
//   class 0xffff, experimenter 0x53545241 ("STRA"),
//   field = kind * 8 + (depth - 1), kind 0 = TPID (2 bytes, maskable),
//   1 = VID (2 bytes, OFPVID_PRESENT semantics, maskable), 2 = PCP (1 byte);
//   depth 1 is the outermost tag, 8 the innermost possible.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "ofproto/match_key.h"
#include "ofproto/ofp_constants.h"

namespace strata::ofproto {

inline constexpr uint32_t kStrataExperimenter = 0x53545241;  // "STRA"

enum class FieldId : uint8_t {
  kInPort,
  kInPhyPort,
  kMetadata,
  kEthDst,
  kEthSrc,
  kEthType,
  kVlanVid,
  kVlanPcp,
  kIpDscp,
  kIpEcn,
  kIpProto,
  kIpv4Src,
  kIpv4Dst,
  kTcpSrc,
  kTcpDst,
  kUdpSrc,
  kUdpDst,
  kSctpSrc,
  kSctpDst,
  kIcmpv4Type,
  kIcmpv4Code,
  kArpOp,
  kArpSpa,
  kArpTpa,
  kArpSha,
  kArpTha,
  kIpv6Src,
  kIpv6Dst,
  kIpv6Flabel,
  kIcmpv6Type,
  kIcmpv6Code,
  kIpv6NdSll,
  kIpv6NdTll,
  kTagTpid1,                      // + depth - 1, through kTagTpid1 + 7
  kTagVid1 = kTagTpid1 + 8,       // + depth - 1
  kTagPcp1 = kTagVid1 + 8,        // + depth - 1
  kCount = kTagPcp1 + 8,
};
inline constexpr int kFieldCount = static_cast<int>(FieldId::kCount);

enum class TagAttr : uint8_t { kTpid = 0, kVid = 1, kPcp = 2 };
// The experimenter field for `attr` of the tag at `depth` (1 = outermost).
constexpr FieldId tag_field(TagAttr attr, int depth) {
  return static_cast<FieldId>(static_cast<int>(FieldId::kTagTpid1) + static_cast<int>(attr) * 8 + depth - 1);
}

// Where a field's bits sit in a MatchKey.
enum class FieldLoc : uint8_t {
  kBytes,  // `size` bytes at `offset`, in wire order (MACs, addresses, L4 ports)
  kUint,   // bits [shift, shift + bits) of a host-order integer of `size` bytes at `offset`
  kVid,    // a VID with OFPVID_PRESENT: presence bit `depth` + the low 12 TCI bits of tag `depth`
};

// What must be matched exactly before a field may be (OpenFlow 1.3, 7.2.3.6).
enum class Prereq : uint8_t {
  kNone,
  kTagPresent,  // the tag at `depth` exists (VLAN_VID != NONE)
  kIp,          // eth_type 0x0800 or 0x86dd
  kIpv4,        // eth_type 0x0800
  kIpv6,        // eth_type 0x86dd
  kArp,         // eth_type 0x0806
  kTcp,         // IP and ip_proto 6
  kUdp,         // IP and ip_proto 17
  kSctp,        // IP and ip_proto 132
  kIcmpv4,      // IPv4 and ip_proto 1
  kIcmpv6,      // IPv6 and ip_proto 58
  kNdSll,       // ICMPv6 and icmpv6_type 135
  kNdTll,       // ICMPv6 and icmpv6_type 136
};

struct FieldInfo {
  FieldId id;          // this entry's id (the table is indexed by it)
  const char* name;    // text name ("eth_src", "tag2_vid")
  uint16_t oxm_class;  // 0x8000 basic or 0xffff experimenter
  uint8_t oxm_field;   // field number within the class
  uint8_t wire_len;    // value bytes on the wire
  bool maskable;       // may carry a mask
  Prereq prereq;       // what the match must pin first
  FieldLoc loc;        // how the value maps onto the key
  uint16_t offset;     // byte offset in MatchKey
  uint8_t size;        // bytes at offset
  uint8_t shift;       // kUint: lowest bit
  uint8_t bits;        // kUint: width in bits
  uint8_t depth;       // tag fields and kTagPresent: tag index, 0 = outermost
  bool settable;       // set_field may rewrite it (the datapath has an action for it)
};

const FieldInfo& field_info(FieldId id);
// The table in FieldId order.
const std::array<FieldInfo, kFieldCount>& field_table();
// Finds a field by its OXM identity; nothing when unknown.
const FieldInfo* find_oxm_field(uint16_t oxm_class, uint32_t experimenter, uint8_t field);
const FieldInfo* find_field_by_name(std::string_view name);

// A field value (or mask) in wire order: wire_len bytes, big-endian.
struct FieldValue {
  std::array<uint8_t, 16> bytes{};  // the first wire_len bytes are used
};

// True when `v` fits the field (VID <= 4095 with only OFPVID_PRESENT above,
// PCP <= 7, DSCP <= 63, ...).
bool field_value_valid(const FieldInfo& f, const FieldValue& v);
// Adds "field == value under mask" to (value, mask); mask nullptr = exact.
void field_to_match(const FieldInfo& f, const FieldValue& value, const FieldValue* mask, MatchKey* kv, MatchMask* km);
// Reads a field back out of (value, mask). Returns false when the mask
// holds none of its bits; *exact tells whether it holds all of them.
bool field_from_match(const FieldInfo& f, const MatchKey& kv, const MatchMask& km, FieldValue* value, FieldValue* mask,
                      bool* exact);
// The field's bits in a key (all of them), as a mask.
void field_mask_bits(const FieldInfo& f, MatchMask* km);
// Writes `value` into a key (set_field on the pipeline's view of a frame).
void field_write(const FieldInfo& f, const FieldValue& value, MatchKey* k);
// Reads a field's value from a key.
FieldValue field_read(const FieldInfo& f, const MatchKey& k);

// Big-endian helpers for FieldValue.
uint64_t field_uint(const FieldInfo& f, const FieldValue& v);
FieldValue field_from_uint(const FieldInfo& f, uint64_t x);

}  // namespace strata::ofproto
