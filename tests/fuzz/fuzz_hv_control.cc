// A line on strata-hv's control socket, from any local client.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hv/control/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::hv::control;
  auto r = parse_request(std::string_view(reinterpret_cast<const char*>(data), size));
  if (r.is_ok() && r->command == Command::kSnapshot && r->dir.empty()) __builtin_trap();
  (void)format_error(r.status());
  return 0;
}
