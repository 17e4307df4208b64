#include "datapath/classifier.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <new>

#include "datapath/flow_hash.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

// Clang announces ThreadSanitizer through __has_feature, g++ through
// __SANITIZE_THREAD__.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRATA_TSAN 1
#endif
#endif
#ifndef STRATA_TSAN
#define STRATA_TSAN 0
#endif

namespace strata::datapath {

namespace {

// ---- Slots -----------------------------------------------------------------
//
// A slot is one 64-bit word: signature << 48 | megaflow pointer. User-space
// pointers on x86-64 and arm64 fit in 48 bits (insert() checks), and packing
// both into one word lets a single atomic store publish a slot, so a reader
// can never pair a signature with the wrong pointer.
constexpr int kSlotsPerBucket = 8;
constexpr uint64_t kPtrMask = (uint64_t{1} << 48) - 1;
constexpr uint64_t kSigMask = ~kPtrMask;
constexpr uint64_t kEmpty = 0;      // never used since the table was built: ends a probe
constexpr uint64_t kTombstone = 1;  // held a flow that was removed: a probe goes on past it

// The signature is the top 16 bits of the hash (the bucket index uses the low
// bits). Zero is reserved so that neither kEmpty nor kTombstone, whose
// signature bits are zero, ever matches.
inline uint64_t sig_bits(uint32_t hash) {
  uint32_t sig = hash >> 16;
  sig += (sig == 0);
  return uint64_t{sig} << 48;
}

inline const Megaflow* slot_flow(uint64_t v) { return reinterpret_cast<const Megaflow*>(v & kPtrMask); }

inline void prefetch(const void* p) { __builtin_prefetch(p, 0, 3); }

struct alignas(64) Bucket {
  std::atomic<uint64_t> slots[kSlotsPerBucket];  // kEmpty, kTombstone or sig|pointer; writer, release
};
static_assert(sizeof(Bucket) == 64);

// A scan of one bucket: which slots carry the wanted signature, and whether
// the bucket has an empty slot (then no entry was displaced past it).
struct BucketScan {
  uint32_t match;  // bit s set: slot s had the signature when scanned
  bool has_empty;  // some slot was kEmpty
};

#if defined(__AVX2__) && !defined(__SANITIZE_THREAD__) && !STRATA_TSAN
// Two 32-byte loads and four compares for the eight slots, instead of eight
// loads and ~50 scalar instructions. The loads are not std::atomic loads:
// they read the slots' bytes directly. On x86 every aligned 8-byte lane of a
// vector load is read whole (each slot before or after a concurrent store,
// never torn), which is all the scan relies on; a matching slot is then
// re-read atomically by candidate() before its pointer is used. Thread
// sanitizer builds take the scalar path so that they check the atomic
// protocol itself.
inline BucketScan scan_bucket(const Bucket& b, uint64_t want) {
  const auto* p = reinterpret_cast<const __m256i*>(&b);
  const __m256i lo = _mm256_load_si256(p);
  const __m256i hi = _mm256_load_si256(p + 1);
  const __m256i sig = _mm256_set1_epi64x(static_cast<long long>(want >> 48));
  const __m256i zero = _mm256_setzero_si256();
  const auto bits = [](__m256i eq) { return static_cast<uint32_t>(_mm256_movemask_pd(_mm256_castsi256_pd(eq))); };
  const uint32_t match = bits(_mm256_cmpeq_epi64(_mm256_srli_epi64(lo, 48), sig)) |
                         bits(_mm256_cmpeq_epi64(_mm256_srli_epi64(hi, 48), sig)) << 4;
  const uint32_t empty = bits(_mm256_cmpeq_epi64(lo, zero)) | bits(_mm256_cmpeq_epi64(hi, zero)) << 4;
  return {match, empty != 0};
}
#else
inline BucketScan scan_bucket(const Bucket& b, uint64_t want) {
  uint32_t match = 0;
  uint32_t empty = 0;
  for (int s = 0; s < kSlotsPerBucket; ++s) {
    const uint64_t v = b.slots[s].load(std::memory_order_relaxed);
    match |= static_cast<uint32_t>((v & kSigMask) == want) << s;
    empty |= static_cast<uint32_t>(v == kEmpty) << s;
  }
  return {match, empty != 0};
}
#endif

// The flow in slot `s` if it still has the wanted signature: the slot may
// have changed since the scan (to a tombstone or another flow), and only the
// value read here, atomically and with acquire, may be dereferenced.
inline const Megaflow* candidate(const Bucket& b, int s, uint64_t want) {
  const uint64_t v = b.slots[s].load(std::memory_order_acquire);
  return (v & kSigMask) == want ? slot_flow(v) : nullptr;
}

// Size of a megaflow with `n_words` masked words.
inline size_t megaflow_bytes(int n_words) {
  return sizeof(Megaflow) + sizeof(uint64_t) * static_cast<size_t>(n_words);
}

void free_megaflow(void* p) {
  static_cast<Megaflow*>(p)->~Megaflow();
  ::operator delete(p);
}

// The lossy add: readers of several PMDs may race and lose an increment,
// which ranking tolerates, in exchange for no locked instruction on the
// fast path.
inline void add_relaxed(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

}  // namespace

// ---- Hash table ------------------------------------------------------------

// A power-of-two array of buckets behind a one-line header. Readers probe
// from the home bucket (hash & bucket_mask) onwards and stop at a bucket with
// an empty slot (entries are placed in the first bucket with room, and slots
// only go from empty to used until the next rebuild) or after max_probe
// buckets, whichever comes first.
struct Classifier::Table {
  uint32_t bucket_mask;              // number of buckets - 1; fixed at creation
  std::atomic<uint32_t> max_probe;   // farthest any entry sits from its home bucket; writer, release
  uint32_t tombstones;               // kTombstone slots; writer only

