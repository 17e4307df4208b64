// Where a live migration goes: `unix:PATH` (same host: the guest's memory
// travels as its memfd, nothing is copied) or `tcp:HOST:PORT` (pre-copy:
// pages over the network while the guest runs). One syntax for the
// sender's `migrate` request and the receiver's --incoming.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "hv/unique_fd.h"

namespace strata::hv::migration {

struct Address {
  enum class Kind { kUnix, kTcp };
  Kind kind = Kind::kUnix;  // which transport
  std::string path;         // kUnix: the socket file
  std::string host;         // kTcp: a numeric IPv4/IPv6 address or a name
  uint16_t port = 0;        // kTcp
  std::string text;         // as given, for messages
};

Result<Address> parse_address(std::string_view text);
// Connects within `timeout_ms`.
Result<UniqueFd> connect_to(const Address& a, int timeout_ms);
// Listens at `a` and returns the listening socket (a unix socket file is
// created 0600; the caller removes it).
Result<UniqueFd> listen_at(const Address& a);

}  // namespace strata::hv::migration
