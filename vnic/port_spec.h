// What a user asks for when adding a port: a name, a type and driver options.
#pragma once

#include <map>
#include <string>

namespace strata::vnic {

struct PortSpec {
  std::string name;                           // unique port name, e.g. "p1"
  std::string type;                           // driver type: null, ring, pcap, tap, afpacket, ...
  std::map<std::string, std::string> options;  // --opt KEY=VALUE pairs, as given
};

// Queue layout the datapath wants for a port.
struct QueueLayout {
  uint16_t n_rxq = 1;  // receive queues, spread over PMD threads
  uint16_t n_txq = 1;  // transmit queues wanted: one per PMD plus one for the control thread
};

}  // namespace strata::vnic