  Bucket* buckets() { return reinterpret_cast<Bucket*>(reinterpret_cast<char*>(this) + kHeader); }
  const Bucket* buckets() const {
    return reinterpret_cast<const Bucket*>(reinterpret_cast<const char*>(this) + kHeader);
  }
  size_t slots() const { return (size_t{bucket_mask} + 1) * kSlotsPerBucket; }
  size_t bytes() const { return kHeader + (size_t{bucket_mask} + 1) * sizeof(Bucket); }

  static constexpr size_t kHeader = 64;  // keeps the buckets cache-line aligned

  static Table* create(size_t n_buckets) {
    void* mem = ::operator new(kHeader + n_buckets * sizeof(Bucket), std::align_val_t{64}, std::nothrow);
    if (mem == nullptr) return nullptr;
    auto* t = new (mem) Table{static_cast<uint32_t>(n_buckets - 1), {0}, 0};
    for (size_t i = 0; i < n_buckets; ++i) new (&t->buckets()[i]) Bucket{};
    return t;
  }
  static void destroy(void* p) {
    static_cast<Table*>(p)->~Table();
    ::operator delete(p, std::align_val_t{64});
  }

  // Writer: places `slot` for a flow with `hash` in the first free (empty or
  // tombstone) slot from its home bucket on. The caller guarantees room.
  void place(uint64_t slot, uint32_t hash) {
    uint32_t b = hash & bucket_mask;
    for (uint32_t d = 0;; ++d, b = (b + 1) & bucket_mask) {
      Bucket& bucket = buckets()[b];
      for (int s = 0; s < kSlotsPerBucket; ++s) {
        const uint64_t v = bucket.slots[s].load(std::memory_order_relaxed);
        if (v != kEmpty && v != kTombstone) continue;
        if (v == kTombstone) --tombstones;
        // Grow the probe bound before publishing the slot: a reader that
        // starts after this insert reaches it; one racing with it may stop
        // short and miss the new flow, which is allowed.
        if (d > max_probe.load(std::memory_order_relaxed)) max_probe.store(d, std::memory_order_release);
        bucket.slots[s].store(slot, std::memory_order_release);
        return;
      }
    }
  }

  // Writer: the slot holding `flow`, which must be in the table.
  std::atomic<uint64_t>* slot_of(const Megaflow* flow) {
    uint32_t b = flow->hash & bucket_mask;
    for (;; b = (b + 1) & bucket_mask) {
      for (auto& slot : buckets()[b].slots) {
        if (slot_flow(slot.load(std::memory_order_relaxed)) == flow) return &slot;
      }
    }
  }

