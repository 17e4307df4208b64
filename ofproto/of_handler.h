// What OpenFlow 1.3 messages mean for a bridge: the switch side of every
// request (features, config, flow/group/port/table mods, packet-out,
// multipart statistics, barrier, role, async config). A table maps message
// types to handlers and multipart types to handlers; every failure becomes
// an OFPT_ERROR with the specification's type and code, and nothing of a
// failed request is applied.
#pragma once

#include "ofproto/of_session.h"

namespace strata::ofproto {

class Bridge;
class ConnMgr;
struct FlowMod;

// FLOW_MOD and GROUP_MOD bodies (`msg` is the whole message) as the
// pipeline takes them: for the messages themselves and for bundles.
OfStatus decode_flow_mod(const uint8_t* msg, size_t len, FlowMod* fm, uint32_t* buffer_id);
OfStatus decode_group_mod(const uint8_t* msg, size_t len, msg::GroupMod* gm);

class OfHandler final : public MessageHandler {
 public:
  OfHandler(Bridge& bridge, ConnMgr& connmgr) : bridge_(bridge), connmgr_(connmgr) {}

  void handle(OfSession& s, const OfpHeader& h, const uint8_t* msg, size_t len) override;
  void end_batch(OfSession& s) override;

  // Message and multipart handlers (public so the dispatch tables in the
  // .cc can name them).
  struct Request {
    OfSession& s;          // the connection
    const OfpHeader& h;    // its header
    const uint8_t* msg;    // the whole message
    size_t len;            // its length
  };
  OfStatus echo_request(const Request& r);
  OfStatus features(const Request& r);
  OfStatus get_config(const Request& r);
  OfStatus set_config(const Request& r);
  OfStatus packet_out(const Request& r);
  OfStatus flow_mod(const Request& r);
  OfStatus group_mod(const Request& r);
  OfStatus port_mod(const Request& r);
  OfStatus table_mod(const Request& r);
  OfStatus multipart(const Request& r);
  OfStatus barrier(const Request& r);
  OfStatus queue_get_config(const Request& r);
  OfStatus role(const Request& r);
  OfStatus get_async(const Request& r);
  OfStatus set_async(const Request& r);
  OfStatus experimenter(const Request& r);
  OfStatus unsupported(const Request& r);
  OfStatus ignore(const Request& r);

  OfStatus mp_desc(const Request& r, const std::vector<uint8_t>& body);
  OfStatus mp_flow(const Request& r, const std::vector<uint8_t>& body);
  OfStatus mp_aggregate(const Request& r, const std::vector<uint8_t>& body);
  OfStatus mp_table(const Request& r, const std::vector<uint8_t>& body);
  OfStatus mp_port_stats(const Request& r, const std::vector<uint8_t>& body);
  OfStatus mp_port_desc(const Request& r, const std::vector<uint8_t>& body);
  OfStatus mp_group(const Request& r, const std::vector<uint8_t>& body);
  OfStatus mp_group_desc(const Request& r, const std::vector<uint8_t>& body);
  OfStatus mp_group_features(const Request& r, const std::vector<uint8_t>& body);
  OfStatus mp_table_features(const Request& r, const std::vector<uint8_t>& body);
  OfStatus mp_meter_features(const Request& r, const std::vector<uint8_t>& body);
  OfStatus mp_empty(const Request& r, const std::vector<uint8_t>& body);

 private:
  OfStatus check_master(const OfSession& s) const;
  OfStatus bundle_control(const Request& r);  // of_handler_bundle.cc
  OfStatus bundle_add(const Request& r);
  OfStatus check_staged(const uint8_t* msg, const OfpHeader& h) const;
  OfStatus commit_bundle(OfSession& s, const Bundle& b);
  void send_all(OfSession& s, const std::vector<std::vector<uint8_t>>& msgs);

  Bridge& bridge_;    // the bridge these connections program
  ConnMgr& connmgr_;  // its connections (roles, generation id)
};

}  // namespace strata::ofproto
