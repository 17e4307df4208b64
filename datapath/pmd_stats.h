// Per-PMD counters and cycle accounting by stage, like OVS's
// pmd-perf-show and VPP's `show runtime`: where each packet's cycles go.
#pragma once

#include <atomic>
#include <cstdint>

namespace strata::datapath {

enum PmdStage : int { kStageRx, kStageParse, kStageLookup, kStageActions, kStageTx, kStageIdle, kStageCount };

inline const char* pmd_stage_name(int s) {
  static const char* const names[kStageCount] = {"rx", "parse", "lookup", "actions", "tx", "idle"};
  return names[s];
}

// Written only by its PMD (relaxed, no lock), read by the control thread.
struct alignas(64) PmdStats {
  std::atomic<uint64_t> cycles[kStageCount];  // TSC cycles spent per stage
  std::atomic<uint64_t> packets{0};           // frames received
  std::atomic<uint64_t> iterations{0};        // loop iterations
  std::atomic<uint64_t> emc_hits{0};          // found in the exact-match cache
  std::atomic<uint64_t> batch_hits{0};        // same key as the previous frame of the burst
  std::atomic<uint64_t> megaflow_hits{0};     // found in the classifier
  std::atomic<uint64_t> misses{0};            // went to the slow path
  std::atomic<uint64_t> sleeps{0};            // idle back-off sleeps taken

  PmdStats() {
    for (auto& c : cycles) c.store(0, std::memory_order_relaxed);
  }
  // One writer: a plain add, no locked instruction.
  static void add(std::atomic<uint64_t>& c, uint64_t v) {
    c.store(c.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
  }
};

// A copy for reporting.
struct PmdStatsSnapshot {
  unsigned pmd = 0;                 // PMD index
  unsigned cpu = 0;                 // CPU it runs on
  uint64_t cycles[kStageCount]{};   // per stage
  uint64_t packets = 0, iterations = 0, emc_hits = 0, batch_hits = 0, megaflow_hits = 0, misses = 0, sleeps = 0;
  uint64_t tsc_hz = 0;              // to turn cycles into time
  unsigned rxqs = 0;                // queues it polls
};

}  // namespace strata::datapath
