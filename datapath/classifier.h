// The shared megaflow classifier: tuple-space search over masks.
//
// Megaflows with the same mask live in one subtable, a hash table keyed by
// the masked key; a lookup hashes the packet's key under each subtable's mask
// in turn and stops at the first hit. A subtable records which of the 16 key
// words its mask uses and hashes and compares only those. Subtables are
// searched in rank order (most hits first), re-ranked by rank_subtables().
// The slow path installs non-overlapping megaflows, so which subtable answers
// first never changes the result; rank only changes how fast it comes.
//
// Concurrency: one writer, the control thread, calls every non-const method.
// Any number of readers, the PMD threads, call lookup() / lookup_batch()
// between quiescent points and never lock or wait. The writer builds every
// object completely and publishes it with a release store; it never frees
// what a reader may hold: removed megaflows, replaced hash tables and
// replaced subtable arrays go to the Reclaimer (reclaimer.h). A reader racing
// with an insert may miss the new megaflow (it then upcalls, which is
// harmless); a reader racing with a remove may still get the flow until it
// sees `dead`; a reader never sees a half-built object or freed memory.
//
// Per-subtable hash table: open addressing over 64-byte buckets of eight
// 8-byte slots, each slot holding a 16-bit signature and a 48-bit megaflow
// pointer together, so one atomic store publishes both and one cache line
// holds eight candidates. Removal leaves a tombstone; a table grows (or is
// cleaned of tombstones, or shrinks) by building a new table and publishing
// it. See classifier.cc.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "base/status.h"
#include "datapath/flow_key.h"
#include "datapath/megaflow.h"
#include "datapath/reclaimer.h"

namespace strata::datapath {

class Classifier {
 public:
  // What a subtable holds, for dumps and tests (writer side).
  struct SubtableInfo {
    FlowMask mask;  // the subtable's mask
    size_t flows;   // megaflows in it
    uint64_t hits;  // lookups it answered since creation (approximate)
  };

  // `reclaimer` frees what the classifier retires; it must outlive every
  // object retired to it, not necessarily the classifier.
  explicit Classifier(Reclaimer& reclaimer);
  // Frees every live object at once: no reader may run any more.
  ~Classifier();
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;

  // ---- Writer (control thread) ----

  // Installs a megaflow matching `key` under `mask` (the key is masked here).
  // ALREADY_EXISTS when one with the same mask and masked key is installed;
  // RESOURCE_EXHAUSTED when memory runs out. Must not be called from within
  // for_each().
  Result<Megaflow*> insert(const FlowKey& key, const FlowMask& mask, const void* actions);

  // Marks `flow` dead, unlinks it and retires it. `flow` must be live and
  // belong to this classifier. Safe from within for_each().
  void remove(Megaflow* flow);

  // The live megaflow with exactly this mask and masked key, or nullptr.
  Megaflow* find_exact(const FlowKey& key, const FlowMask& mask) const;

  // Replaces the actions of a live flow (release store): a reader sees
  // either the old or the new list; the caller retires the old one.
  static void set_actions(Megaflow* flow, const void* actions) {
    flow->actions.store(actions, std::memory_order_release);
  }

  // Calls fn(Megaflow&) for every live megaflow, for dumps and expiry. `fn`
  // may remove() the flow it is given (or any other); structural clean-up
  // (shrinking tables, dropping empty subtables) waits until the walk ends.
  template <typename Fn>
  void for_each(Fn&& fn) {
    using F = std::remove_reference_t<Fn>;
    for_each_impl([](void* ctx, Megaflow& flow) { (*static_cast<F*>(ctx))(flow); }, &fn);
  }

  // Re-sorts the subtables by hits since the previous call (with decay, so a
  // burst long ago fades) and publishes the new order. Call periodically.
  void rank_subtables();

  size_t size() const { return size_; }                    // live megaflows
  size_t subtable_count() const { return subtables_.size(); }
  // Bytes the classifier holds now: megaflows, hash tables, subtables, the
  // published array (the allocator's own per-block overhead excluded).
  size_t memory_bytes() const;
  // The subtables in the order readers search them.
  std::vector<SubtableInfo> subtables() const;

  // ---- Readers (PMD threads, lock-free) ----

  // The megaflow matching `key`, or nullptr. Skips dead megaflows.
  const Megaflow* lookup(const FlowKey& key) const;

  // out[i] = lookup(*keys[i]) for i in [0, n), searched subtable by subtable
  // over the whole batch: per subtable, hash every still-unmatched key and
  // prefetch its bucket, then scan signatures and prefetch candidates, then
  // compare, so the memory latencies of a batch overlap.
  void lookup_batch(const FlowKey* const* keys, int n, const Megaflow** out) const;

 private:
  struct Table;
  struct Subtable;
  struct SubtableArray;

  void lookup_chunk(const FlowKey* const* keys, int n, const Megaflow** out) const;
  template <int kWords>
  uint64_t search_subtable(const Subtable& s, const FlowKey* const* keys, uint64_t todo,
                           const Megaflow** out) const;
  void for_each_impl(void (*cb)(void* ctx, Megaflow& flow), void* ctx);

  Subtable* find_subtable(const SubtableMask& mask) const;
  Subtable* create_subtable(const SubtableMask& mask);
  Status reserve(Subtable* s, size_t flows);
  Status rebuild(Subtable* s, size_t flows);
  void compact(Subtable* s);
  void drop_subtable(Subtable* s);
  void publish_order();

  Reclaimer& reclaimer_;                        // frees what the writer retires
  std::atomic<SubtableArray*> published_;       // subtables in rank order; writer, release; readers acquire
  std::vector<Subtable*> subtables_;            // the same subtables in the same order; writer only
  size_t size_ = 0;                             // live megaflows; writer only
  size_t flow_bytes_ = 0;                       // bytes of live megaflows; writer only
  int iterating_ = 0;                           // for_each depth; clean-up waits while > 0; writer only
};

}  // namespace strata::datapath
