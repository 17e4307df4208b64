#include "datapath/packet_meta.h"

namespace strata::datapath {

int g_packet_meta_offset = -1;

bool register_packet_meta() {
  if (g_packet_meta_offset >= 0) return true;
  static const rte_mbuf_dynfield desc = {
      .name = "strata_packet_meta",
      .size = sizeof(PacketMeta),
      .align = alignof(PacketMeta),
      .flags = 0,
  };
  g_packet_meta_offset = rte_mbuf_dynfield_register(&desc);
  return g_packet_meta_offset >= 0;
}

}  // namespace strata::datapath
