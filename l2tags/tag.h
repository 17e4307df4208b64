// One IEEE 802.1Q / 802.1ad tag: the TPID that announces it and the three
// fields of its TCI. Kept unpacked (not as a raw TCI) because every consumer,
// from flow matches to the notation, reasons about VID and PCP separately.
#pragma once

#include <cstdint>

#include "l2tags/wire.h"

namespace strata::l2tags {

// The most tags a frame may carry. OVS stops at 2; nested tenants need more.
// Compile-time so that a stack is a fixed array the fast path never allocates.
inline constexpr int kMaxTags = 8;

inline constexpr uint16_t kMaxVid = 4095;  // 12-bit VLAN identifier
inline constexpr uint8_t kMaxPcp = 7;      // 3-bit priority code point

// EtherType values below 0x0600 are 802.3 length fields, so nothing there can
// announce a tag; both the notation and TpidSet refuse them.
inline constexpr uint16_t kMinEtherType = 0x0600;

constexpr bool is_valid_tpid(uint16_t tpid) { return tpid >= kMinEtherType; }

struct Tag {
  uint16_t tpid = 0;  // tag protocol identifier, e.g. 0x88a8 (S-tag) or 0x8100 (C-tag)
  uint8_t pcp = 0;    // priority code point, 0-7
  bool dei = false;   // drop eligible indicator (CFI in old 802.1Q)
  uint16_t vid = 0;   // VLAN identifier, 0-4095

  // True when the fields fit their bit widths; encoding an invalid tag would
  // silently spill a VID into the PCP/DEI bits, so writers check this first.
  constexpr bool valid() const { return vid <= kMaxVid && pcp <= kMaxPcp; }

  // The tag control information as it appears on the wire (host order).
  constexpr uint16_t tci() const {
    return static_cast<uint16_t>(((pcp & 0x7) << 13) | (dei ? 0x1000 : 0) | (vid & 0x0fff));
  }

  static constexpr Tag from_tci(uint16_t tpid, uint16_t tci) {
    return Tag{tpid, static_cast<uint8_t>(tci >> 13), (tci & 0x1000) != 0,
               static_cast<uint16_t>(tci & 0x0fff)};
  }

  friend constexpr bool operator==(const Tag&, const Tag&) = default;
};

// Reads the 4 wire bytes of a tag at `p` (TPID then TCI).
inline Tag load_tag(const uint8_t* p) { return Tag::from_tci(load_be16(p), load_be16(p + 2)); }

// Writes the 4 wire bytes of a tag at `p`. The caller has checked tag.valid().
inline void store_tag(uint8_t* p, const Tag& tag) {
  store_be16(p, tag.tpid);
  store_be16(p + 2, tag.tci());
}

}  // namespace strata::l2tags
