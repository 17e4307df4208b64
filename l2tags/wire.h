// The Ethernet header layout as l2tags sees it, and big-endian field access.
//
//   0      6      12          12+4*n   14+4*n
//   | dst  | src  | tag 0 ... | type   | L3 ...
//
// A tag is 4 bytes on the wire: a 16-bit TPID (which doubles as the
// "ethertype" field of the header before it) and a 16-bit TCI. Every tag sits
// at a fixed offset, 12 + 4 * index, which is what lets the in-place ops reach
// any depth without walking the stack.
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata::l2tags {

inline constexpr size_t kMacsLen = 12;       // destination + source MAC
inline constexpr size_t kTagLen = 4;         // TPID + TCI
inline constexpr size_t kEtherTypeLen = 2;   // the type field after the last tag
inline constexpr size_t kEthHeaderLen = kMacsLen + kEtherTypeLen;  // untagged header

// Offset of tag `index` (0 = outermost) from the first byte of the frame.
constexpr size_t tag_offset(int index) { return kMacsLen + kTagLen * static_cast<size_t>(index); }

// Bytes a frame needs to hold `depth` tags followed by its inner ethertype.
constexpr size_t header_len(int depth) { return tag_offset(depth) + kEtherTypeLen; }

// Network byte order, written out so the compiler emits one load + bswap and
// nothing depends on the alignment of `p` (frames start anywhere in an mbuf).
inline uint16_t load_be16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

inline void store_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

}  // namespace strata::l2tags
