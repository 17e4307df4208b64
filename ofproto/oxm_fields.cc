#include "ofproto/oxm_fields.h"

#include <cstddef>
#include <cstring>

namespace strata::ofproto {

namespace {

using datapath::FlowKey;

constexpr uint16_t kf(size_t flow_key_offset) { return static_cast<uint16_t>(flow_key_offset); }
constexpr uint16_t tag_tpid_off(int d) { return kf(offsetof(FlowKey, tags) + 4 * static_cast<size_t>(d)); }
constexpr uint16_t tag_tci_off(int d) { return static_cast<uint16_t>(tag_tpid_off(d) + 2); }

// Entry makers: the table below reads as one line per field.
constexpr FieldInfo bytes(FieldId id, const char* name, uint8_t oxm, uint8_t len, bool maskable, Prereq pre,
                          size_t off, bool settable = false) {
  return FieldInfo{id, name, 0x8000, oxm, len, maskable, pre, FieldLoc::kBytes, kf(off), len, 0, 0, 0, settable};
}
constexpr FieldInfo uint(FieldId id, const char* name, uint8_t oxm, uint8_t len, bool maskable, Prereq pre,
                         size_t off, uint8_t size, uint8_t shift, uint8_t bits) {
  return FieldInfo{id, name, 0x8000, oxm, len, maskable, pre, FieldLoc::kUint, kf(off), size, shift, bits, 0, false};
}

constexpr const char* kTagNames[3][8] = {
    {"tag1_tpid", "tag2_tpid", "tag3_tpid", "tag4_tpid", "tag5_tpid", "tag6_tpid", "tag7_tpid", "tag8_tpid"},
    {"tag1_vid", "tag2_vid", "tag3_vid", "tag4_vid", "tag5_vid", "tag6_vid", "tag7_vid", "tag8_vid"},
    {"tag1_pcp", "tag2_pcp", "tag3_pcp", "tag4_pcp", "tag5_pcp", "tag6_pcp", "tag7_pcp", "tag8_pcp"},
};

constexpr std::array<FieldInfo, kFieldCount> build_table() {
  std::array<FieldInfo, kFieldCount> t{};
  auto set = [&](const FieldInfo& f) { t[static_cast<size_t>(f.id)] = f; };
  constexpr size_t kMeta = offsetof(MatchKey, metadata);
  set(uint(FieldId::kInPort, "in_port", 0, 4, false, Prereq::kNone, offsetof(FlowKey, in_port), 4, 0, 32));
  set(uint(FieldId::kInPhyPort, "in_phy_port", 1, 4, false, Prereq::kNone, offsetof(FlowKey, in_port), 4, 0, 32));
  set(uint(FieldId::kMetadata, "metadata", 2, 8, true, Prereq::kNone, kMeta, 8, 0, 64));
  set(bytes(FieldId::kEthDst, "eth_dst", 3, 6, true, Prereq::kNone, offsetof(FlowKey, eth_dst), true));
  set(bytes(FieldId::kEthSrc, "eth_src", 4, 6, true, Prereq::kNone, offsetof(FlowKey, eth_src), true));
  set(uint(FieldId::kEthType, "eth_type", 5, 2, false, Prereq::kNone, offsetof(FlowKey, eth_type), 2, 0, 16));
  FieldInfo vid{FieldId::kVlanVid, "vlan_vid", 0x8000, 6, 2, true, Prereq::kNone, FieldLoc::kVid, tag_tci_off(0), 2,
                0, 12, 0, true};
  set(vid);
  FieldInfo pcp = uint(FieldId::kVlanPcp, "vlan_pcp", 7, 1, false, Prereq::kTagPresent, tag_tci_off(0), 2, 13, 3);
  pcp.settable = true;
  set(pcp);
  const size_t tos = offsetof(FlowKey, ip_tos);
  set(uint(FieldId::kIpDscp, "ip_dscp", 8, 1, false, Prereq::kIp, tos, 1, 2, 6));
  set(uint(FieldId::kIpEcn, "ip_ecn", 9, 1, false, Prereq::kIp, tos, 1, 0, 2));
  set(uint(FieldId::kIpProto, "ip_proto", 10, 1, false, Prereq::kIp, offsetof(FlowKey, ip_proto), 1, 0, 8));
  set(bytes(FieldId::kIpv4Src, "ipv4_src", 11, 4, true, Prereq::kIpv4, offsetof(FlowKey, nw_src)));
  set(bytes(FieldId::kIpv4Dst, "ipv4_dst", 12, 4, true, Prereq::kIpv4, offsetof(FlowKey, nw_dst)));
  const size_t tps = offsetof(FlowKey, tp_src), tpd = offsetof(FlowKey, tp_dst);
  set(bytes(FieldId::kTcpSrc, "tcp_src", 13, 2, false, Prereq::kTcp, tps));
  set(bytes(FieldId::kTcpDst, "tcp_dst", 14, 2, false, Prereq::kTcp, tpd));
  set(bytes(FieldId::kUdpSrc, "udp_src", 15, 2, false, Prereq::kUdp, tps));
  set(bytes(FieldId::kUdpDst, "udp_dst", 16, 2, false, Prereq::kUdp, tpd));
  set(bytes(FieldId::kSctpSrc, "sctp_src", 17, 2, false, Prereq::kSctp, tps));
  set(bytes(FieldId::kSctpDst, "sctp_dst", 18, 2, false, Prereq::kSctp, tpd));
  set(uint(FieldId::kIcmpv4Type, "icmpv4_type", 19, 1, false, Prereq::kIcmpv4, tps, 2, 0, 8));
  set(uint(FieldId::kIcmpv4Code, "icmpv4_code", 20, 1, false, Prereq::kIcmpv4, tpd, 2, 0, 8));
  set(uint(FieldId::kArpOp, "arp_op", 21, 2, false, Prereq::kArp, offsetof(FlowKey, arp_op), 2, 0, 16));
  set(bytes(FieldId::kArpSpa, "arp_spa", 22, 4, true, Prereq::kArp, offsetof(FlowKey, nw_src)));
  set(bytes(FieldId::kArpTpa, "arp_tpa", 23, 4, true, Prereq::kArp, offsetof(FlowKey, nw_dst)));
  set(bytes(FieldId::kArpSha, "arp_sha", 24, 6, true, Prereq::kArp, offsetof(FlowKey, arp_sha)));
  set(bytes(FieldId::kArpTha, "arp_tha", 25, 6, true, Prereq::kArp, offsetof(FlowKey, arp_tha)));
  set(bytes(FieldId::kIpv6Src, "ipv6_src", 26, 16, true, Prereq::kIpv6, offsetof(FlowKey, ipv6_src)));
  set(bytes(FieldId::kIpv6Dst, "ipv6_dst", 27, 16, true, Prereq::kIpv6, offsetof(FlowKey, ipv6_dst)));
  set(uint(FieldId::kIpv6Flabel, "ipv6_flabel", 28, 4, true, Prereq::kIpv6, offsetof(FlowKey, ipv6_label), 4, 0, 20));
  set(uint(FieldId::kIcmpv6Type, "icmpv6_type", 29, 1, false, Prereq::kIcmpv6, tps, 2, 0, 8));
  set(uint(FieldId::kIcmpv6Code, "icmpv6_code", 30, 1, false, Prereq::kIcmpv6, tpd, 2, 0, 8));
  set(bytes(FieldId::kIpv6NdSll, "ipv6_nd_sll", 32, 6, false, Prereq::kNdSll, offsetof(FlowKey, arp_sha)));
  set(bytes(FieldId::kIpv6NdTll, "ipv6_nd_tll", 33, 6, false, Prereq::kNdTll, offsetof(FlowKey, arp_tha)));
  for (int d = 0; d < 8; ++d) {
    const auto dd = static_cast<uint8_t>(d);
    t[static_cast<size_t>(tag_field(TagAttr::kTpid, d + 1))] =
        FieldInfo{tag_field(TagAttr::kTpid, d + 1), kTagNames[0][d], 0xffff, static_cast<uint8_t>(d), 2, true,
                  Prereq::kNone, FieldLoc::kUint, tag_tpid_off(d), 2, 0, 16, dd, false};
    t[static_cast<size_t>(tag_field(TagAttr::kVid, d + 1))] =
        FieldInfo{tag_field(TagAttr::kVid, d + 1), kTagNames[1][d], 0xffff, static_cast<uint8_t>(8 + d), 2, true,
                  Prereq::kNone, FieldLoc::kVid, tag_tci_off(d), 2, 0, 12, dd, true};
    t[static_cast<size_t>(tag_field(TagAttr::kPcp, d + 1))] =
        FieldInfo{tag_field(TagAttr::kPcp, d + 1), kTagNames[2][d], 0xffff, static_cast<uint8_t>(16 + d), 1, false,
                  Prereq::kTagPresent, FieldLoc::kUint, tag_tci_off(d), 2, 13, 3, dd, true};
  }
  return t;
}

constexpr std::array<FieldInfo, kFieldCount> kTable = build_table();

// Every slot filled, each with its own id: a missing line above fails the build.
constexpr bool table_complete() {
  for (size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<size_t>(kTable[i].id) != i || kTable[i].name == nullptr) return false;
  }
  return true;
}
static_assert(table_complete(), "every FieldId needs a line in build_table()");

constexpr size_t kPresentOff = offsetof(MatchKey, tag_present);

uint64_t load_uint(const uint8_t* p, int size) {
  switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; std::memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; std::memcpy(&v, p, 4); return v; }
    default: { uint64_t v; std::memcpy(&v, p, 8); return v; }
  }
}

