// A bridge: a set of ports that switch frames among themselves, with the
// NORMAL pipeline (an 802.1ad/Q-aware learning switch) until a controller's
// flow tables take over (the OpenFlow issue adds those in front of it).
//
// Translation follows OVS's xlate: running the pipeline for one upcall
// yields the actions for that frame *and* the mask of every key field the
// decision consulted, so the megaflow covers exactly the frames that would
// be decided the same way.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "base/status.h"
#include "datapath/dpif.h"
#include "ofproto/mac_learning.h"
#include "ofproto/port_config.h"

namespace strata::ofproto {

class Bridge {
 public:
  Bridge(std::string name, datapath::Dpif& dpif) : name_(std::move(name)), dpif_(dpif) {}

  const std::string& name() const { return name_; }
  // Adds a port whose datapath port exists already.
  Status add_port(const BridgePort& port);
  // Forgets a port (the caller deletes the datapath port).
  Status remove_port(const std::string& name);
  const BridgePort* find_port(const std::string& name) const;
  const BridgePort* port_by_dp(uint32_t dp_port) const;
  const std::map<uint32_t, BridgePort>& ports() const { return ports_; }  // by OpenFlow number
  uint32_t next_free_ofport() const;

  // NORMAL for one missed frame: learn its source, choose the outputs in
  // its tag domain, and fill the actions and consulted mask.
  void translate_normal(const datapath::Upcall& upcall, datapath::UpcallResult* out);

  const MacLearningTable& mac_table() const { return macs_; }
  void age(uint64_t now_ms) { macs_.age(now_ms); }

 private:
  // Megaflows that flooded or were sent towards `mac` are stale.
  void revalidate_towards(const uint8_t mac[6]);
  // Flood decisions depend on the port set: drop this bridge's flood flows.
  void revalidate_floods();

  std::string name_;                        // bridge name
  datapath::Dpif& dpif_;                    // the datapath it programs
  std::map<uint32_t, BridgePort> ports_;    // by OpenFlow port number
  std::map<uint32_t, uint32_t> by_dp_;      // datapath port -> OpenFlow port
  MacLearningTable macs_;                   // learned (domain, MAC) -> OpenFlow port
};

}  // namespace strata::ofproto
