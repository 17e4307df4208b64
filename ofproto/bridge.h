// A bridge: a set of ports that switch frames among themselves, through the
// OpenFlow pipeline (flow tables and groups) or, while failing open, NORMAL
// (an 802.1ad/Q-aware learning switch, also reachable as the NORMAL port).
//
// Translation follows OVS's xlate: running the pipeline for one upcall
// yields the actions for that frame *and* the mask of every key field the
// decision consulted, so the megaflow covers exactly the frames that would
// be decided the same way. Every megaflow is recorded (megaflow_records.h)
// so its counters reach the flows, tables and groups behind it and so a
// change to those removes it (revalidation).
//
// Control thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "datapath/dpif.h"
#include "l2tags/tpid_set.h"
#include "ofproto/mac_learning.h"
#include "ofproto/megaflow_records.h"
#include "ofproto/packet_in_context.h"
#include "ofproto/pipeline.h"
#include "ofproto/port_config.h"

namespace strata::ofproto {

class ConnMgr;

enum class FailMode {
  kStandalone,  // while no controller is connected, NORMAL decides
  kSecure,      // the flow tables always decide (misses drop)
};

class Bridge {
 public:
  Bridge(std::string name, datapath::Dpif& dpif, PacketInContexts* contexts = nullptr);
  ~Bridge();

  const std::string& name() const { return name_; }

  // ---- ports ----------------------------------------------------------------
  // Adds a port whose datapath port exists already.
  Status add_port(const BridgePort& port);
  // Forgets a port (the caller deletes the datapath port).
  Status remove_port(const std::string& name);
  const BridgePort* find_port(const std::string& name) const;
  const BridgePort* port_by_dp(uint32_t dp_port) const;
  const BridgePort* port(uint32_t ofport) const {
    auto it = ports_.find(ofport);
    return it == ports_.end() ? nullptr : &it->second;
  }
  const std::map<uint32_t, BridgePort>& ports() const { return ports_; }  // by OpenFlow number
  uint32_t next_free_ofport() const;
  // Changes a port's tag mode (a DCN's VNIC and back); its megaflows and
  // the MACs learned on it go.
  Status set_port_mode(const std::string& name, TagMode mode);
  // PORT_MOD: sets the OFPPC_* bits under `mask`.
  OfStatus set_port_config(uint32_t ofport, uint32_t config, uint32_t mask);
  // Up (not administratively down) with its link up: fast-failover liveness.
  bool port_live(uint32_t ofport) const;
  // The OpenFlow description and counters of a port.
  msg::Port describe_port(const BridgePort& p) const;
  msg::PortStats port_stats(const BridgePort& p, uint64_t now_ms) const;

  // ---- NORMAL ---------------------------------------------------------------
  // NORMAL for one missed frame: learn its source, choose the outputs in
  // its tag domain, and fill the actions and consulted mask.
  void translate_normal(const datapath::Upcall& upcall, datapath::UpcallResult* out);
  // The same for a frame described by `key` (in_port = datapath port),
  // appending to *out; *restore receives the ops that bring the frame back
  // to its stack on arrival (for actions that follow NORMAL).
  void normal(const datapath::FlowKey& key, datapath::FlowMask* mask, datapath::ActionBuilder* out,
              datapath::ActionBuilder* restore);
  const MacLearningTable& mac_table() const { return macs_; }

  // ---- OpenFlow -------------------------------------------------------------
  Pipeline& pipeline() { return pipeline_; }
  const Pipeline& pipeline() const { return pipeline_; }
  uint64_t datapath_id() const { return datapath_id_; }
  void set_datapath_id(uint64_t id);
  FailMode fail_mode() const { return fail_mode_; }
  void set_fail_mode(FailMode mode);
  void set_tpids(const l2tags::TpidSet& tpids) { tpids_ = tpids; }
  const std::vector<std::string>& controllers() const { return controllers_; }
  // Connects to / listens on these targets; going from none to some (or
  // back) flushes the flow tables, as OVS does. Nothing changes on error.
  Status set_controllers(const std::vector<std::string>& targets);
  ConnMgr* connmgr() { return connmgr_.get(); }
  // Standalone, controllers configured, none connected: NORMAL decides.
  bool failing_open() const;
  // The connection manager reports that connectivity changed.
  void on_connectivity_change();

