// Tag multiplexing: logical ports carried over one parent port, told apart
// by the outermost tag of each frame on the parent's wire. This is how a
// container DCN's VNIC carries its containers (container-dcn/README.md):
// each container is a logical datapath port with its own number and
// counters; the parent (the VNIC) has a TagMuxTable.
//
//   receive on the parent: the outermost tag (TPID + VID) selects the
//     logical port; the tag is popped and the frame enters lookup as if it
//     had arrived on that logical port. A frame with no tag, or whose tag
//     names no logical port, is counted on the parent and dropped.
//   send on a logical port: its tag is pushed, the frame goes out on the
//     parent's device.
//
// Everything here is inline and allocation-free for the PMDs; the table is
// built by the control thread and published with RCU (DpPort::mux).
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <cstring>

#include "l2tags/wire.h"

namespace strata::datapath {

// The demultiplexing table of one parent port, indexed by VID: VIDs are
// unique among a parent's logical ports whatever their TPIDs. Immutable
// once published (16 KiB: one array read per frame, no search).
struct TagMuxTable {
  static constexpr uint16_t kNone = UINT16_MAX;  // no logical port has this VID
  struct Entry {
    uint16_t tpid = 0;          // the TPID the tag must carry
    uint16_t port_no = kNone;   // the logical port's datapath number
  };
  Entry by_vid[4096];
  uint16_t ports = 0;           // logical ports in the table

  uint16_t lookup(uint16_t tpid, uint16_t vid) const {
    const Entry& e = by_vid[vid & 0x0fff];
    return e.tpid == tpid ? e.port_no : kNone;
  }
};

// The logical port a frame belongs to (TagMuxTable::kNone if none): its
// outermost TPID and VID looked up. A frame too short to hold a tag and an
// inner ethertype belongs to none.
inline uint16_t tag_mux_classify(const TagMuxTable& table, const rte_mbuf* m) {
  if (m->data_len < l2tags::header_len(1)) return TagMuxTable::kNone;
  const auto* d = rte_pktmbuf_mtod(m, const uint8_t*);
  return table.lookup(l2tags::load_be16(d + l2tags::kMacsLen),
                      static_cast<uint16_t>(l2tags::load_be16(d + l2tags::kMacsLen + 2) & 0x0fff));
}

// Removes the outermost tag (the caller classified the frame, so it has
// one): the MACs move 4 bytes in, the payload stays where it is.
inline void tag_mux_pop(rte_mbuf* m) {
  auto* d = rte_pktmbuf_mtod(m, uint8_t*);
  std::memmove(d + l2tags::kTagLen, d, l2tags::kMacsLen);
  rte_pktmbuf_adj(m, l2tags::kTagLen);
}

// Pushes the logical port's tag as the new outermost tag. A frame without
// 4 bytes of headroom is copied into a fresh mbuf from `pool` (which has
// the pool's full headroom); returns the frame to send, or nullptr when no
// mbuf was free (`m` is then freed). No tag-count limit applies: the tag
// only lives on the parent's wire.
inline rte_mbuf* tag_mux_push(rte_mbuf* m, uint16_t tpid, uint16_t tci, rte_mempool* pool) {
  if (rte_pktmbuf_headroom(m) < l2tags::kTagLen || m->data_len < l2tags::kMacsLen) [[unlikely]] {
    rte_mbuf* copy = m->data_len < l2tags::kMacsLen ? nullptr : rte_pktmbuf_copy(m, pool, 0, UINT32_MAX);
    rte_pktmbuf_free(m);
    if (copy == nullptr) return nullptr;
    m = copy;
  }
  auto* old = rte_pktmbuf_mtod(m, uint8_t*);
  auto* d = reinterpret_cast<uint8_t*>(rte_pktmbuf_prepend(m, l2tags::kTagLen));
  std::memmove(d, old, l2tags::kMacsLen);
  l2tags::store_be16(d + l2tags::kMacsLen, tpid);
  l2tags::store_be16(d + l2tags::kMacsLen + 2, tci);
  return m;
}

}  // namespace strata::datapath
