// What a migration peer sends: message headers, page runs (against a
// guest of a size the first byte picks) and HELLO with its config.
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/migration/stream.h"
#include "hv/state/guest_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::hv::migration;
  if (size == 0) return 0;
  const uint64_t memory = (uint64_t(data[0]) + 1) * kPageBytes;
  std::span<const uint8_t> bytes(data + 1, size - 1);
  (void)decode_header(bytes);
  auto run = decode_pages(bytes, memory);
  if (run.is_ok() && (run->gpa + run->bytes.size() > memory || run->bytes.size() % kPageBytes != 0)) __builtin_trap();
  auto hello = decode_hello(bytes);
  if (hello.is_ok()) (void)strata::hv::state::decode_guest_config(*hello);
  return 0;
}