  // Upcalls (from Ofproto).
  void handle_miss(const datapath::Upcall& upcall, datapath::UpcallResult* out);
  void handle_controller(const datapath::Upcall& upcall, const PacketInContext& ctx);
  uint32_t packet_in_cookie(PacketInContext ctx);

  // The flow API. flow_mod/group_mod leave revalidation pending until
  // revalidate() (the OpenFlow session calls it before a barrier reply and
  // after each batch; the native API calls it at once).
  OfStatus flow_mod(const FlowMod& fm);
  OfStatus group_mod(const msg::GroupMod& gm);
  // Transactions (for bundles): flow_mod()/group_mod() calls between
  // begin_transaction() and commit_transaction() take effect as one;
  // rollback_transaction() undoes them all. FLOW_REMOVED for what they
  // deleted goes out at the commit, and the datapath's counters are
  // harvested once, before the first delete.
  void begin_transaction();
  void commit_transaction();
  void rollback_transaction();
  OfStatus packet_out(uint32_t in_port, const OfActions& actions, const uint8_t* data, size_t len);
  void revalidate();
  // Entries the filter selects, with current counters.
  std::vector<const Rule*> select_flows(const FlowFilter& filter);
  // Pulls the datapath's megaflow counters into flows, tables and groups.
  void harvest();
  void harvest(const std::vector<datapath::MegaflowInfo>& dump);

  // Where PACKET_IN / FLOW_REMOVED / PORT_STATUS go besides the
  // connections (the native API's stream).
  std::function<void(const std::string& bridge, const msg::PacketIn&)> packet_in_hook;

  // Housekeeping every second or so: MAC aging, timeouts, link changes,
  // all by now_ms(), the clock that stamped the entries (a caller's clock
  // of another origin aged every MAC away on each call).
  void run_periodic();
  uint64_t now_ms() const;

 private:
  // Megaflows that flooded or were sent towards `mac` are stale.
  void revalidate_towards(const uint8_t mac[6]);
  // Flood decisions depend on the port set: drop this bridge's flood flows.
  void revalidate_floods();
  // Every megaflow of this bridge goes (ports or mode changed).
  void revalidate_all();
  // Adds frames to the entries, groups and (with `tables`) table counters
  // a megaflow record names.
  void credit(const MegaflowRecord& rec, uint64_t packets, uint64_t bytes, uint64_t now, bool tables = true);
  void send_flow_removed(const std::vector<RemovedFlow>& removed);
  void harvest_before_delete();
  void send_port_status(uint8_t reason, const BridgePort& p);
  void check_links();

  std::string name_;                        // bridge name
  datapath::Dpif& dpif_;                    // the datapath it programs
  std::map<uint32_t, BridgePort> ports_;    // by OpenFlow port number
  std::map<uint32_t, uint32_t> by_dp_;      // datapath port -> OpenFlow port
  std::map<uint32_t, bool> link_up_;        // OpenFlow port -> last link state seen
  MacLearningTable macs_;                   // learned (domain, MAC) -> OpenFlow port
  Pipeline pipeline_;                       // flow tables and groups
  std::vector<RemovedFlow> txn_removed_;    // in a transaction: FLOW_REMOVED to send at the commit
  bool txn_harvested_ = false;              // in a transaction: counters harvested for its deletes
  MegaflowRecords records_;                 // what each installed megaflow went through
  std::unique_ptr<PacketInContexts> own_contexts_;  // used when no shared registry was given
  PacketInContexts* contexts_;              // controller-action cookie registry
  l2tags::TpidSet tpids_;                   // TPIDs the datapath recognises (packet-out parsing)
  uint64_t datapath_id_ = 0;                // OpenFlow datapath id
  FailMode fail_mode_ = FailMode::kStandalone;  // behaviour without a controller
  std::vector<std::string> controllers_;    // configured targets
  std::unique_ptr<ConnMgr> connmgr_;        // OpenFlow connections (null without controllers)
  bool was_failing_open_ = false;           // failing_open() when last checked
};

}  // namespace strata::ofproto
