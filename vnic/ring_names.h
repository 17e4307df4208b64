// Names of the rte_rings behind a `ring` port, for in-process peers.
#pragma once

#include <string>

namespace strata::vnic {

// The ring the switch receives from: a peer enqueues frames here.
inline std::string ring_rx_name(const std::string& port) { return "srx_" + port; }
// The ring the switch sends to: a peer dequeues frames here.
inline std::string ring_tx_name(const std::string& port) { return "stx_" + port; }

}  // namespace strata::vnic
