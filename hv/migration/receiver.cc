#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "hv/migration/address.h"
#include "hv/migration/migration.h"
#include "hv/migration/stream.h"
#include "hv/os_error.h"
#include "hv/vmm.h"

namespace strata::hv::migration {
namespace {

constexpr int kStreamTimeoutMs = 60000;  // a source silent this long is gone

// Waits for the source; SIGINT/SIGTERM (blocked by main) end the wait.
Result<UniqueFd> accept_source(int listener, const Address& a) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  UniqueFd sfd(::signalfd(-1, &mask, SFD_CLOEXEC));
  pollfd fds[2] = {{listener, POLLIN, 0}, {sfd.get(), POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return os_error("poll failed while waiting for the migration source");
    }
    if (fds[1].revents) return Status(StatusCode::kCancelled, "stopped by a signal while waiting for the migration source");
    UniqueFd fd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    if (fd.valid()) return fd;
    if (errno != EINTR && errno != ECONNABORTED) return os_error("cannot accept the migration source on " + a.text);
  }
}

// Everything after the connection: an error is also told to the source,
// which then keeps (or resumes) its guest.
Status take_guest(Vmm& vmm, Channel& ch, bool same_host) {
  auto hello = ch.receive(kStreamTimeoutMs);
  if (!hello) return hello.status();
  if (hello->type != MessageType::kHello) return invalid_argument("migration stream does not start with HELLO");
  auto config_bytes = decode_hello(hello->payload);
  if (!config_bytes) return config_bytes.status();
  auto config = state::decode_guest_config(*config_bytes);
  if (!config) return config.status();

  Result<GuestMemory> mem = internal_error("unset");
  if (same_host) {
    auto m = ch.receive(kStreamTimeoutMs);
    if (!m) return m.status();
    if (m->type != MessageType::kMemfd || !m->fd.valid()) return invalid_argument("same-host migration without the guest's memfd");
    mem = GuestMemory::adopt(std::move(m->fd), config->memory_bytes);
  } else {
    mem = GuestMemory::create(config->memory_bytes);
  }
  if (!mem) return mem.status();
  STRATA_RETURN_IF_ERROR(vmm.build_for(*config, std::move(*mem)));
  STRATA_RETURN_IF_ERROR(ch.send(MessageType::kReady, {}));

  for (;;) {
    auto m = ch.receive(kStreamTimeoutMs);
    if (!m) return m.status();
    if (m->type == MessageType::kPages && !same_host) {
      auto run = decode_pages(m->payload, vmm.memory().size());
      if (!run) return run.status();
      std::memcpy(vmm.memory().host_base() + run->gpa, run->bytes.data(), run->bytes.size());
      continue;
    }
    if (m->type != MessageType::kState) {
      return invalid_argument(std::string("unexpected ") + message_type_name(m->type) + " in the migration stream");
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto s = state::decode_guest_state(m->payload);
    if (!s) return s.status();
    if (s->config.memory_bytes != config->memory_bytes || s->config.vcpus != config->vcpus ||
        s->config.nics.size() != config->nics.size()) {
      return invalid_argument("the migrated state does not match the HELLO's guest");
    }
    STRATA_RETURN_IF_ERROR(vmm.apply_state(*s));
    const uint64_t restore_us =
        uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
    uint8_t payload[8];
    std::memcpy(payload, &restore_us, 8);
    return ch.send(MessageType::kDone, payload);
  }
}

}  // namespace

Status receive_guest(Vmm& vmm, const std::string& from) {
  auto addr = parse_address(from);
  if (!addr) return addr.status().with_context("--incoming");
  auto listener = listen_at(*addr);
  if (!listener) return listener.status();
  vmm.log("waiting for a migration on " + addr->text);
  auto fd = accept_source(listener->get(), *addr);
  if (addr->kind == Address::Kind::kUnix) ::unlink(addr->path.c_str());  // one source only
  listener->reset();
  if (!fd) return fd.status();
  Channel ch(std::move(*fd));
  Status s = take_guest(vmm, ch, addr->kind == Address::Kind::kUnix);
  if (!s.is_ok()) {
    const std::string reason = s.message();
    (void)ch.send(MessageType::kError, {reinterpret_cast<const uint8_t*>(reason.data()), std::min<size_t>(reason.size(), 4000)});
    return s.with_context("incoming migration");
  }
  vmm.log("guest received from " + addr->text);
  return Status::ok();
}

}  // namespace strata::hv::migration