  // Reader: the live flow matching `key` under the table's mask, or nullptr.
  const Megaflow* probe(const FlowKey& key, uint32_t hash) const {
    const uint64_t want = sig_bits(hash);
    const uint32_t limit = max_probe.load(std::memory_order_acquire);
    uint32_t b = hash & bucket_mask;
    for (uint32_t d = 0; d <= limit; ++d, b = (b + 1) & bucket_mask) {
      const Bucket& bucket = buckets()[b];
      const BucketScan scan = scan_bucket(bucket, want);
      for (uint32_t m = scan.match; m != 0; m &= m - 1) {
        const Megaflow* f = candidate(bucket, std::countr_zero(m), want);
        if (f != nullptr && !f->dead.load(std::memory_order_relaxed) && megaflow_matches(*f, key)) return f;
      }
      if (scan.has_empty) break;
    }
    return nullptr;
  }
};

// ---- Subtables -------------------------------------------------------------

// A subtable: its mask (which megaflows point at), its published hash table,
// and the writer's bookkeeping. The hit counter, written by every PMD, has a
// cache line of its own so it does not evict the mask readers hash with.
struct alignas(64) Classifier::Subtable : SubtableMask {
  std::atomic<Table*> table{nullptr};     // the published hash table; writer, release; readers acquire
  size_t flows = 0;                       // live megaflows in the table; writer only
  uint64_t hits_at_rank = 0;              // `hits` at the previous rank_subtables(); writer only
  uint64_t score = 0;                     // decayed hits per ranking period; writer only
  alignas(64) mutable std::atomic<uint64_t> hits{0};  // lookups answered here; PMDs, relaxed, lossy

  explicit Subtable(const SubtableMask& m) : SubtableMask(m) {}

  static void destroy(void* p) { delete static_cast<Subtable*>(p); }
};

// The subtables in rank order, as readers see them: replaced whole, never
// edited in place, so a reader walks a consistent snapshot.
struct Classifier::SubtableArray {
  uint64_t n;  // number of subtables; fixed at creation (64 bits: keeps the pointers after it aligned)

  Subtable** items() { return reinterpret_cast<Subtable**>(this + 1); }
  Subtable* const* items() const { return reinterpret_cast<Subtable* const*>(this + 1); }
  static size_t bytes(size_t n) { return sizeof(SubtableArray) + n * sizeof(Subtable*); }

