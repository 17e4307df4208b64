#include "l2tags/tpid_set.h"

#include <string>

#include "l2tags/text.h"

namespace strata::l2tags {

using text::cat;
using text::hex4;

Result<TpidSet> TpidSet::make(std::span<const uint16_t> tpids) {
  if (tpids.size() > static_cast<size_t>(kMaxTpids)) {
    return invalid_argument(
        cat("a TPID set holds at most ", std::to_string(kMaxTpids), " TPIDs, got ", std::to_string(tpids.size())));
  }
  for (size_t i = 0; i < tpids.size(); ++i) {
    if (!is_valid_tpid(tpids[i])) {
      return invalid_argument(
          cat("TPID 0x", hex4(tpids[i]), " is below 0x0600: that is an 802.3 length, not an EtherType"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (tpids[j] == tpids[i]) return invalid_argument(cat("TPID 0x", hex4(tpids[i]), " is listed twice"));
    }
  }
  TpidSet set;
  if (!set.build(tpids)) {
    return internal_error("no collision-free hash found for the TPID set; please report it");
  }
  return set;
}

}  // namespace strata::l2tags
