// Executing a compiled ActionList on a group of frames that matched the
// same megaflow. Shared by the PMDs (which buffer outputs per port) and the
// control thread (which sends upcalled frames at once): the caller supplies
// a context with
//   void output(uint32_t port_no, rte_mbuf* m);      // takes ownership
//   void to_controller(rte_mbuf* m, const Action& a); // takes ownership
//   void drop(rte_mbuf* m);                           // takes ownership, counts
//   rte_mempool* pool();
// and optionally
//   void output_bulk(uint32_t port_no, rte_mbuf** m, int n);  // takes ownership of all n
// which the final output of a group then uses once instead of output() per
// frame. Templates, so each caller's context inlines into the loop.
#pragma once

#include <rte_mbuf.h>

#include <cstring>

#include "datapath/actions.h"
#include "l2tags/frame_ops.h"

namespace strata::datapath {

namespace detail {

// Runs a tag op on the first segment of `m`, resyncing the mbuf after.
template <typename Op>
inline bool mbuf_tag_op(rte_mbuf* m, int grow, Op&& op) {
  l2tags::FrameView f{rte_pktmbuf_mtod(m, uint8_t*), m->data_len, rte_pktmbuf_headroom(m)};
  if (op(f) != l2tags::OpError::kOk) return false;
  m->data_off = static_cast<uint16_t>(f.data - static_cast<uint8_t*>(m->buf_addr));
  m->data_len = static_cast<uint16_t>(f.len);
  m->pkt_len = static_cast<uint32_t>(static_cast<int64_t>(m->pkt_len) + grow);
  return true;
}

// Pushes a tag. A frame without 4 bytes of headroom (a driver that packs
// frames at the buffer start) is copied into a fresh mbuf, which has the
// pool's full headroom: the push then succeeds, never corrupting the frame.
inline bool mbuf_push_tag(rte_mbuf*& m, int depth, const Action& a, rte_mempool* pool) {
  const l2tags::Tag tag = l2tags::Tag::from_tci(a.tpid, a.value);
  auto push = [&](l2tags::FrameView& f) { return l2tags::push_tag(f, depth, tag); };
  if (rte_pktmbuf_headroom(m) < 4) {
    rte_mbuf* copy = rte_pktmbuf_copy(m, pool, 0, UINT32_MAX);
    if (copy == nullptr) return false;
    rte_pktmbuf_free(m);
    m = copy;
  }
  return mbuf_tag_op(m, 4, push);
}

// Pushes the tags of `k` consecutive kPushTag actions (a[0] first, so a[k-1]
// ends up outermost). Frames with the room for all of them (the common case:
// a driver's full headroom) get one move of the MACs and the k tags written
// at once; any other frame goes one tag at a time through mbuf_push_tag,
// which copies a frame without headroom and fails on a ninth tag exactly as
// k separate actions would. On success depth has grown by k.
inline bool mbuf_push_tags(rte_mbuf*& m, uint8_t& depth, const Action* a, int k, rte_mempool* pool) {
  const uint32_t bytes = l2tags::kTagLen * static_cast<uint32_t>(k);
  if (depth + k <= l2tags::kMaxTags && rte_pktmbuf_headroom(m) >= bytes &&
      m->data_len >= l2tags::header_len(depth)) [[likely]] {
    uint8_t* from = rte_pktmbuf_mtod(m, uint8_t*);
    uint8_t* to = from - bytes;
    std::memmove(to, from, l2tags::kMacsLen);
    uint8_t* out = to + l2tags::kMacsLen;
    for (int t = k - 1; t >= 0; --t, out += l2tags::kTagLen) {
      // What store_tag(Tag::from_tci(tpid, value)) writes: the TCI round-trips.
      l2tags::store_be16(out, a[t].tpid);
      l2tags::store_be16(out + 2, a[t].value);
    }
    m->data_off = static_cast<uint16_t>(m->data_off - bytes);
    m->data_len = static_cast<uint16_t>(m->data_len + bytes);
    m->pkt_len += bytes;
    depth = static_cast<uint8_t>(depth + k);
    return true;
  }
  for (int t = 0; t < k; ++t) {
    if (!mbuf_push_tag(m, depth, a[t], pool)) return false;
    ++depth;
  }
  return true;
}

}  // namespace detail

// Applies `list` to pkts[0..n). depths[i] is the tag depth of pkts[i] (from
// its key) and is kept current. Every frame ends up output, sent to the
// controller or dropped through `ctx`: none is leaked.
// The contents of pkts[0..n) are unspecified afterwards.
template <typename Ctx>
inline void execute_actions(const ActionList& list, rte_mbuf** pkts, uint8_t* depths, int n, Ctx& ctx) {
  bool none_dropped = true;  // pkts[0..n) all still held: no compaction needed
  for (uint32_t ai = 0; ai < list.n; ++ai) {
    const Action& a = list.a[ai];
    if constexpr (requires(uint32_t p, rte_mbuf** m, int k) { ctx.output_bulk(p, m, k); }) {
      if (a.type == ActionType::kOutput) {
        // The consuming output: every frame still held goes, in order, in
        // one call, and the actions after it have no frame to act on.
        int k = n;
        if (!none_dropped) {
          k = 0;
          for (int i = 0; i < n; ++i) {
            if (pkts[i] != nullptr) pkts[k++] = pkts[i];
          }
        }
        if (k > 0) ctx.output_bulk(a.port, pkts, k);
        return;
      }
    }
    if (a.type == ActionType::kPushTag) {
      // A run of pushes (an access port's whole stack) is done in one go.
      uint32_t run = 1;
      while (ai + run < list.n && list.a[ai + run].type == ActionType::kPushTag) ++run;
      if (run > 1) {
        for (int i = 0; i < n; ++i) {
          if (pkts[i] == nullptr) continue;
          if (!detail::mbuf_push_tags(pkts[i], depths[i], &a, static_cast<int>(run), ctx.pool())) {
            ctx.drop(pkts[i]);
            pkts[i] = nullptr;
            none_dropped = false;
          }
        }
        ai += run - 1;
        continue;
      }
    }
    for (int i = 0; i < n; ++i) {
      rte_mbuf* m = pkts[i];
      if (m == nullptr) continue;  // dropped by an earlier action
      bool ok = true;
      switch (a.type) {
        case ActionType::kOutput:
          ctx.output(a.port, m);
          pkts[i] = nullptr;
          continue;
        case ActionType::kOutputCopy: {
          rte_mbuf* copy = rte_pktmbuf_copy(m, ctx.pool(), 0, UINT32_MAX);
          if (copy != nullptr) ctx.output(a.port, copy);
          continue;
        }
        case ActionType::kController: {
          const bool last = ai + 1 == list.n;
          rte_mbuf* c = last ? m : rte_pktmbuf_copy(m, ctx.pool(), 0, UINT32_MAX);
          if (last) pkts[i] = nullptr;
          if (c != nullptr) ctx.to_controller(c, a);
          continue;
        }
        case ActionType::kPushTag:
          ok = detail::mbuf_push_tag(pkts[i], depths[i], a, ctx.pool());
          if (ok) ++depths[i];
          break;
        case ActionType::kPopTag:
          ok = detail::mbuf_tag_op(m, -4, [&](l2tags::FrameView& f) { return l2tags::pop_tag(f, depths[i]); });
          if (ok) --depths[i];
          break;
        case ActionType::kSetVid:
          ok = detail::mbuf_tag_op(
              m, 0, [&](l2tags::FrameView& f) { return l2tags::set_vid(f, depths[i], a.depth, a.value); });
          break;
        case ActionType::kSetPcp:
          ok = detail::mbuf_tag_op(m, 0, [&](l2tags::FrameView& f) {
            return l2tags::set_pcp(f, depths[i], a.depth, static_cast<uint8_t>(a.value));
          });
          break;
        case ActionType::kSetEthSrc:
          if (m->data_len >= 12) std::memcpy(rte_pktmbuf_mtod_offset(m, uint8_t*, 6), a.mac, 6);
          break;
        case ActionType::kSetEthDst:
          if (m->data_len >= 12) std::memcpy(rte_pktmbuf_mtod(m, uint8_t*), a.mac, 6);
          break;
      }
      if (!ok) {  // e.g. a ninth tag, or a rewrite of a tag the frame lacks
        ctx.drop(pkts[i]);
        pkts[i] = nullptr;
        none_dropped = false;
      }
    }
  }
  // A list that ends without consuming its frames (drop, or copies only).
  for (int i = 0; i < n; ++i) {
    if (pkts[i] != nullptr) {
      rte_pktmbuf_free(pkts[i]);
      pkts[i] = nullptr;
    }
  }
}

}  // namespace strata::datapath
