// Reading the tag stack off a frame: the first thing the fast path does with
// every received frame, so it is inline, allocation-free and reports errors
// as a small enum the datapath can count per reason.
#pragma once

#include <cstddef>
#include <cstdint>

#include "l2tags/tag_stack.h"
#include "l2tags/tpid_set.h"
#include "l2tags/wire.h"

namespace strata::l2tags {

enum class ParseError : uint8_t {
  kOk = 0,
  kTruncatedFrame,  // shorter than an untagged Ethernet header (14 bytes)
  kTruncatedTag,    // a TPID announces a tag, but its TCI or the type after it is cut off
  kTooManyTags,     // more tags than the limit; the frame is not ours to forward
};

constexpr const char* to_string(ParseError e) {
  switch (e) {
    case ParseError::kOk: return "ok";
    case ParseError::kTruncatedFrame: return "truncated frame";
    case ParseError::kTruncatedTag: return "truncated tag";
    case ParseError::kTooManyTags: return "too many tags";
  }
  return "unknown parse error";
}

struct ParsedFrame {
  TagStack tags;                          // outermost first; the tags read so far on error
  uint16_t ethertype = 0;                 // type after the last tag (host order); valid when kOk
  uint16_t l3_offset = 0;                 // first byte after that type field; valid when kOk
  ParseError error = ParseError::kOk;     // kOk, or why the frame must be dropped

  constexpr bool ok() const { return error == ParseError::kOk; }
};

// Parses the Ethernet header of `data[0, len)`: every type field that is in
// `tpids` is a tag, the first that is not is the inner ethertype. A frame
// with more than `max_tags` tags (clamped to 0..kMaxTags) is kTooManyTags, so
// the limit docs/DESIGN.md makes configurable costs nothing extra here. Reads no
// byte at or beyond `len`.
inline ParsedFrame parse_frame(const uint8_t* data, size_t len, const TpidSet& tpids,
                               int max_tags = kMaxTags) {
  ParsedFrame out;
  if (len < kEthHeaderLen) {
    out.error = ParseError::kTruncatedFrame;
    return out;
  }
  if (max_tags > kMaxTags) max_tags = kMaxTags;
  size_t off = kMacsLen;  // the type field under inspection
  uint16_t type = load_be16(data + off);
  while (tpids.contains(type)) {
    if (out.tags.size() >= max_tags) {
      out.error = ParseError::kTooManyTags;
      return out;
    }
    // The tag's TCI and the type field after it must both be in the frame.
    if (len < off + kTagLen + kEtherTypeLen) {
      out.error = ParseError::kTruncatedTag;
      return out;
    }
    out.tags.push_inner(Tag::from_tci(type, load_be16(data + off + 2)));
    off += kTagLen;
    type = load_be16(data + off);
  }
  out.ethertype = type;
  out.l3_offset = static_cast<uint16_t>(off + kEtherTypeLen);
  return out;
}

}  // namespace strata::l2tags
