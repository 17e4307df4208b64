// A snapshot's `state` file and a migration's STATE message: whatever the
// file holds, the decoder returns a state that fits together or a reason,
// and never reads past its input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/state/guest_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::hv::state;
  std::span<const uint8_t> bytes(data, size);
  auto state = decode_guest_state(bytes);
  if (state.is_ok()) {
    // What decodes must re-encode to something that decodes the same way.
    auto again = decode_guest_state(encode_guest_state(*state));
    if (!again.is_ok() || again->vcpus.size() != state->vcpus.size() || again->nics.size() != state->nics.size()) {
      __builtin_trap();
    }
  }
  (void)decode_guest_config(bytes);
  return 0;
}
