// The slow-path interface of the datapath: what happens to a frame no
// megaflow matched. The datapath hands the frame and its key to an
// UpcallHandler (the bridge's pipeline) on the control thread; the handler
// answers with actions and the mask of the fields it consulted, which the
// datapath installs as a megaflow, so the next frame of the flow stays on
// the fast path.
#pragma once

#include <rte_mbuf.h>

#include "datapath/actions.h"
#include "datapath/flow_key.h"
#include "datapath/packet_meta.h"

namespace strata::datapath {

struct Upcall {
  rte_mbuf* packet;     // the frame (owned by the datapath; read only)
  const FlowKey* key;   // its parsed key
  UpcallReason reason;  // miss or controller action
  uint32_t cookie;      // kController: the action's cookie
  uint16_t max_len;     // kController: bytes to send up, 0 = all
};

struct UpcallResult {
  bool install = true;  // install a megaflow (false: execute this frame only)
  FlowMask mask{};      // the fields the pipeline consulted (1 bits)
  ActionBuilder actions;  // what to do with the frame (empty = drop)
};

class UpcallHandler {
 public:
  virtual ~UpcallHandler() = default;
  // Control thread. For kMiss fill `out`; for kController, deliver the frame
  // to the controller (out is ignored).
  virtual void upcall(const Upcall& upcall, UpcallResult* out) = 0;
};

}  // namespace strata::datapath
