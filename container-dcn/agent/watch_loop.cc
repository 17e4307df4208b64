#include "container-dcn/agent/watch_loop.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "container-dcn/agent/stratad_source.h"

namespace strata::dcn_agent {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long>(seconds * 1000));
}

// What the stream thread hands to the converging thread.
struct Shared {
  std::mutex mutex;
  std::condition_variable changed;
  bool stop = false;                                 // SIGTERM/SIGINT seen
  std::optional<std::vector<ContainerSpec>> latest;  // stratad's last answer, if any yet
  bool fresh = false;                                // `latest` not converged to yet
};

void log_line(std::ostream& log, const std::string& line) {
  log << "strata-dcn-agent: " << line << std::endl;
}

void publish(Shared& shared, std::vector<ContainerSpec> specs) {
  std::lock_guard<std::mutex> lock(shared.mutex);
  shared.latest = std::move(specs);
  shared.fresh = true;
  shared.changed.notify_all();
}

// Returns false when stopped while waiting.
bool pause(Shared& shared, double seconds) {
  std::unique_lock<std::mutex> lock(shared.mutex);
  return !shared.changed.wait_for(lock, ms(seconds), [&] { return shared.stop; });
}

// The stream thread: watch, and on its end say why once, wait, watch again.
void follow_stratad(StratadSource& source, const std::string& dcn, const WatchSettings& settings, Shared& shared,
                    std::ostream& log, std::mutex& log_mutex) {
  std::string last_problem;
  auto report = [&](const std::string& problem) {
    if (problem == last_problem) return;
    last_problem = problem;
    std::lock_guard<std::mutex> lock(log_mutex);
    log_line(log, problem);
  };
  bool polling = false;  // this stratad has no WatchContainers
  while (true) {
    {
      std::lock_guard<std::mutex> lock(shared.mutex);
      if (shared.stop) return;
    }
    Status st;
    if (!polling) {
      st = source.watch(dcn, [&](std::vector<ContainerSpec> specs) {
        report("following DCN '" + dcn + "' on stratad at " + settings.mgmt + " (" + std::to_string(specs.size()) +
               " container(s))");
        publish(shared, std::move(specs));
      });
      if (st.code() == StatusCode::kUnimplemented) {
        polling = true;
        continue;
      }
    } else {
      auto specs = source.list(dcn);
      if (specs) {
        report("polling DCN '" + dcn + "' on stratad at " + settings.mgmt);
        publish(shared, std::move(*specs));
      }
      st = specs.status();
    }
    if (st.code() == StatusCode::kCancelled) return;
    if (st.code() == StatusCode::kNotFound) {
      // The DCN was removed (or is not made yet): it has no containers.
      report(st.message() + ": DCN '" + dcn + "' has no containers here");
      publish(shared, {});
    } else if (!st.is_ok()) {
      report(st.message() + " (containers stay as they are; retrying)");
    }
    if (!pause(shared, settings.retry_s)) return;
  }
}

}  // namespace

int run_watch(Agent& agent, const WatchSettings& settings, std::ostream& log) {
  // SIGTERM and SIGINT are taken by a thread of their own (sigwait), so
  // they can cancel the stream. Blocked before anything starts a thread
  // (gRPC's own threads included): a thread that had them unblocked would
  // take the signal's default action and end the process mid-change.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto source = StratadSource::connect(settings.mgmt);
  if (!source) {
    log_line(log, source.status().message());
    return 1;
  }
  Shared shared;
  std::mutex log_mutex;
  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    {
      std::lock_guard<std::mutex> lock(shared.mutex);
      shared.stop = true;
      shared.changed.notify_all();
    }
    (*source)->cancel();
  });
  std::thread stream_thread(
      [&] { follow_stratad(**source, agent.settings().dcn, settings, shared, log, log_mutex); });

  {
    std::lock_guard<std::mutex> lock(log_mutex);
    log_line(log, "watching DCN '" + agent.settings().dcn + "' (NIC " + agent.settings().nic + ", " +
                      mechanism_name(agent.settings().mechanism) + " tagging) on stratad at " + settings.mgmt);
  }
  Clock::time_point next_resync = Clock::now() + ms(settings.resync_s);
  while (true) {
    std::vector<ContainerSpec> desired;
    {
      std::unique_lock<std::mutex> lock(shared.mutex);
      shared.changed.wait_until(lock, next_resync, [&] { return shared.stop || shared.fresh; });
      if (shared.stop) break;
      if (!shared.latest) {  // nothing heard from stratad yet: nothing to converge to
        next_resync = Clock::now() + ms(settings.resync_s);
        continue;
      }
      desired = *shared.latest;
      shared.fresh = false;
    }
    next_resync = Clock::now() + ms(settings.resync_s);
    auto report = agent.converge(desired);
    std::lock_guard<std::mutex> lock(log_mutex);
    if (!report) {
      log_line(log, "error: " + report.status().message());
      continue;
    }
    for (const auto& netns : report->removed) log_line(log, "removed " + netns);
    for (const auto& created : report->created) log_line(log, "created " + created);
    for (const auto& why : report->skipped) log_line(log, "skipped " + why);
    if (report->tagging_synced && report->removed.empty() && report->created.empty()) {
      log_line(log, "tagging reloaded from the containers that exist");
    }
  }
  // The signal thread has returned (it set stop); the stream is cancelled.
  signal_thread.join();
  stream_thread.join();
  log_line(log, "stopped");
  return 0;
}

}  // namespace strata::dcn_agent
