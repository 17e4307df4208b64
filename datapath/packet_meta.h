// Per-packet metadata the datapath keeps in an mbuf dynamic field while a
// packet waits in an upcall ring: why it goes to the slow path and where
// it came from. Registered once at datapath start.
#pragma once

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <cstdint>

namespace strata::datapath {

enum class UpcallReason : uint8_t {
  kMiss = 0,        // no megaflow matched
  kController = 1,  // a megaflow's controller action
};

struct PacketMeta {
  uint32_t in_port;     // datapath port the packet arrived on
  uint32_t cookie;      // kController: the action's cookie
  uint16_t max_len;     // kController: bytes to send up, 0 = all
  UpcallReason reason;  // why this packet is in an upcall ring
  uint8_t pad;          // always 0
};
static_assert(sizeof(PacketMeta) == 12);

// Offset of the PacketMeta dynfield; set by register_packet_meta().
extern int g_packet_meta_offset;

// Registers the dynfield (idempotent). Returns false if DPDK refuses.
bool register_packet_meta();

inline PacketMeta* packet_meta(rte_mbuf* m) {
  return RTE_MBUF_DYNFIELD(m, g_packet_meta_offset, PacketMeta*);
}

}  // namespace strata::datapath