void store_uint(uint8_t* p, int size, uint64_t v) {
  switch (size) {
    case 1: *p = static_cast<uint8_t>(v); break;
    case 2: { auto x = static_cast<uint16_t>(v); std::memcpy(p, &x, 2); break; }
    case 4: { auto x = static_cast<uint32_t>(v); std::memcpy(p, &x, 4); break; }
    default: std::memcpy(p, &v, 8); break;
  }
}

uint64_t low_bits(int bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

uint8_t* at(MatchKey* k, size_t off) { return reinterpret_cast<uint8_t*>(k) + off; }
const uint8_t* at(const MatchKey& k, size_t off) { return reinterpret_cast<const uint8_t*>(&k) + off; }

// Sets `bits` (already shifted) of a key integer to `v` (already shifted).
void put_bits(MatchKey* k, const FieldInfo& f, uint64_t field_mask, uint64_t v) {
  uint8_t* p = at(k, f.offset);
  const uint64_t old = load_uint(p, f.size);
  store_uint(p, f.size, (old & ~field_mask) | (v & field_mask));
}

}  // namespace

const std::array<FieldInfo, kFieldCount>& field_table() { return kTable; }
const FieldInfo& field_info(FieldId id) { return kTable[static_cast<size_t>(id)]; }

const FieldInfo* find_oxm_field(uint16_t oxm_class, uint32_t experimenter, uint8_t field) {
  if (oxm_class == 0xffff && experimenter != kStrataExperimenter) return nullptr;
  for (const auto& f : kTable) {
    if (f.oxm_class == oxm_class && f.oxm_field == field) return &f;
  }
  return nullptr;
}

