// In-place tag operations on a frame that sits in a buffer with headroom, as
// a DPDK mbuf does: push, pop, rewrite one field at any depth, replace the
// whole stack. Each op moves only the 12 MAC bytes (into or out of the
// headroom) and writes only the tag bytes it is asked to, so the payload is
// never copied and every other byte of the frame stays as it was.
//
// The ops do not parse: `depth` is the number of tags the frame carries now,
// which the caller knows from parse_frame() and from the ops it has applied
// since (+1 per push, -1 per pop, stack.size() after a replace). They check
// everything needed to stay inside the buffer and to write well-formed tags,
// and on any error leave the frame and the view untouched.
//
// After an op the caller copies `data` and `len` back into its own buffer
// descriptor (for an mbuf: data_off, data_len, pkt_len).
#pragma once

#include <cstdint>
#include <cstring>

#include "l2tags/tag.h"
#include "l2tags/tag_stack.h"
#include "l2tags/wire.h"

namespace strata::l2tags {

struct FrameView {
  uint8_t* data = nullptr;  // first byte of the frame (the destination MAC)
  uint32_t len = 0;         // frame bytes from data on
  uint32_t headroom = 0;    // writable bytes just before data, which a push consumes
};

enum class OpError : uint8_t {
  kOk = 0,
  kBadDepth,     // depth is outside 0..kMaxTags
  kNoTag,        // pop of an untagged frame, or a rewrite of a tag the frame does not have
  kTooManyTags,  // push onto a frame that already has kMaxTags tags
  kBadField,     // VID > 4095 or PCP > 7
  kTruncated,    // the frame is shorter than its MACs, `depth` tags and the inner type
  kNoHeadroom,   // not enough headroom for the extra tag bytes
};

constexpr const char* to_string(OpError e) {
  switch (e) {
    case OpError::kOk: return "ok";
    case OpError::kBadDepth: return "bad depth";
    case OpError::kNoTag: return "no such tag";
    case OpError::kTooManyTags: return "too many tags";
    case OpError::kBadField: return "field out of range";
    case OpError::kTruncated: return "truncated frame";
    case OpError::kNoHeadroom: return "no headroom";
  }
  return "unknown op error";
}

namespace detail {

// Common precondition: a sane depth and a frame long enough to hold it.
inline OpError check_frame(const FrameView& f, int depth) {
  if (depth < 0 || depth > kMaxTags) return OpError::kBadDepth;
  if (f.len < header_len(depth)) return OpError::kTruncated;
  return OpError::kOk;
}

// Grows (delta > 0) or shrinks (delta < 0) the tag area right after the MACs
// by moving the MACs; the bytes from the old tag area's end on stay put.
inline void move_macs(FrameView& f, int delta) {
  uint8_t* to = f.data - delta;
  std::memmove(to, f.data, kMacsLen);
  f.data = to;
  f.len = static_cast<uint32_t>(static_cast<int64_t>(f.len) + delta);
  f.headroom = static_cast<uint32_t>(static_cast<int64_t>(f.headroom) - delta);
}

// Where the TCI of tag `index` is, after the checks of the set_* ops.
inline OpError locate_tci(const FrameView& f, int depth, int index, uint8_t** tci) {
  if (OpError e = check_frame(f, depth); e != OpError::kOk) return e;
  if (index < 0 || index >= depth) return OpError::kNoTag;
  *tci = f.data + tag_offset(index) + 2;
  return OpError::kOk;
}

}  // namespace detail

// Writes `stack` as wire bytes at `out` (4 per tag, outermost first) and
// returns the byte after the last one. The caller has checked every tag is
// valid() and that the 4 * stack.size() bytes fit.
inline uint8_t* write_stack(uint8_t* out, const TagStack& stack) {
  for (const Tag& tag : stack) {
    store_tag(out, tag);
    out += kTagLen;
  }
  return out;
}

// Adds `tag` as the new outermost tag (right after the MACs), like
// OpenFlow's push_vlan. Uses 4 bytes of headroom.
inline OpError push_tag(FrameView& f, int depth, const Tag& tag) {
  if (OpError e = detail::check_frame(f, depth); e != OpError::kOk) return e;
  if (depth == kMaxTags) return OpError::kTooManyTags;
  if (!tag.valid()) return OpError::kBadField;
  if (f.headroom < kTagLen) return OpError::kNoHeadroom;
  detail::move_macs(f, static_cast<int>(kTagLen));
  store_tag(f.data + kMacsLen, tag);
  return OpError::kOk;
}

// Removes the outermost tag; its 4 bytes go back to the headroom.
inline OpError pop_tag(FrameView& f, int depth) {
  if (OpError e = detail::check_frame(f, depth); e != OpError::kOk) return e;
  if (depth == 0) return OpError::kNoTag;
  detail::move_macs(f, -static_cast<int>(kTagLen));
  return OpError::kOk;
}

// Rewrites one field of tag `index` (0 = outermost) of a frame with `depth`
// tags; the other TCI bits and every other byte stay as they are.
inline OpError set_vid(FrameView& f, int depth, int index, uint16_t vid) {
  uint8_t* tci = nullptr;
  if (OpError e = detail::locate_tci(f, depth, index, &tci); e != OpError::kOk) return e;
  if (vid > kMaxVid) return OpError::kBadField;
  store_be16(tci, static_cast<uint16_t>((load_be16(tci) & 0xf000) | vid));
  return OpError::kOk;
}

inline OpError set_pcp(FrameView& f, int depth, int index, uint8_t pcp) {
  uint8_t* tci = nullptr;
  if (OpError e = detail::locate_tci(f, depth, index, &tci); e != OpError::kOk) return e;
  if (pcp > kMaxPcp) return OpError::kBadField;
  store_be16(tci, static_cast<uint16_t>((load_be16(tci) & 0x1fff) | (pcp << 13)));
  return OpError::kOk;
}

inline OpError set_dei(FrameView& f, int depth, int index, bool dei) {
  uint8_t* tci = nullptr;
  if (OpError e = detail::locate_tci(f, depth, index, &tci); e != OpError::kOk) return e;
  store_be16(tci, static_cast<uint16_t>((load_be16(tci) & 0xefff) | (dei ? 0x1000 : 0)));
  return OpError::kOk;
}

// Replaces the frame's `depth` tags with `stack` (which may be deeper,
// shallower or empty) in one move of the MACs: what an access port does on
// ingress and egress, and how a flow sets a whole stack at once.
inline OpError replace_stack(FrameView& f, int depth, const TagStack& stack) {
  if (OpError e = detail::check_frame(f, depth); e != OpError::kOk) return e;
  for (const Tag& tag : stack) {
    if (!tag.valid()) return OpError::kBadField;
  }
  const int delta = static_cast<int>(kTagLen) * (stack.size() - depth);
  if (delta > 0 && f.headroom < static_cast<uint32_t>(delta)) return OpError::kNoHeadroom;
  if (delta != 0) detail::move_macs(f, delta);
  write_stack(f.data + kMacsLen, stack);
  return OpError::kOk;
}

}  // namespace strata::l2tags
