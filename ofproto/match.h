// Match: what a flow entry matches, as (value, mask) over a MatchKey. Every
// field of the OXM table can be set; tags can be matched at any depth, one
// by one (the experimenter fields) or as a whole stack pattern (the native
// API's N-deep match). value is always pre-masked.
#pragma once

#include <string>

#include "l2tags/stack_pattern.h"
#include "ofproto/match_key.h"
#include "ofproto/of_status.h"
#include "ofproto/oxm_fields.h"

namespace strata::ofproto {

struct Match {
  MatchKey value = MatchKey::zero();  // the bits to match, zero outside mask
  MatchMask mask = MatchKey::zero();  // which bits matter

  bool matches(const MatchKey& k) const {
    uint64_t diff = 0;
    for (int i = 0; i < MatchKey::kWords; ++i) diff |= (k.words()[i] & mask.words()[i]) ^ value.words()[i];
    return diff == 0;
  }
  bool is_catchall() const { return mask.is_zero(); }

  // Field setters (exact unless a mask is given). Values are in host order.
  Match& set(FieldId id, const FieldValue& v, const FieldValue* m = nullptr);
  Match& set_uint(FieldId id, uint64_t v);
  Match& set_uint_masked(FieldId id, uint64_t v, uint64_t m);
  Match& set_in_port(uint32_t ofport) { return set_uint(FieldId::kInPort, ofport); }
  Match& set_eth_type(uint16_t t) { return set_uint(FieldId::kEthType, t); }
  Match& set_eth_src(const uint8_t mac[6], const uint8_t* mask = nullptr);
  Match& set_eth_dst(const uint8_t mac[6], const uint8_t* mask = nullptr);
  Match& set_metadata(uint64_t v, uint64_t m = ~uint64_t{0}) { return set_uint_masked(FieldId::kMetadata, v, m); }
  // Tag at `depth` (1 = outermost): TPID, VID and PCP as the pattern says.
  Match& set_tag(int depth, const l2tags::TagPattern& p);
  // No tag at `depth` (1 = outermost): the frame has fewer than `depth` tags.
  Match& set_no_tag(int depth);
  // The whole stack: exactly p.size() tags, each matching its pattern
  // (the empty pattern: untagged frames only).
  Match& set_tag_stack(const l2tags::StackPattern& p);

  // True when `this` is at least as general as `narrower`: every key that
  // `narrower` accepts, this accepts too (OpenFlow's non-strict selection).
  bool covers(const Match& narrower) const;
  // True when some key matches both.
  bool overlaps(const Match& other) const;

  friend bool operator==(const Match& a, const Match& b) { return a.value == b.value && a.mask == b.mask; }
};

// OpenFlow 1.3 prerequisites (7.2.3.6): e.g. ipv4_src needs eth_type=0x0800.
// Fails with BAD_MATCH/BAD_PREREQ naming the field.
OfStatus check_prerequisites(const Match& m);

// Whether `f`'s own prerequisite holds in `m`.
bool prereq_holds(const Match& m, const FieldInfo& f);

// Whether the match pins `id` to exactly one value, and that value.
bool match_exact(const Match& m, FieldId id, uint64_t* value);

}  // namespace strata::ofproto
