#include "ofproto/match.h"

#include <array>
#include <cstring>

namespace strata::ofproto {

Match& Match::set(FieldId id, const FieldValue& v, const FieldValue* m) {
  field_to_match(field_info(id), v, m, &value, &mask);
  return *this;
}

Match& Match::set_uint(FieldId id, uint64_t v) {
  const FieldInfo& f = field_info(id);
  return set(id, field_from_uint(f, v));
}

Match& Match::set_uint_masked(FieldId id, uint64_t v, uint64_t m) {
  const FieldInfo& f = field_info(id);
  const FieldValue mv = field_from_uint(f, m);
  return set(id, field_from_uint(f, v & m), &mv);
}

namespace {
FieldValue mac_value(const uint8_t* mac) {
  FieldValue v;
  std::memcpy(v.bytes.data(), mac, 6);
  return v;
}
}  // namespace

Match& Match::set_eth_src(const uint8_t mac[6], const uint8_t* m) {
  const FieldValue mv = m ? mac_value(m) : FieldValue{};
  return set(FieldId::kEthSrc, mac_value(mac), m ? &mv : nullptr);
}

Match& Match::set_eth_dst(const uint8_t mac[6], const uint8_t* m) {
  const FieldValue mv = m ? mac_value(m) : FieldValue{};
  return set(FieldId::kEthDst, mac_value(mac), m ? &mv : nullptr);
}

Match& Match::set_tag(int depth, const l2tags::TagPattern& p) {
  set_uint(tag_field(TagAttr::kTpid, depth), p.tpid);
  if (p.vid) {
    set_uint(tag_field(TagAttr::kVid, depth), ofp::kVidPresent | *p.vid);
  } else {
    set_uint_masked(tag_field(TagAttr::kVid, depth), ofp::kVidPresent, ofp::kVidPresent);
  }
  if (p.pcp) set_uint(tag_field(TagAttr::kPcp, depth), *p.pcp);
  return *this;
}

Match& Match::set_no_tag(int depth) { return set_uint(tag_field(TagAttr::kVid, depth), ofp::kVidNone); }

Match& Match::set_tag_stack(const l2tags::StackPattern& p) {
  for (int i = 0; i < p.size(); ++i) set_tag(i + 1, p[i]);
  if (p.size() < l2tags::kMaxTags) set_no_tag(p.size() + 1);
  return *this;
}

bool Match::covers(const Match& narrower) const {
  for (int i = 0; i < MatchKey::kWords; ++i) {
    const uint64_t m = mask.words()[i];
    if ((narrower.mask.words()[i] & m) != m) return false;
    if ((narrower.value.words()[i] & m) != value.words()[i]) return false;
  }
  return true;
}

bool Match::overlaps(const Match& other) const {
  for (int i = 0; i < MatchKey::kWords; ++i) {
    const uint64_t both = mask.words()[i] & other.mask.words()[i];
    if ((value.words()[i] & both) != (other.value.words()[i] & both)) return false;
  }
  return true;
}

bool match_exact(const Match& m, FieldId id, uint64_t* value) {
  const FieldInfo& f = field_info(id);
  FieldValue v, mk;
  bool exact = false;
  if (!field_from_match(f, m.value, m.mask, &v, &mk, &exact) || !exact) return false;
  *value = field_uint(f, v);
  return true;
}

namespace {

bool eth_is(const Match& m, uint16_t type) {
  uint64_t t = 0;
  return match_exact(m, FieldId::kEthType, &t) && t == type;
}
bool is_ip(const Match& m) { return eth_is(m, 0x0800) || eth_is(m, 0x86dd); }
bool proto_is(const Match& m, uint8_t proto) {
  uint64_t p = 0;
  return is_ip(m) && match_exact(m, FieldId::kIpProto, &p) && p == proto;
}

}  // namespace

bool prereq_holds(const Match& m, const FieldInfo& f) {
  uint64_t v = 0;
  switch (f.prereq) {
    case Prereq::kNone: return true;
    case Prereq::kTagPresent: {
      const uint64_t bit = uint64_t{1} << f.depth;
      return (m.mask.tag_present & bit) != 0 && (m.value.tag_present & bit) != 0;
    }
    case Prereq::kIp: return is_ip(m);
    case Prereq::kIpv4: return eth_is(m, 0x0800);
    case Prereq::kIpv6: return eth_is(m, 0x86dd);
    case Prereq::kArp: return eth_is(m, 0x0806);
    case Prereq::kTcp: return proto_is(m, 6);
    case Prereq::kUdp: return proto_is(m, 17);
    case Prereq::kSctp: return proto_is(m, 132);
    case Prereq::kIcmpv4: return eth_is(m, 0x0800) && proto_is(m, 1);
    case Prereq::kIcmpv6: return eth_is(m, 0x86dd) && proto_is(m, 58);
    case Prereq::kNdSll:
      return eth_is(m, 0x86dd) && proto_is(m, 58) && match_exact(m, FieldId::kIcmpv6Type, &v) && v == 135;
    case Prereq::kNdTll:
      return eth_is(m, 0x86dd) && proto_is(m, 58) && match_exact(m, FieldId::kIcmpv6Type, &v) && v == 136;
  }
  return false;
}

namespace {

// Each field's bits in a key, computed once.
const std::array<MatchMask, kFieldCount>& field_masks() {
  static const std::array<MatchMask, kFieldCount> masks = [] {
    std::array<MatchMask, kFieldCount> out;
    for (const FieldInfo& f : field_table()) {
      MatchMask& m = out[static_cast<size_t>(f.id)];
      m.clear();
      field_mask_bits(f, &m);
    }
    return out;
  }();
  return masks;
}

bool bits_overlap(const MatchMask& a, const MatchMask& b) {
  for (int i = 0; i < MatchKey::kWords; ++i) {
    if (a.words()[i] & b.words()[i]) return true;
  }
  return false;
}

// Whether every bit of `a` that is also in `b` is in `c`.
bool bits_within(const MatchMask& a, const MatchMask& b, const MatchMask& c) {
  for (int i = 0; i < MatchKey::kWords; ++i) {
    if (a.words()[i] & b.words()[i] & ~c.words()[i]) return false;
  }
  return true;
}

}  // namespace

OfStatus check_prerequisites(const Match& m) {
  const auto& masks = field_masks();
  for (const FieldInfo& f : field_table()) {
    if (f.prereq == Prereq::kNone || f.id == FieldId::kInPhyPort) continue;
    if (!bits_overlap(m.mask, masks[static_cast<size_t>(f.id)])) continue;
    if (prereq_holds(m, f)) continue;
    // Fields sharing bits (tcp_src / udp_src / icmpv4_type, ipv4_src /
    // arp_spa) all look set when one is: only complain when no field over
    // the same bits has its prerequisite and holds every matched bit of
    // them (tcp_dst 80 under ip_proto 1 is not an ICMP code: that is 8
    // bits, and could not be written back as one).
    bool sibling_ok = false;
    const MatchMask& fm = masks[static_cast<size_t>(f.id)];
    for (const FieldInfo& g : field_table()) {
      const MatchMask& gm = masks[static_cast<size_t>(g.id)];
      if (g.id != f.id && bits_overlap(fm, gm) && bits_overlap(m.mask, gm) && bits_within(m.mask, fm, gm) &&
          prereq_holds(m, g)) {
        sibling_ok = true;
        break;
      }
    }
    if (!sibling_ok) return bad_match(ofp::kBmcBadPrereq, std::string("match on ") + f.name + " without its prerequisite");
  }
  return OfStatus::ok();
}

}  // namespace strata::ofproto
