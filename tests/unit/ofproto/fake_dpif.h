// A Dpif that only remembers: megaflows put and deleted, frames executed.
// Lets the pipeline, translation and revalidation run without DPDK's EAL.
#pragma once

#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "datapath/dpif.h"

namespace strata::testing {

class FakeDpif final : public datapath::Dpif {
 public:
  struct Flow {
    datapath::FlowKey key;    // masked key
    datapath::FlowMask mask;  // mask
    std::string actions;      // formatted
    uint64_t packets = 0;     // counters a test may bump
    uint64_t bytes = 0;       // ... and bytes
  };

  Result<uint32_t> port_add(const vnic::PortSpec& spec) override {
    std::string mac = "02:00:00:00:00:0";
    mac += static_cast<char>('0' + next_port % 10);
    ports.push_back(datapath::DpPortInfo{next_port, spec, true, mac});
    return next_port++;
  }
  Status set_tag_mux(uint32_t no, bool enabled) override {
    if (enabled) {
      mux_parents.insert(no);
    } else {
      mux_parents.erase(no);
    }
    return Status::ok();
  }
  Result<uint32_t> logical_port_add(const datapath::LogicalPortSpec& spec) override {
    datapath::DpPortInfo info;
    info.port_no = next_port;
    info.spec.name = spec.name;
    info.spec.type = "logical";
    info.link_up = true;
    info.logical = true;
    info.parent = spec.parent;
    info.mux_tpid = spec.tpid;
    info.mux_vid = spec.vid;
    ports.push_back(info);
    return next_port++;
  }
  Status port_del(uint32_t no) override {
    std::erase_if(ports, [&](const datapath::DpPortInfo& p) { return p.port_no == no; });
    return Status::ok();
  }
  std::vector<datapath::DpPortInfo> port_list() const override { return ports; }
  Result<datapath::DpPortStats> port_stats(uint32_t) const override { return datapath::DpPortStats{}; }
  Result<std::vector<datapath::DpPortXstat>> port_xstats(uint32_t) const override {
    return std::vector<datapath::DpPortXstat>{};
  }

  Status flow_put(const datapath::FlowKey& key, const datapath::FlowMask& mask,
                  const datapath::ActionBuilder& actions) override {
    Flow f;
    f.key = key;
    for (int i = 0; i < datapath::kFlowKeyWords; ++i) f.key.words()[i] &= mask.words()[i];
    f.mask = mask;
    datapath::ActionList* list = actions.build();
    f.actions = datapath::format_actions(*list);
    datapath::ActionList::destroy(list);
    flows.push_back(f);
    return Status::ok();
  }
  size_t flow_del_if(const std::function<bool(const datapath::MegaflowInfo&)>& pred) override {
    ++del_calls;
    const size_t before = flows.size();
    std::erase_if(flows, [&](const Flow& f) { return pred(info(f)); });
    return before - flows.size();
  }
  void flow_flush() override { flows.clear(); }
  std::vector<datapath::MegaflowInfo> flow_dump() const override {
    std::vector<datapath::MegaflowInfo> out;
    for (const auto& f : flows) out.push_back(info(f));
    return out;
  }
  Status execute(rte_mbuf*, uint32_t, const datapath::ActionBuilder&) override { return Status::ok(); }
  Result<rte_mbuf*> make_packet(const uint8_t*, size_t) override { return unimplemented("no mbufs in unit tests"); }
  void set_upcall_handler(datapath::UpcallHandler*) override {}
  std::vector<datapath::PmdStatsSnapshot> pmd_stats() const override { return {}; }

  std::vector<datapath::DpPortInfo> ports;  // ports added
  uint32_t next_port = 10;                  // datapath numbers start at 10: never equal to OpenFlow ones
  std::vector<Flow> flows;                  // installed megaflows
  int del_calls = 0;                        // flow_del_if calls
  std::set<uint32_t> mux_parents;           // ports set_tag_mux enabled

 private:
  static datapath::MegaflowInfo info(const Flow& f) {
    datapath::MegaflowInfo i;
    i.key = f.key;
    i.mask = f.mask;
    i.actions = f.actions;
    i.packets = f.packets;
    i.bytes = f.bytes;
    return i;
  }
};

}  // namespace strata::testing
