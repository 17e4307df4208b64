// The DCN's NIC must put container tags into the frame bytes. A veth (the
// NIC of a namespace DCN) otherwise hands a pushed tag to its peer as
// metadata only (skb->vlan_tci, "tx-vlan-hw-insert"), and a reader of raw
// frames on the far side, an af_xdp socket such as Strata's VNIC port,
// never sees it. With the NIC's VLAN insert offloads off, the kernel
// writes the tag into the frame on transmit, as a real wire would carry
// it. (A virtio NIC has no such offload: nothing to change there.)
#pragma once

#include <string>

#include "base/status.h"

namespace strata::dcn_agent {

// Turns "tx-vlan-hw-insert" and "tx-vlan-stag-hw-insert" off on `nic`
// (ethtool's features ioctl); a device without them is left as it is.
Status disable_tx_vlan_offload(const std::string& nic);

}  // namespace strata::dcn_agent
