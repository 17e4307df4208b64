// A DPDK environment for in-process integration tests: the EAL started once
// per test program (own file prefix, --in-memory, nothing left behind) and
// a Datapath with one PMD and an Ofproto on top, driven from the test
// thread, which plays the control thread.
#pragma once

#include <rte_ring.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "datapath/datapath.h"
#include "datapath/eal.h"
#include "l2tags/tag_stack.h"
#include "ofproto/ofproto.h"

namespace strata::testing {

// Starts the EAL on first use; rte_eal_cleanup runs at exit.
void ensure_eal();

struct Switch {
  std::unique_ptr<datapath::Datapath> dp;
  std::unique_ptr<ofproto::Ofproto> ofp;

  explicit Switch(bool start = true) : Switch(default_options(), start) {}
  Switch(datapath::DatapathOptions options, bool start = true);
  static datapath::DatapathOptions default_options();
  ~Switch();

  // Adds a port to bridge "br0" (created on first use).
  uint32_t add_port(const std::string& name, const std::string& type, ofproto::BridgePort mode = {},
                    std::map<std::string, std::string> options = {});
  // Runs the control thread until `done` is true or `timeout` passes.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void run_for(std::chrono::milliseconds d) {
    run_until([] { return false; }, d);
  }
};

// Ring port access for a peer living in the test.
void inject(Switch& sw, const std::string& port, const std::vector<uint8_t>& frame, int copies = 1);
// Dequeues everything the switch sent on `port`, as byte vectors.
std::vector<std::vector<uint8_t>> drain(const std::string& port);

// Frame construction.
std::vector<uint8_t> make_frame(const uint8_t dst[6], const uint8_t src[6], const l2tags::TagStack& tags,
                                uint16_t ethertype = 0x0800, size_t payload = 46);
l2tags::TagStack stack_of(std::initializer_list<std::pair<uint16_t, uint16_t>> tpid_vid);

}  // namespace strata::testing
