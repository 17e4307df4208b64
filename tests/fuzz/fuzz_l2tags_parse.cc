// Fuzzes parse_frame() on arbitrary bytes and, for every frame it accepts,
// the in-place ops, checking the properties the datapath relies on.
//
// Input: byte 0 picks the TPID set and the tag limit, the rest is the frame.
// libFuzzer hands over a buffer of exactly that size, so any read past the
// frame is an AddressSanitizer report; the ops run in a heap copy with
// exactly kMaxTags tags' worth of headroom, for the same reason.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "l2tags/frame_ops.h"
#include "l2tags/frame_parse.h"

namespace {

using namespace strata::l2tags;

constexpr uint32_t kHeadroom = 4 * kMaxTags;

void check(bool ok) {
  if (!ok) std::abort();
}

const TpidSet& pick_tpids(uint8_t ctl) {
  static const TpidSet defaults;
  static const TpidSet two = *TpidSet::make({0x8100, 0x88a8});
  return (ctl & 1) ? two : defaults;
}

// The parse result is exactly what the bytes say.
void check_parse(const uint8_t* frame, size_t len, const TpidSet& tpids, int limit, const ParsedFrame& p) {
  for (int i = 0; i < p.tags.size(); ++i) {
    check(tpids.contains(p.tags[i].tpid));
    check(p.tags[i] == load_tag(frame + tag_offset(i)));
  }
  switch (p.error) {
    case ParseError::kOk:
      check(p.l3_offset == header_len(p.tags.size()) && p.l3_offset <= len);
      check(p.ethertype == load_be16(frame + p.l3_offset - kEtherTypeLen));
      check(!tpids.contains(p.ethertype));
      break;
    case ParseError::kTruncatedFrame:
      check(len < kEthHeaderLen && p.tags.empty());
      break;
    case ParseError::kTruncatedTag:
      check(len < header_len(p.tags.size() + 1));
      break;
    case ParseError::kTooManyTags:
      check(p.tags.size() == limit);
      break;
  }
}

// A heap block of headroom + frame, compared with the original frame.
struct Copy {
  std::unique_ptr<uint8_t[]> block;  // exactly headroom + len bytes
  FrameView view;                    // the frame inside the block

  Copy(const uint8_t* frame, size_t len)
      : block(new uint8_t[kHeadroom + len]),
        view{block.get() + kHeadroom, static_cast<uint32_t>(len), kHeadroom} {
    if (len != 0) std::memcpy(view.data, frame, len);
  }
  bool same_as(const uint8_t* frame, size_t len) const {
    return view.len == len && view.headroom == kHeadroom && std::memcmp(view.data, frame, len) == 0;
  }
};

void check_ops(const uint8_t* frame, size_t len, const TpidSet& tpids, const ParsedFrame& p, uint8_t ctl) {
  const int depth = p.tags.size();
  const Tag tag{tpids.values()[ctl % tpids.size()], static_cast<uint8_t>(ctl >> 5), (ctl & 0x10) != 0,
                static_cast<uint16_t>(ctl * 16u + 1u)};
  Copy c(frame, len);

  // Push then pop restores every byte; in between the parse sees one more tag.
  const OpError pushed = push_tag(c.view, depth, tag);
  if (depth == kMaxTags) {
    check(pushed == OpError::kTooManyTags && c.same_as(frame, len));
  } else {
    check(pushed == OpError::kOk);
    const ParsedFrame q = parse_frame(c.view.data, c.view.len, tpids);
    TagStack expect = p.tags;
    expect.push_outer(tag);
    check(q.ok() && q.tags == expect && q.ethertype == p.ethertype);
    check(pop_tag(c.view, depth + 1) == OpError::kOk && c.same_as(frame, len));
  }

  // A rewrite of one tag, then back: only its TCI changes, then nothing has.
  if (depth > 0) {
    const int index = ctl % depth;
    const uint16_t vid = static_cast<uint16_t>((p.tags[index].vid + 1) & kMaxVid);
    check(set_vid(c.view, depth, index, vid) == OpError::kOk);
    check(set_pcp(c.view, depth, index, static_cast<uint8_t>(ctl & 7)) == OpError::kOk);
    check(set_dei(c.view, depth, index, !p.tags[index].dei) == OpError::kOk);
    const size_t tci = tag_offset(index) + 2;
    check(std::memcmp(c.view.data, frame, tci) == 0);
    check(std::memcmp(c.view.data + tci + 2, frame + tci + 2, len - tci - 2) == 0);
    check(load_tag(c.view.data + tag_offset(index)).vid == vid);
    check(set_vid(c.view, depth, index, p.tags[index].vid) == OpError::kOk);
    check(set_pcp(c.view, depth, index, p.tags[index].pcp) == OpError::kOk);
    check(set_dei(c.view, depth, index, p.tags[index].dei) == OpError::kOk);
    check(c.same_as(frame, len));
  }

  // Replacing the stack by nothing and back, or by itself, restores it.
  check(replace_stack(c.view, depth, TagStack{}) == OpError::kOk);
  check(c.view.len == len - 4 * static_cast<size_t>(depth));
  check(replace_stack(c.view, 0, p.tags) == OpError::kOk && c.same_as(frame, len));
  check(replace_stack(c.view, depth, p.tags) == OpError::kOk && c.same_as(frame, len));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t ctl = data[0];
  const uint8_t* frame = data + 1;
  const size_t len = size - 1;
  const TpidSet& tpids = pick_tpids(ctl);
  const int limit = (ctl & 2) ? (ctl >> 2) % (kMaxTags + 1) : kMaxTags;

  const ParsedFrame p = parse_frame(frame, len, tpids, limit);
  check_parse(frame, len, tpids, limit, p);
  if (p.ok()) check_ops(frame, len, tpids, p, ctl);
  return 0;
}
