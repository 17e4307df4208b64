// The TABLE_FEATURES multipart reply: what every one of the 255 tables
// supports (instructions, next tables, actions, matchable, maskable and
// settable OXM fields), derived from the codec and OXM tables so it cannot
// drift from what the switch accepts.
#pragma once

#include <vector>

#include "ofproto/ofp_messages.h"

namespace strata::ofproto {

std::vector<msg::TableFeatures> describe_table_features();

}  // namespace strata::ofproto