const FieldInfo* find_field_by_name(std::string_view name) {
  for (const auto& f : kTable) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

uint64_t field_uint(const FieldInfo& f, const FieldValue& v) {
  uint64_t x = 0;
  for (int i = 0; i < f.wire_len && i < 8; ++i) x = (x << 8) | v.bytes[static_cast<size_t>(i)];
  return x;
}

FieldValue field_from_uint(const FieldInfo& f, uint64_t x) {
  FieldValue v;
  for (int i = f.wire_len - 1; i >= 0; --i) {
    v.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(x);
    x >>= 8;
  }
  return v;
}

bool field_value_valid(const FieldInfo& f, const FieldValue& v) {
  switch (f.loc) {
    case FieldLoc::kBytes: return true;
    case FieldLoc::kUint: return (field_uint(f, v) & ~low_bits(f.bits)) == 0;
    case FieldLoc::kVid: return (field_uint(f, v) & ~uint64_t{0x1fff}) == 0;
  }
  return false;
}

void field_to_match(const FieldInfo& f, const FieldValue& value, const FieldValue* mask, MatchKey* kv, MatchMask* km) {
  switch (f.loc) {
    case FieldLoc::kBytes:
      for (int i = 0; i < f.size; ++i) {
        const uint8_t m = mask ? mask->bytes[static_cast<size_t>(i)] : 0xff;
        at(km, f.offset)[i] |= m;
        at(kv, f.offset)[i] = static_cast<uint8_t>((at(kv, f.offset)[i] & ~m) | (value.bytes[static_cast<size_t>(i)] & m));
      }
      return;
    case FieldLoc::kUint: {
      const uint64_t bits = low_bits(f.bits) << f.shift;
      const uint64_t m = (mask ? field_uint(f, *mask) << f.shift : bits) & bits;
      const uint64_t v = (field_uint(f, value) << f.shift) & m;
      put_bits(km, f, m, m);
      put_bits(kv, f, m, v);
      return;
    }
    case FieldLoc::kVid: {
      const uint64_t wv = field_uint(f, value), wm = mask ? field_uint(f, *mask) : 0x1fff;
      const uint64_t vid_m = wm & 0x0fff;
      put_bits(km, f, vid_m, vid_m);
      put_bits(kv, f, vid_m, wv & vid_m);
      if (wm & ofp::kVidPresent) {
        const uint64_t bit = uint64_t{1} << f.depth;
        km->tag_present |= bit;
        kv->tag_present = (kv->tag_present & ~bit) | ((wv & ofp::kVidPresent) ? bit : 0);
      }
      return;
    }
  }
}

void field_mask_bits(const FieldInfo& f, MatchMask* km) {
  FieldValue all;
  all.bytes.fill(0xff);
  MatchKey scratch = MatchKey::zero();
  field_to_match(f, FieldValue{}, &all, &scratch, km);
}

bool field_from_match(const FieldInfo& f, const MatchKey& kv, const MatchMask& km, FieldValue* value, FieldValue* mask,
                      bool* exact) {
  *value = FieldValue{};
  *mask = FieldValue{};
  switch (f.loc) {
    case FieldLoc::kBytes: {
      bool any = false, all = true;
      for (int i = 0; i < f.size; ++i) {
        const uint8_t m = at(km, f.offset)[i];
        mask->bytes[static_cast<size_t>(i)] = m;
        value->bytes[static_cast<size_t>(i)] = at(kv, f.offset)[i] & m;
        any |= m != 0;
        all &= m == 0xff;
      }
      *exact = all;
      return any;
    }
    case FieldLoc::kUint: {
      const uint64_t bits = low_bits(f.bits);
      const uint64_t m = (load_uint(at(km, f.offset), f.size) >> f.shift) & bits;
      const uint64_t v = (load_uint(at(kv, f.offset), f.size) >> f.shift) & m;
      *mask = field_from_uint(f, m);
      *value = field_from_uint(f, v);
      *exact = m == bits;
      return m != 0;
    }
    case FieldLoc::kVid: {
      const uint64_t bit = uint64_t{1} << f.depth;
      const uint64_t vm = load_uint(at(km, f.offset), f.size) & 0x0fff;
      const uint64_t vv = load_uint(at(kv, f.offset), f.size) & vm;
      uint64_t m = vm, v = vv;
      if (km.tag_present & bit) {
        m |= ofp::kVidPresent;
        if (kv.tag_present & bit) v |= ofp::kVidPresent;
      }
      *mask = field_from_uint(f, m);
      *value = field_from_uint(f, v);
      *exact = m == 0x1fff;
      return m != 0;
    }
  }
  return false;
}

void field_write(const FieldInfo& f, const FieldValue& value, MatchKey* k) {
  MatchMask m = MatchKey::zero();
  field_to_match(f, value, nullptr, k, &m);
}

FieldValue field_read(const FieldInfo& f, const MatchKey& k) {
  MatchMask all;
  std::memset(static_cast<void*>(&all), 0xff, sizeof(all));
  FieldValue v, m;
  bool exact = false;
  field_from_match(f, k, all, &v, &m, &exact);
  return v;
}

static_assert(kPresentOff == 136);

}  // namespace strata::ofproto
