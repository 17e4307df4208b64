#include <chrono>
#include <cstring>

#include "hv/migration/address.h"
#include "hv/migration/dirty_log.h"
#include "hv/migration/migration.h"
#include "hv/migration/stream.h"
#include "hv/vmm.h"

namespace strata::hv::migration {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

constexpr int kConnectTimeoutMs = 5000;
constexpr int kReplyTimeoutMs = 60000;  // the destination connects its NICs and builds its VM meanwhile
constexpr uint32_t kMaxRounds = 30;     // then stop iterating whatever is left (a guest dirtying faster than the link)

bool page_is_zero(const uint8_t* p) {
  uint64_t acc = 0;
  for (uint64_t i = 0; i < kPageBytes; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc |= w;
  }
  return acc == 0;
}

// Sends the pages whose bits are set in `bitmap` (all pages if it is
// empty, then skipping zero pages: the destination's memory starts zero),
// in runs of contiguous pages. Returns the bytes sent.
Result<uint64_t> send_pages(Channel& ch, const GuestMemory& mem, const std::vector<uint64_t>& bitmap) {
  const uint64_t pages = mem.size() / kPageBytes;
  const bool all = bitmap.empty();
  auto wanted = [&](uint64_t p) {
    if (all) return !page_is_zero(mem.host_base() + p * kPageBytes);
    return ((bitmap[p / 64] >> (p % 64)) & 1) != 0;
  };
  uint64_t sent = 0;
  for (uint64_t p = 0; p < pages;) {
    if (!all && bitmap[p / 64] == 0) {
      p = (p / 64 + 1) * 64;
      continue;
    }
    if (!wanted(p)) {
      ++p;
      continue;
    }
    uint64_t end = p + 1;
    while (end < pages && (end - p) * kPageBytes < kMaxPagesPayload && wanted(end)) ++end;
    const uint64_t bytes = (end - p) * kPageBytes;
    STRATA_RETURN_IF_ERROR(ch.send_pages(p * kPageBytes, mem.host_base() + p * kPageBytes, bytes));
    sent += bytes;
    p = end;
  }
  return sent;
}

uint64_t count_pages(const std::vector<uint64_t>& bitmap) {
  uint64_t n = 0;
  for (uint64_t w : bitmap) n += uint64_t(__builtin_popcountll(w));
  return n;
}

Status expect(Channel& ch, MessageType want, Message* out = nullptr) {
  auto m = ch.receive(kReplyTimeoutMs);
  if (!m) return m.status();
  if (m->type != want) {
    return invalid_argument(std::string("migration destination sent ") + message_type_name(m->type) + " where " +
                            message_type_name(want) + " was due");
  }
  if (out) *out = std::move(*m);
  return Status::ok();
}

}  // namespace

std::map<std::string, control::ReplyValue> report_fields(const Report& r) {
  return {{"transport", r.transport},     {"rounds", uint64_t(r.rounds)},   {"bytes_sent", r.bytes_sent},
          {"final_bytes", r.final_bytes}, {"setup_ms", r.setup_ms},         {"downtime_ms", r.downtime_ms},
          {"restore_ms", r.restore_ms},   {"total_ms", r.total_ms}};
}

Result<Report> send_guest(Vmm& vmm, const std::string& to, uint32_t downtime_ms) {
  const auto t0 = Clock::now();
  auto addr = parse_address(to);
  if (!addr) return addr.status();
  Report report;
  const bool same_host = addr->kind == Address::Kind::kUnix;
  report.transport = same_host ? "unix" : "tcp";
  auto fd = connect_to(*addr, kConnectTimeoutMs);
  if (!fd) return fd.status();
  Channel ch(std::move(*fd));

  STRATA_RETURN_IF_ERROR(ch.send(MessageType::kHello, encode_hello(state::encode_guest_config(vmm.config()))));
  if (same_host) STRATA_RETURN_IF_ERROR(ch.send(MessageType::kMemfd, {}, vmm.memory().fd()));
  STRATA_RETURN_IF_ERROR(expect(ch, MessageType::kReady));
  report.setup_ms = ms_since(t0);

  // Pre-copy (tcp only). Everything up to the hand-over of the state can
  // fail and leave the guest as it was: logging is stopped by the
  // DirtyLog's destructor, a pause of ours is undone below.
  std::optional<DirtyLog> log;
  std::vector<uint64_t> dirty;
  if (!same_host) {
    auto l = DirtyLog::start(vmm);
    if (!l) return l.status();
    log.emplace(std::move(*l));
    auto copy_start = Clock::now();
    auto sent = send_pages(ch, vmm.memory(), {});
    if (!sent) return sent.status();
    report.bytes_sent += *sent;
    for (;;) {
      STRATA_RETURN_IF_ERROR(log->collect(dirty));
      ++report.rounds;
      const double elapsed_s = std::max(1e-3, ms_since(copy_start) / 1000);
      const double bytes_per_s = double(report.bytes_sent) / elapsed_s;
      const double left_ms = double(count_pages(dirty) * kPageBytes) / bytes_per_s * 1000;
      if (left_ms <= downtime_ms || report.rounds >= kMaxRounds) break;
      auto more = send_pages(ch, vmm.memory(), dirty);
      if (!more) return more.status();
      report.bytes_sent += *more;
    }
  }

  const bool was_paused = vmm.paused();
  const auto t_pause = Clock::now();
  STRATA_RETURN_IF_ERROR(vmm.pause());
  auto undo = [&](const Status& s) {
    if (!was_paused) (void)vmm.resume();
    return s;
  };
  if (log) {
    // The last round's pages, which the loop left unsent when it decided
    // they fit the downtime, plus those dirtied since, the backend's last
    // frames included (its rings are stopped now).
    std::vector<uint64_t> since;
    Status s = log->collect(since);
    if (!s.is_ok()) return undo(s);
    for (size_t i = 0; i < dirty.size() && i < since.size(); ++i) dirty[i] |= since[i];
    log->stop();
    auto last = send_pages(ch, vmm.memory(), dirty);
    if (!last) return undo(last.status());
    report.final_bytes = *last;
    report.bytes_sent += *last;
  }
  auto state = vmm.save_state();
  if (!state) return undo(state.status());
  Status sent = ch.send(MessageType::kState, state::encode_guest_state(*state));
  if (!sent.is_ok()) return undo(sent);

  // From here the destination may be running the guest: never resume.
  Message done;
  Status answered = expect(ch, MessageType::kDone, &done);
  if (!answered.is_ok()) {
    if (answered.code() == StatusCode::kFailedPrecondition) return undo(answered);  // it refused the state: ours again
    return Status(answered.code(), answered.message() +
                                       "; the state was handed over, so the guest stays paused here (resume it if the "
                                       "destination does not run it)");
  }
  report.downtime_ms = ms_since(t_pause);
  report.total_ms = ms_since(t0);
  if (done.payload.size() == 8) {
    uint64_t restore_us = 0;
    std::memcpy(&restore_us, done.payload.data(), 8);
    report.restore_ms = double(restore_us) / 1000;
  }
  char line[200];
  std::snprintf(line, sizeof line, "migrated to %s (%s): %u rounds, %llu KiB, downtime %.1f ms, total %.1f ms", to.c_str(),
                report.transport.c_str(), report.rounds, static_cast<unsigned long long>(report.bytes_sent >> 10),
                report.downtime_ms, report.total_ms);
  vmm.request_stop({GuestStop::Kind::kMigrated, 0, line});
  return report;
}

}  // namespace strata::hv::migration