  static SubtableArray* create(const std::vector<Subtable*>& order) {
    static_assert(sizeof(SubtableArray) % alignof(Subtable*) == 0, "the pointers after the header must be aligned");
    auto* a = new (::operator new(bytes(order.size()))) SubtableArray{order.size()};
    std::copy(order.begin(), order.end(), a->items());
    return a;
  }
  static void destroy(void* p) { ::operator delete(p); }
};

namespace {

// Buckets for a table holding `flows` at a load of at most one half, so the
// table can take as many again before the next rebuild (at three quarters).
size_t buckets_for(size_t flows) {
  const size_t slots = std::max<size_t>(flows * 2, kSlotsPerBucket);
  return std::bit_ceil((slots + kSlotsPerBucket - 1) / kSlotsPerBucket);
}

}  // namespace

Classifier::Classifier(Reclaimer& reclaimer) : reclaimer_(reclaimer) {
  published_.store(SubtableArray::create(subtables_), std::memory_order_release);
}

Classifier::~Classifier() {
  for (Subtable* s : subtables_) {
    Table* t = s->table.load(std::memory_order_relaxed);
    for (size_t b = 0; b <= t->bucket_mask; ++b) {
      for (auto& slot : t->buckets()[b].slots) {
        const uint64_t v = slot.load(std::memory_order_relaxed);
        if (v != kEmpty && v != kTombstone) free_megaflow(const_cast<Megaflow*>(slot_flow(v)));
      }
    }
    Table::destroy(t);
    Subtable::destroy(s);
  }
  SubtableArray::destroy(published_.load(std::memory_order_relaxed));
}

// ---- Writer ----------------------------------------------------------------

Classifier::Subtable* Classifier::find_subtable(const SubtableMask& mask) const {
  // Linear: subtables number in the tens, and this runs on the control path.
  for (Subtable* s : subtables_) {
    if (static_cast<const SubtableMask&>(*s) == mask) return s;
  }
  return nullptr;
}

Classifier::Subtable* Classifier::create_subtable(const SubtableMask& mask) {
  auto* s = new (std::nothrow) Subtable(mask);
  if (s == nullptr) return nullptr;
  Table* t = Table::create(1);
  if (t == nullptr) {
    delete s;
    return nullptr;
  }
  s->table.store(t, std::memory_order_relaxed);  // published with the subtable array
  return s;
}

void Classifier::publish_order() {
  SubtableArray* fresh = SubtableArray::create(subtables_);
  SubtableArray* old = published_.exchange(fresh, std::memory_order_acq_rel);
  reclaimer_.retire(old, &SubtableArray::destroy);
}

Status Classifier::rebuild(Subtable* s, size_t flows) {
  Table* old = s->table.load(std::memory_order_relaxed);
  Table* fresh = Table::create(buckets_for(flows));
  if (fresh == nullptr) return resource_exhausted("out of memory growing a classifier subtable");
  for (size_t b = 0; b <= old->bucket_mask; ++b) {
    for (auto& slot : old->buckets()[b].slots) {
      const uint64_t v = slot.load(std::memory_order_relaxed);
      if (v != kEmpty && v != kTombstone) fresh->place(v, slot_flow(v)->hash);
    }
  }
  s->table.store(fresh, std::memory_order_release);
  reclaimer_.retire(old, &Table::destroy);
  return Status::ok();
}

Status Classifier::reserve(Subtable* s, size_t flows) {
  const Table* t = s->table.load(std::memory_order_relaxed);
  // Tombstones count as used: only empty slots end a probe.
  if ((flows + t->tombstones) * 4 <= t->slots() * 3) return Status::ok();
  return rebuild(s, flows);
}

Result<Megaflow*> Classifier::insert(const FlowKey& key, const FlowMask& mask, const void* actions) {
  assert(iterating_ == 0 && "insert() from within for_each()");
  const SubtableMask m = SubtableMask::from(mask);
  uint64_t masked[kFlowKeyWords];
  for (int i = 0; i < m.n_words; ++i) masked[i] = key_words(key)[m.word_idx[i]] & m.words[i];
  const uint32_t hash = hash_words(masked, m.n_words);

  Subtable* s = find_subtable(m);
  if (s != nullptr) {
    if (s->table.load(std::memory_order_relaxed)->probe(key, hash) != nullptr) {
      return already_exists("a megaflow with this mask and masked key is already installed");
    }
  }

  const size_t bytes = megaflow_bytes(m.n_words);
  void* mem = ::operator new(bytes, std::nothrow);
  if (mem == nullptr) return resource_exhausted("out of memory for a megaflow");
  if ((reinterpret_cast<uintptr_t>(mem) & kSigMask) != 0) {
    ::operator delete(mem);
    return internal_error("megaflow allocated above 2^48: the classifier's slots cannot hold the pointer");
  }

  const bool new_subtable = s == nullptr;
  if (new_subtable) {
    s = create_subtable(m);
    if (s == nullptr) {
      ::operator delete(mem);
      return resource_exhausted("out of memory for a classifier subtable");
    }
  } else if (Status st = reserve(s, s->flows + 1); !st.is_ok()) {
    ::operator delete(mem);
    return st;
  }

  auto* flow = new (mem) Megaflow{s, {actions}, {0}, {0}, {0}, hash, {false}, {}};
  std::copy(masked, masked + m.n_words, flow->words());
  s->table.load(std::memory_order_relaxed)->place(sig_bits(hash) | reinterpret_cast<uintptr_t>(flow), hash);
  ++s->flows;
  ++size_;
  flow_bytes_ += bytes;
  if (new_subtable) {
    // New subtables start last; rank_subtables() moves them up once they hit.
    subtables_.push_back(s);
    publish_order();
  }
  return flow;
}

void Classifier::remove(Megaflow* flow) {
  auto* s = static_cast<Subtable*>(const_cast<SubtableMask*>(flow->subtable));
  assert(!flow->dead.load(std::memory_order_relaxed) && "remove() of a removed megaflow");
  // Dead first: a reader that still finds the flow treats it as a miss.
  flow->dead.store(true, std::memory_order_release);
  Table* t = s->table.load(std::memory_order_relaxed);
  t->slot_of(flow)->store(kTombstone, std::memory_order_release);
  ++t->tombstones;
  --s->flows;
  --size_;
  flow_bytes_ -= megaflow_bytes(s->n_words);
  reclaimer_.retire(flow, &free_megaflow);
  if (iterating_ == 0) compact(s);
}

// Drops an empty subtable; shrinks a table that has become mostly empty, so
// memory follows the flow count down after a mass expiry.
void Classifier::compact(Subtable* s) {
  if (s->flows == 0) {
    drop_subtable(s);
    return;
  }
  const Table* t = s->table.load(std::memory_order_relaxed);
  if (t->bucket_mask > 0 && s->flows * 8 < t->slots()) {
    // Out of memory here only means the table stays large.
    (void)rebuild(s, s->flows);
  }
}

void Classifier::drop_subtable(Subtable* s) {
  subtables_.erase(std::find(subtables_.begin(), subtables_.end(), s));
  publish_order();
  reclaimer_.retire(s->table.load(std::memory_order_relaxed), &Table::destroy);
  reclaimer_.retire(s, &Subtable::destroy);
}

Megaflow* Classifier::find_exact(const FlowKey& key, const FlowMask& mask) const {
  const Subtable* s = find_subtable(SubtableMask::from(mask));
  if (s == nullptr) return nullptr;
  const uint32_t hash = hash_masked_key(key, s->word_idx, s->words, s->n_words);
  // The writer owns every megaflow; readers get const views of the same.
  return const_cast<Megaflow*>(s->table.load(std::memory_order_relaxed)->probe(key, hash));
}

void Classifier::for_each_impl(void (*cb)(void* ctx, Megaflow& flow), void* ctx) {
  ++iterating_;
  // Subtables are neither added (no insert) nor dropped (clean-up waits)
  // during the walk, and tables are not rebuilt, so plain iteration is safe.
  for (Subtable* s : subtables_) {
    Table* t = s->table.load(std::memory_order_relaxed);
    for (size_t b = 0; b <= t->bucket_mask; ++b) {
      for (auto& slot : t->buckets()[b].slots) {
        const uint64_t v = slot.load(std::memory_order_relaxed);
        if (v != kEmpty && v != kTombstone) cb(ctx, *const_cast<Megaflow*>(slot_flow(v)));
      }
    }
  }
  if (--iterating_ > 0) return;
  // Copy: compact() may drop subtables from subtables_.
  const std::vector<Subtable*> all = subtables_;
  for (Subtable* s : all) compact(s);
}

void Classifier::rank_subtables() {
  for (Subtable* s : subtables_) {
    const uint64_t hits = s->hits.load(std::memory_order_relaxed);
    // Halve the old score each period: recent traffic decides the order.
    s->score = s->score / 2 + (hits - s->hits_at_rank);
    s->hits_at_rank = hits;
  }
  std::vector<Subtable*> order = subtables_;
  std::stable_sort(order.begin(), order.end(), [](const Subtable* a, const Subtable* b) { return a->score > b->score; });
  if (order == subtables_) return;
  subtables_ = std::move(order);
  publish_order();
}

size_t Classifier::memory_bytes() const {
  size_t bytes = flow_bytes_ + SubtableArray::bytes(subtables_.size());
  for (const Subtable* s : subtables_) bytes += sizeof(Subtable) + s->table.load(std::memory_order_relaxed)->bytes();
  return bytes;
}

std::vector<Classifier::SubtableInfo> Classifier::subtables() const {
  std::vector<SubtableInfo> out;
  out.reserve(subtables_.size());
  for (const Subtable* s : subtables_) out.push_back({s->expand(), s->flows, s->hits.load(std::memory_order_relaxed)});
  return out;
}

// ---- Readers ---------------------------------------------------------------

const Megaflow* Classifier::lookup(const FlowKey& key) const {
  const SubtableArray* subtables = published_.load(std::memory_order_acquire);
  for (uint64_t i = 0; i < subtables->n; ++i) {
    const Subtable* s = subtables->items()[i];
    const Table* t = s->table.load(std::memory_order_acquire);
    const uint32_t hash = hash_masked_key(key, s->word_idx, s->words, s->n_words);
    if (const Megaflow* f = t->probe(key, hash)) {
      add_relaxed(s->hits, 1);
      return f;
    }
  }
  return nullptr;
}

void Classifier::lookup_batch(const FlowKey* const* keys, int n, const Megaflow** out) const {
  // Chunks of 64 so that a 64-bit mask tracks which keys are still unmatched.
  for (int base = 0; base < n; base += 64) lookup_chunk(keys + base, std::min(64, n - base), out + base);
}

namespace {

// `key` matches a flow of the subtable with mask `m` (the flow's own mask),
// for a word count known at compile time (kWords > 0) or not (0).
template <int kWords>
inline bool matches_under(const SubtableMask& m, const Megaflow& f, const FlowKey& key) {
  const int n = kWords > 0 ? kWords : m.n_words;
  const KeyWord* k = key_words(key);
  uint64_t diff = 0;
  for (int i = 0; i < n; ++i) diff |= (k[m.word_idx[i]] & m.words[i]) ^ f.words()[i];
  return diff == 0;
}

}  // namespace

// One subtable's share of a batch: the keys in `todo`, three passes so that
// the memory latencies of all keys overlap. kWords > 0 is the subtable's
// word count fixed at compile time, which unrolls the hash and the compare
// (the common 1-5 word masks); 0 reads it at run time. Returns the keys hit.
template <int kWords>
uint64_t Classifier::search_subtable(const Subtable& s, const FlowKey* const* keys, uint64_t todo,
                                     const Megaflow** out) const {
  const int n_words = kWords > 0 ? kWords : s.n_words;
  const Table* t = s.table.load(std::memory_order_acquire);
  const Bucket* buckets = t->buckets();
  uint32_t hashes[64];
  const Megaflow* first[64];  // per key: the first signature match in its home bucket
  bool needs_probe[64];       // per key: the first candidate is not the whole answer

  // Stage 1: hash every unmatched key, prefetch its home bucket.
  for (uint64_t m = todo; m != 0; m &= m - 1) {
    const int k = std::countr_zero(m);
    hashes[k] = hash_masked_key(*keys[k], s.word_idx, s.words, n_words);
    prefetch(&buckets[hashes[k] & t->bucket_mask]);
  }
  // Stage 2: scan signatures, prefetch the first candidate megaflow.
  for (uint64_t m = todo; m != 0; m &= m - 1) {
    const int k = std::countr_zero(m);
    const Bucket& bucket = buckets[hashes[k] & t->bucket_mask];
    const uint64_t want = sig_bits(hashes[k]);
    const BucketScan scan = scan_bucket(bucket, want);
    first[k] = nullptr;
    if (scan.match != 0) {
      first[k] = candidate(bucket, std::countr_zero(scan.match), want);
      prefetch(first[k]);
    }
    // A full home bucket, or a second signature match in it (rare), sends
    // the key to the full probe below if the first candidate fails.
    needs_probe[k] = !scan.has_empty || (scan.match & (scan.match - 1)) != 0;
  }
  // Stage 3: compare; the full probe only for the rare leftovers.
  uint64_t hit = 0;
  for (uint64_t m = todo; m != 0; m &= m - 1) {
    const int k = std::countr_zero(m);
    const Megaflow* f = first[k];
    if (f == nullptr || f->dead.load(std::memory_order_relaxed) || !matches_under<kWords>(s, *f, *keys[k])) {
      f = needs_probe[k] ? t->probe(*keys[k], hashes[k]) : nullptr;
    }
    if (f != nullptr) {
      out[k] = f;
      hit |= uint64_t{1} << k;
    }
  }
  if (hit != 0) add_relaxed(s.hits, static_cast<uint64_t>(std::popcount(hit)));
  return hit;
}

void Classifier::lookup_chunk(const FlowKey* const* keys, int n, const Megaflow** out) const {
  uint64_t todo = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
  std::fill(out, out + n, nullptr);
  const SubtableArray* subtables = published_.load(std::memory_order_acquire);
  for (uint64_t i = 0; i < subtables->n && todo != 0; ++i) {
    const Subtable& s = *subtables->items()[i];
    uint64_t hit;
    switch (s.n_words) {
      case 1: hit = search_subtable<1>(s, keys, todo, out); break;
      case 2: hit = search_subtable<2>(s, keys, todo, out); break;
      case 3: hit = search_subtable<3>(s, keys, todo, out); break;
      case 4: hit = search_subtable<4>(s, keys, todo, out); break;
      case 5: hit = search_subtable<5>(s, keys, todo, out); break;
      default: hit = search_subtable<0>(s, keys, todo, out); break;
    }
    todo &= ~hit;
  }
}

}  // namespace strata::datapath
