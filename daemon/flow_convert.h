// The native Flows API (flows.proto) to and from ofproto's flow-table API
// (ofproto/flow_mod.h): the same pipeline OpenFlow programs, so a flow
// added here is dumped by ovs-ofctl and the reverse.
//
// To ofproto: errors name the request field. From ofproto: an entry an
// OpenFlow controller installed may use fields or instructions the native
// messages have no member for; those entries also carry the whole match
// and instructions as text (FlowStats.match_text / actions_text), so a
// dump never hides part of a flow.
#pragma once

#include <google/protobuf/repeated_field.h>

#include <string>

#include "base/status.h"
#include "l2tags/tpid_set.h"
#include "ofproto/flow_mod.h"
#include "strata/v1/flows.pb.h"

namespace strata::daemon {

Result<ofproto::Match> to_match(const v1::FlowMatch& match, const std::string& field);
Result<ofproto::OfActions> to_actions(const google::protobuf::RepeatedPtrField<v1::Action>& actions,
                                      const std::string& field);
// An OFPFC_ADD of `flow`.
Result<ofproto::FlowMod> to_flow_mod(const v1::Flow& flow, const std::string& field);

// Fills `out`; false when the match uses something FlowMatch cannot say.
bool from_match(const ofproto::Match& match, v1::FlowMatch* out);
// Fills out->actions and out->goto_table; false when not representable.
bool from_instructions(const ofproto::Instructions& ins, v1::Flow* out);

// Every field of a match / every instruction, as text (field names of
// the OXM table: eth_src, tag2_vid, ...).
std::string match_text(const ofproto::Match& match);
std::string instructions_text(const ofproto::Instructions& ins);

// A dumped entry; `now_ms` on ofproto's clock (ofproto_now_ms()).
v1::FlowStats to_flow_stats(const ofproto::Rule& rule, uint64_t now_ms);
uint64_t ofproto_now_ms();

}  // namespace strata::daemon
