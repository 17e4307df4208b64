// strata-hv-remote: one request to a running strata-hv's control socket,
// its reply on stdout (a JSON line), the way ch-remote drives Cloud
// Hypervisor. Exit 0 when strata-hv said ok, 1 with its reason on stderr
// when it refused, 2 for a bad command line.
//
//   strata-hv-remote SOCKET status | pause | resume | stop
//   strata-hv-remote SOCKET snapshot DIR
//   strata-hv-remote SOCKET migrate unix:PATH|tcp:HOST:PORT [DOWNTIME_MS]

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>

#include "hv/control/client.h"

namespace {

using namespace strata::hv::control;

// A migration or a big snapshot takes as long as it takes; a strata-hv
// that never answers is still noticed.
constexpr int kReplyTimeoutMs = 600000;

int usage(const char* why) {
  std::fprintf(stderr,
               "strata-hv-remote: %s\n"
               "usage: strata-hv-remote SOCKET status|pause|resume|stop\n"
               "       strata-hv-remote SOCKET snapshot DIR\n"
               "       strata-hv-remote SOCKET migrate unix:PATH|tcp:HOST:PORT [DOWNTIME_MS]\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage("give a socket and a command");
  const std::string socket_path = argv[1], command = argv[2];
  if (command == "-h" || command == "--help") {
    usage("help");
    return 0;
  }
  Request r;
  bool known = false;
  for (Command c : {Command::kStatus, Command::kPause, Command::kResume, Command::kSnapshot, Command::kMigrate, Command::kStop}) {
    if (command == command_name(c)) {
      r.command = c;
      known = true;
    }
  }
  if (!known) return usage(("unknown command '" + command + "'").c_str());
  if (r.command == Command::kSnapshot) {
    if (argc != 4) return usage("snapshot takes a directory");
    r.dir = argv[3];
  } else if (r.command == Command::kMigrate) {
    if (argc != 4 && argc != 5) return usage("migrate takes a destination and optionally a downtime in ms");
    r.to = argv[3];
    if (argc == 5) {
      const char* t = argv[4];
      auto [end, ec] = std::from_chars(t, t + std::strlen(t), r.downtime_ms);
      if (ec != std::errc() || *end != '\0') return usage("the downtime must be a whole number of milliseconds");
    }
  } else if (argc != 3) {
    return usage((command + " takes no argument").c_str());
  }

  auto reply = call(socket_path, r, kReplyTimeoutMs);
  if (!reply) {
    std::fprintf(stderr, "strata-hv-remote: %s\n", reply.status().message().c_str());
    return 1;
  }
  std::printf("%s\n", reply->c_str());
  return 0;
}
