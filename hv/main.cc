// strata-hv: one KVM guest per process, its NICs on a Strata switch over
// vhost-user. See hv/README.md and DESIGN.md for the command contract.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "base/version.h"
#include "hv/options.h"
#include "hv/vmm.h"

int main(int argc, char** argv) {
  auto start = std::chrono::steady_clock::now();
  auto cl = strata::hv::parse_command_line(argc, argv);
  if (!cl) {
    std::fprintf(stderr, "strata-hv: %s (see --help)\n", cl.status().message().c_str());
    return 2;
  }
  if (cl->version) {
    std::printf("strata-hv %s\n", strata::version());
    return 0;
  }
  if (cl->help) {
    std::printf("%s", cl->usage.c_str());
    return 0;
  }
  // SIGINT/SIGTERM are read from signalfds (the migration receiver's wait,
  // then the main loop), never delivered: blocked before any thread exists,
  // so every thread inherits the mask.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  auto vmm = strata::hv::Vmm::create(cl->options, start);
  if (!vmm) {
    std::fprintf(stderr, "strata-hv: %s\n", vmm.status().message().c_str());
    return 1;
  }
  const int code = (*vmm)->run();
  // The last line, always: a supervisor that adopted this process (and so
  // cannot waitpid for it) reads its end from here (base/hv_exit.h).
  std::fprintf(stderr, "strata-hv: exit status %d\n", code);
  return code;
}
