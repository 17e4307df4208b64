// A bridge on a FakeDpif with three trunk ports (OpenFlow 1..3 = datapath
// 11..13) and empty flow tables, plus builders for keys and flows.
#pragma once

#include <cstring>
#include <string>

#include "fake_dpif.h"
#include "ofproto/bridge.h"
#include "ofproto/xlate.h"

namespace strata::testing {

using namespace strata::ofproto;

inline const uint8_t kMacA[6] = {0x02, 0, 0, 0, 0, 0x0a};
inline const uint8_t kMacB[6] = {0x02, 0, 0, 0, 0, 0x0b};
inline const uint8_t kBcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

struct BridgeFixture {
  FakeDpif dp;                          // remembers megaflows
  PacketInContexts contexts;            // controller-action cookies, inspectable
  Bridge br{"br0", dp, &contexts};      // the bridge under test

  explicit BridgeFixture(bool keep_normal_flow = false) {
    dp.next_port = 11;
    for (uint32_t i = 1; i <= 3; ++i) {
      BridgePort p;
      p.name = "p";
      p.name += static_cast<char>('0' + i);  // (g++ 12 warns falsely on "p" + to_string)
      p.ofport = i;
      p.dp_port = 10 + i;
      REQUIRE(br.add_port(p));
    }
    if (!keep_normal_flow) {
      FlowMod del;
      del.command = FlowCommand::kDelete;
      del.table_id = ofp::kTableAll;
      REQUIRE(br.flow_mod(del));
      br.revalidate();
    }
  }

  // A frame from OpenFlow port `ofport` with these tags, outermost first.
  static datapath::FlowKey key(uint32_t ofport, std::initializer_list<std::pair<uint16_t, uint16_t>> tags,
                               const uint8_t* src = kMacA, const uint8_t* dst = kMacB, uint16_t eth_type = 0x0800) {
    datapath::FlowKey k;
    k.clear();
    k.in_port = 10 + ofport;
    std::memcpy(k.eth_src, src, 6);
    std::memcpy(k.eth_dst, dst, 6);
    k.eth_type = eth_type;
    int d = 0;
    for (auto [tpid, tci] : tags) k.tags[d++] = {tpid, tci};
    k.tag_depth = static_cast<uint8_t>(d);
    return k;
  }

  void add(uint8_t table, uint16_t prio, const Match& m, const Instructions& ins, uint64_t cookie = 0) {
    FlowMod fm;
    fm.table_id = table;
    fm.priority = prio;
    fm.match = m;
    fm.instructions = ins;
    fm.cookie = cookie;
    const OfStatus st = br.flow_mod(fm);
    INFO(st.message());
    REQUIRE(st);
  }

  struct Result {
    std::string actions;       // format_actions()
    datapath::FlowMask mask;   // consulted original-key bits
    XlateOut out;              // everything
  };
  Result run(const datapath::FlowKey& k) {
    Result r;
    XlateIn in;
    in.key = &k;
    in.in_ofport = br.port_by_dp(k.in_port)->ofport;
    xlate(br, in, &r.out);
    datapath::ActionList* list = r.out.actions.build();
    r.actions = datapath::format_actions(*list);
    datapath::ActionList::destroy(list);
    r.mask = r.out.mask;
    return r;
  }
};

inline Instructions apply(OfActions a) { return Instructions::apply_actions(std::move(a)); }
inline Instructions apply_goto(OfActions a, uint8_t table) {
  Instructions i = Instructions::apply_actions(std::move(a));
  i.goto_table = table;
  return i;
}
inline OfAction set_vid(uint16_t vid) { return OfAction::set_field(FieldId::kVlanVid, ofp::kVidPresent | vid); }
inline Match vid_is(uint16_t vid) { return Match{}.set_uint(FieldId::kVlanVid, ofp::kVidPresent | vid); }

}  // namespace strata::testing
