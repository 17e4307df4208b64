// What a vhost-user backend sends strata-hv: reply headers and the u64 and
// vring-state replies, for each request the frontend waits on. The first
// byte picks the request the reply is supposed to answer.
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/vhost_user/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::hv::vhost_user;
  if (size == 0) return 0;
  static const Request kAwaited[] = {Request::kGetFeatures, Request::kGetProtocolFeatures, Request::kSetOwner,
                                     Request::kSetMemTable, Request::kGetVringBase, Request::kSetVringAddr};
  Request r = kAwaited[data[0] % (sizeof kAwaited / sizeof kAwaited[0])];
  std::span<const uint8_t> msg(data + 1, size - 1);
  (void)decode_reply_header(msg, r);
  (void)decode_u64_reply(msg, r);
  (void)decode_vring_state_reply(msg, r);
  return 0;
}
