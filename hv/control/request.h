// The control protocol of `strata-hv --control SOCKET`: one JSON object per
// line each way, like QMP but smaller. A request names a command and its
// arguments; every request gets exactly one reply line.
//
//   {"command":"status"}                  -> {"ok":true,"state":"running",...}
//   {"command":"pause"}                   -> {"ok":true}
//   {"command":"resume"}                  -> {"ok":true}
//   {"command":"snapshot","dir":"/d"}     -> {"ok":true,"memory_bytes":N,"state_bytes":N,"ms":T}
//   {"command":"migrate","to":"tcp:H:P"}  -> {"ok":true,"downtime_ms":T,...} (then the source exits)
//   {"command":"stop"}                    -> {"ok":true} (the guest is stopped, exit code 0)
//   anything wrong                        -> {"ok":false,"error":"reason"}
//
// This file is the one parser of requests (fuzzed) and the one writer of
// replies; hv/control/server.* moves the lines.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "base/status.h"

namespace strata::hv::control {

enum class Command { kStatus, kPause, kResume, kSnapshot, kMigrate, kStop };
const char* command_name(Command c);

struct Request {
  Command command = Command::kStatus;  // what to do
  std::string dir;                     // snapshot: the directory to write (created if missing)
  std::string to;                      // migrate: unix:PATH or tcp:HOST:PORT of the destination's --incoming
  uint32_t downtime_ms = 300;          // migrate: stop iterating once the rest copies within this
};

// The most a request line may hold; a longer one is refused unread.
constexpr size_t kMaxRequestBytes = 8192;
constexpr uint32_t kMaxDowntimeMs = 60000;

// Parses one line (without its newline). Unknown commands, unknown or
// missing arguments and wrong types are refused with a reason.
Result<Request> parse_request(std::string_view line);

// The request line (with its newline) that parse_request reads back as `r`.
std::string format_request(const Request& r);
// A reply line from strata-hv: OK, or the error it carries.
Status parse_reply(std::string_view line);

// A reply line (with its newline): {"ok":true, ...fields} or
// {"ok":false,"error":...}. Values are numbers or strings.
using ReplyValue = std::variant<uint64_t, double, std::string>;
std::string format_reply(const std::map<std::string, ReplyValue>& fields);
std::string format_error(const Status& s);

}  // namespace strata::hv::control
