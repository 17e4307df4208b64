// A snapshot on disk: a directory holding `memory` (guest RAM, byte for
// byte, with holes where pages are zero) and `state` (the GuestState
// encoding). `state` is written last and renamed into place, so a
// directory without it is an unfinished snapshot, never a torn one; an
// existing snapshot is never overwritten.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/status.h"
#include "hv/guest_memory.h"
#include "hv/state/guest_state.h"

namespace strata::hv::state {

constexpr const char* kMemoryFile = "memory";
constexpr const char* kStateFile = "state";

struct SnapshotFigures {
  uint64_t memory_bytes = 0;  // guest RAM
  uint64_t data_bytes = 0;    // of it, nonzero pages actually written
  uint64_t state_bytes = 0;   // the state file
};

// Creates `dir` if needed; refuses one that already holds a snapshot.
Result<SnapshotFigures> write_snapshot(const std::string& dir, const GuestMemory& mem, const GuestState& state);
// The decoded state, or why the directory is not a usable snapshot.
Result<GuestState> read_snapshot_state(const std::string& dir);
// Fills `mem` (of the snapshot's size) from `dir`'s memory file; returns
// the bytes copied (holes are left as the memfd's zeros).
Result<uint64_t> read_snapshot_memory(const std::string& dir, GuestMemory& mem);
// Reads a whole file of at most `max` bytes.
Result<std::vector<uint8_t>> read_small_file(const std::string& path, uint64_t max);

}  // namespace strata::hv::state
