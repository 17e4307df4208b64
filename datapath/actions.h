// Compiled datapath actions: what a megaflow does to the frames it matches.
//
// The slow path (ofproto) compiles a pipeline result into an ActionList: a
// flat array of fixed-size 16-byte Actions, immutable once published, freed
// through RCU with the megaflow that points to it. Fixed-size entries keep
// execution a plain loop with no decoding.
//
// Output semantics: a frame is sent as it is at the point of the output; an
// output followed by more actions sends a copy (the compiler marks the last
// output kOutput and earlier ones kOutputCopy), so later rewrites never
// touch a frame already queued for transmission.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "l2tags/tag.h"

namespace strata::datapath {

enum class ActionType : uint8_t {
  kOutput,      // send the frame on `port` and stop owning it (the last output)
  kOutputCopy,  // send a copy on `port`; later actions act on the original
  kPushTag,     // push tag {tpid, value = TCI} as the new outermost
  kPopTag,      // remove the outermost tag
  kSetVid,      // set the VID of tag `depth` (0 = outermost) to `value`
  kSetPcp,      // set the PCP of tag `depth` to `value`
  kSetEthSrc,   // set the source MAC to `mac`
  kSetEthDst,   // set the destination MAC to `mac`
  kController,  // send (a copy of) the frame to the slow path with `port` as cookie
};

struct Action {
  ActionType type;  // what to do
  uint8_t depth;    // kSetVid/kSetPcp: tag index, 0 = outermost
  uint16_t tpid;    // kPushTag: TPID of the new tag
  uint16_t value;   // kPushTag: TCI; kSetVid: VID; kSetPcp: PCP; kController: max_len (0 = all)
  uint8_t mac[6];   // kSetEthSrc/kSetEthDst: the address
  uint32_t port;    // kOutput*: datapath port number; kController: cookie for the slow path
};
static_assert(sizeof(Action) == 16);

// An immutable action list. Allocated once by the builder, shared by the
// megaflows that use it, freed by the RCU reclaimer.
struct ActionList {
  uint32_t n;         // number of actions; 0 means drop
  uint32_t n_outputs; // output actions, for flood-sized clone budgets
  Action a[];         // the actions, in order

  static void destroy(void* p);  // reclaimer-compatible free
};

// Builds an ActionList. Control thread only.
class ActionBuilder {
 public:
  ActionBuilder& output(uint32_t port);
  ActionBuilder& push_tag(const l2tags::Tag& tag);
  ActionBuilder& pop_tag();
  ActionBuilder& set_vid(int depth, uint16_t vid);
  ActionBuilder& set_pcp(int depth, uint8_t pcp);
  ActionBuilder& set_eth_src(const uint8_t mac[6]);
  ActionBuilder& set_eth_dst(const uint8_t mac[6]);
  ActionBuilder& controller(uint32_t cookie, uint16_t max_len = 0);

  bool empty() const { return actions_.empty(); }
  const std::vector<Action>& actions() const { return actions_; }

  // Marks the last output as consuming and copies into one allocation. The
  // result belongs to the caller until published.
  ActionList* build() const;

 private:
  std::vector<Action> actions_;
};

// "push_tag:88a8:100,output:2,pop_tag,output:3" for dumps and logs.
std::string format_actions(const ActionList& list);

}  // namespace strata::datapath
