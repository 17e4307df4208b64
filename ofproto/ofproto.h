// Ofproto: the bridges of one stratad and the slow path they share. It is
// the datapath's UpcallHandler: a missed frame goes to the bridge that owns
// its ingress port. Every bridge/port change goes through here so that the
// datapath ports and the bridges' view of them never disagree.
//
// Control thread only.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "base/status.h"
#include "datapath/dpif.h"
#include "ofproto/bridge.h"

namespace strata::ofproto {

class Ofproto final : public datapath::UpcallHandler {
 public:
  explicit Ofproto(datapath::Dpif& dpif) : dpif_(dpif) { dpif_.set_upcall_handler(this); }
  ~Ofproto() override;

  Status add_bridge(const std::string& name);
  // Removes the bridge and all its ports.
  Status del_bridge(const std::string& name);
  Bridge* find_bridge(const std::string& name);
  const std::map<std::string, std::unique_ptr<Bridge>>& bridges() const { return bridges_; }

  // Creates the datapath port and attaches it. `port.ofport` 0 = next free;
  // `port.dp_port` is filled in. Nothing changes on error.
  Result<BridgePort> add_port(const std::string& bridge, const vnic::PortSpec& spec, BridgePort port);
  Status del_port(const std::string& bridge, const std::string& port);

  void upcall(const datapath::Upcall& upcall, datapath::UpcallResult* out) override;

  // Periodic housekeeping (MAC aging).
  void run_periodic(uint64_t now_ms);

 private:
  datapath::Dpif& dpif_;                                   // the datapath
  std::map<std::string, std::unique_ptr<Bridge>> bridges_; // by name
};

}  // namespace strata::ofproto
