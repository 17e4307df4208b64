// Executing a compiled ActionList on a group of frames that matched the
// same megaflow. Shared by the PMDs (which buffer outputs per port) and the
// control thread (which sends upcalled frames at once): the caller supplies
// a context with
//   void output(uint32_t port_no, rte_mbuf* m);      // takes ownership
//   void to_controller(rte_mbuf* m, const Action& a); // takes ownership
//   void drop(rte_mbuf* m);                           // takes ownership, counts
//   rte_mempool* pool();
// Templates, so each caller's context inlines into the loop.
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

}  // namespace detail

// Applies `list` to pkts[0..n). depths[i] is the tag depth of pkts[i] (from
// its key) and is kept current. Every frame ends up output, sent to the
// controller or dropped through `ctx`: none is leaked.
template <typename Ctx>
inline void execute_actions(const ActionList& list, rte_mbuf** pkts, uint8_t* depths, int n, Ctx& ctx) {
  for (uint32_t ai = 0; ai < list.n; ++ai) {
    const Action& a = list.a[ai];
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
