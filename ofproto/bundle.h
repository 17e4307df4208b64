// Bundles: flow and group changes a controller stages on one connection and
// then commits as one, all or nothing (OpenFlow 1.4's bundles, offered to
// 1.3 controllers as ONF extension 230, which is what
// `ovs-ofctl -O OpenFlow13 --bundle` speaks). Each message is decoded and
// checked when it is added, so a bad one is refused at once, and staged as
// its wire bytes (~100 bytes a flow, a tenth of a decoded FlowMod); the
// commit decodes them again and runs them in order in one bridge
// transaction (Bridge::begin_transaction), and the first that fails undoes
// the ones before it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace strata::ofproto {

struct Bundle {
  uint16_t flags = 0;             // ofp::BundleFlags, fixed when it opened
  bool closed = false;            // CLOSE_REQUEST seen: nothing more may be added
  std::vector<uint8_t> messages;  // the staged messages, whole and back to back, in the order they came
  size_t count = 0;               // how many
};

// A connection's bundles, by the controller's bundle id. Bounded so that
// one controller cannot take the switch's memory.
using Bundles = std::map<uint32_t, Bundle>;
inline constexpr size_t kMaxBundles = 16;          // open at once, per connection
inline constexpr size_t kMaxBundleMods = 1000000;  // messages in one bundle (the flow tables' capacity)
inline constexpr size_t kMaxBundleBytes = size_t{256} << 20;  // staged bytes, all bundles of a connection together

}  // namespace strata::ofproto
