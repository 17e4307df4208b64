// Ofproto: the bridges of one stratad and the slow path they share. It is
// the datapath's UpcallHandler: a missed frame goes to the bridge that owns
// its ingress port; a frame a controller action sent up goes to the bridge
// its cookie names. Every bridge/port change goes through here so that the
// datapath ports and the bridges' view of them never disagree. It is also
// the entry point of the flow-table API (ofproto/README.md).
//
// Control thread only.
#pragma once

#include <poll.h>

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "datapath/dpif.h"
#include "l2tags/tpid_set.h"
#include "ofproto/bridge.h"
#include "ofproto/connmgr.h"
#include "ofproto/flow_mod.h"
#include "ofproto/packet_in_context.h"

namespace strata::ofproto {

struct BridgeSettings {
  std::string name;                          // unique bridge name
  FailMode fail_mode = FailMode::kStandalone;  // behaviour without a controller
  uint64_t datapath_id = 0;                  // 0: derived from the name
  std::vector<std::string> controllers;      // ptcp:PORT[:IP], punix:PATH, tcp:HOST[:PORT]
};

// A frame a controller action (or table miss entry) sent up, for the native
// packet-in stream.
struct PacketInEvent {
  std::string bridge;  // which bridge
  msg::PacketIn pi;    // what an OpenFlow controller would have received
};

class Ofproto final : public datapath::UpcallHandler {
 public:
  explicit Ofproto(datapath::Dpif& dpif) : dpif_(dpif) { dpif_.set_upcall_handler(this); }
  ~Ofproto() override;

  // TPIDs the datapath recognises (parsing packet-out frames); default the five.
  void set_tpids(const l2tags::TpidSet& tpids);

  Status add_bridge(const std::string& name);
  // Adds a bridge with settings; nothing remains on error.
  Status add_bridge(const BridgeSettings& settings);
  // Removes the bridge and all its ports.
  Status del_bridge(const std::string& name);
  Bridge* find_bridge(const std::string& name);
  const std::map<std::string, std::unique_ptr<Bridge>>& bridges() const { return bridges_; }

  // Creates the datapath port and attaches it. `port.ofport` 0 = next free;
  // `port.dp_port` is filled in. Nothing changes on error.
  Result<BridgePort> add_port(const std::string& bridge, const vnic::PortSpec& spec, BridgePort port);
  Status del_port(const std::string& bridge, const std::string& port);

  // ---- container DCNs ---------------------------------------------------------
  // Makes a plain trunk port a container DCN's VNIC (its frames are
  // demultiplexed by container tag to the containers' ports; it leaves
  // NORMAL's domains) or, with `vnic` false, a plain trunk port again
  // (FAILED_PRECONDITION while containers are carried over it).
  Status set_dcn_vnic(const std::string& bridge, const std::string& port, bool vnic);
  // Adds a container's port: a logical datapath port carried over the VNIC
  // `port.vnic` by the tag (tpid, vid); `port` gives its OpenFlow number (0 =
  // next free) and tag mode. It is an ordinary port of the bridge from then
  // on (flows, counters, PORT_STATUS); del_port removes it. Nothing changes
  // on error.
  Result<BridgePort> add_container_port(const std::string& bridge, BridgePort port, uint16_t tpid, uint16_t vid);

  // ---- OpenFlow configuration ------------------------------------------------
  Status set_controllers(const std::string& bridge, const std::vector<std::string>& targets);
  Status set_fail_mode(const std::string& bridge, FailMode mode);
  Result<std::vector<ControllerStatus>> controller_status(const std::string& bridge);

  // ---- the flow-table API (every call takes effect, megaflows revalidated,
  // before it returns) -------------------------------------------------------
  Status flow_mod(const std::string& bridge, const FlowMod& fm);
  Result<std::vector<Rule>> dump_flows(const std::string& bridge, const FlowFilter& filter = {});
  Status group_mod(const std::string& bridge, const msg::GroupMod& gm);
  Status packet_out(const std::string& bridge, uint32_t in_port, const OfActions& actions,
                    std::span<const uint8_t> frame);
  // Native packet-in stream: every PACKET_IN of every bridge, besides the
  // OpenFlow connections. Returns an id for remove_packet_in_listener.
  int add_packet_in_listener(std::function<void(const PacketInEvent&)> fn);
  void remove_packet_in_listener(int id);

  void upcall(const datapath::Upcall& upcall, datapath::UpcallResult* out) override;

  // OpenFlow connections: call on every control-loop iteration; returns
  // the work done (0 = idle).
  size_t run();
  // What an idle control loop should wait for before the next run(): the
  // OpenFlow listeners and sessions of every bridge.
  void wait_fds(std::vector<pollfd>* out) const;
  // Periodic housekeeping (MAC aging, flow counters, timeouts, link state);
  // about once a second. Each bridge keeps time by its own clock
  // (Bridge::now_ms), the one its MAC entries and flows are stamped with.
  void run_periodic();

 private:
  void wire_hooks(Bridge& b);

  datapath::Dpif& dpif_;                                   // the datapath
  std::map<std::string, std::unique_ptr<Bridge>> bridges_; // by name
  PacketInContexts contexts_;                              // controller-action cookies of every bridge
  l2tags::TpidSet tpids_;                                  // for packet-out parsing
  std::map<int, std::function<void(const PacketInEvent&)>> listeners_;  // native packet-in stream
  int next_listener_ = 1;                                  // next listener id
};

}  // namespace strata::ofproto
