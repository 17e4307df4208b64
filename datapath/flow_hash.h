// Hashes of flow keys for the two caches of the fast path:
//  - flow_hash(): the whole 16-word key, for the per-PMD exact-match cache;
//  - hash_masked_key() / hash_words(): only the words a subtable's mask uses,
//    under that mask, for the megaflow classifier. Both give the same value
//    for a key and for the megaflow's stored masked words, so the writer
//    hashes the stored words and a reader the packet's key.
//
// Why CRC32C lanes and a multiply to finish: SSE4.2's crc32 instruction
// folds 8 bytes per instruction with a 3-cycle latency and a throughput of
// one per cycle. One chain over 16 words would be latency-bound (~48
// cycles); four independent chains (lanes) over interleaved words keep the
// unit busy and finish in ~12 cycles. The lanes must not be merged by more
// CRC steps: CRC is linear, and CRC-merging lanes lines their bit positions
// up so that a flip in one lane cancels against a shifted flip in another.
// Instead each pair of lanes is packed into 64 bits and multiplied by an odd
// constant (a bijection, and not linear over bits), and one last CRC step
// spreads the result over all 32 output bits: ~8 more cycles, ~20 in all,
// about 6-7 ns per full key. The masked hash uses two lanes the same way.
//
// The build uses -march=native; a build without SSE4.2 gets a multiply-xor
// step with the same structure (slower, same interface).
#pragma once

#include <cstdint>

#include "datapath/flow_key.h"

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif
#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

namespace strata::datapath {

// The 16 words of a key, read or written as words. FlowKey::words() casts
// the key to uint64_t*, and reading fields written as uint16_t/uint32_t
// through that pointer breaks the aliasing rules: g++ -O3 then reorders the
// field stores after the word loads and hashes stale words. A may_alias type
// makes the word view legal; all datapath code goes through key_words().
typedef uint64_t __attribute__((__may_alias__)) KeyWord;
inline const KeyWord* key_words(const FlowKey& key) { return reinterpret_cast<const KeyWord*>(&key); }
inline KeyWord* key_words(FlowKey& key) { return reinterpret_cast<KeyWord*>(&key); }

// True when two keys are equal in every word: the PMD's test for "this
// frame belongs to the previous frame's flow". Two 64-byte compares with
// AVX-512, four 32-byte ones with AVX2 (keys are 64-byte aligned); g++ does
// not vectorise the word loop by itself, and memcmp is a library call.
inline bool flow_keys_equal(const FlowKey& a, const FlowKey& b) {
#if defined(__AVX512F__)
  const __m512i* x = reinterpret_cast<const __m512i*>(&a);
  const __m512i* y = reinterpret_cast<const __m512i*>(&b);
  return (_mm512_cmpneq_epi64_mask(_mm512_load_si512(x), _mm512_load_si512(y)) |
          _mm512_cmpneq_epi64_mask(_mm512_load_si512(x + 1), _mm512_load_si512(y + 1))) == 0;
#elif defined(__AVX2__)
  const __m256i* x = reinterpret_cast<const __m256i*>(&a);
  const __m256i* y = reinterpret_cast<const __m256i*>(&b);
  const __m256i d = _mm256_or_si256(
      _mm256_or_si256(_mm256_xor_si256(_mm256_load_si256(x), _mm256_load_si256(y)),
                      _mm256_xor_si256(_mm256_load_si256(x + 1), _mm256_load_si256(y + 1))),
      _mm256_or_si256(_mm256_xor_si256(_mm256_load_si256(x + 2), _mm256_load_si256(y + 2)),
                      _mm256_xor_si256(_mm256_load_si256(x + 3), _mm256_load_si256(y + 3))));
  return _mm256_testz_si256(d, d) != 0;
#else
  const KeyWord* x = key_words(a);
  const KeyWord* y = key_words(b);
  uint64_t diff = 0;
  for (int i = 0; i < kFlowKeyWords; ++i) diff |= x[i] ^ y[i];
  return diff == 0;
#endif
}

namespace hash_detail {

// Distinct starting values per lane, so that equal words in different lanes
// do not cancel out when the lanes are combined.
inline constexpr uint32_t kLaneSeed[4] = {0x9e3779b9u, 0x85ebca6bu, 0xc2b2ae35u, 0x27d4eb2fu};

// One step of a lane: fold 8 bytes into a 32-bit state.
inline uint32_t step(uint32_t state, uint64_t word) {
#if defined(__SSE4_2__)
  return static_cast<uint32_t>(_mm_crc32_u64(state, word));
#else
  // Multiply-xor: the high half of a 64x64 product depends on every bit of
  // both operands.
  const unsigned __int128 p = static_cast<unsigned __int128>(word ^ state) * 0x9e3779b97f4a7c15ull;
  return static_cast<uint32_t>((p >> 64) ^ p);
#endif
}

// Merges four lane states into the hash (see the header comment for why a
// multiply and not a CRC step).
inline uint32_t finish(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  const uint64_t ab = ((uint64_t{a} << 32) | b) * 0x9e3779b97f4a7c15ull;
  const uint64_t cd = ((uint64_t{c} << 32) | d) * 0xc2b2ae3d27d4eb4full;
  return step(kLaneSeed[3], ab ^ cd);
}

}  // namespace hash_detail

// Hash of the whole key: four lanes over words i, i+4, i+8, i+12.
inline uint32_t flow_hash(const FlowKey& key) {
  const KeyWord* w = key_words(key);
  uint32_t a = hash_detail::kLaneSeed[0];
  uint32_t b = hash_detail::kLaneSeed[1];
  uint32_t c = hash_detail::kLaneSeed[2];
  uint32_t d = hash_detail::kLaneSeed[3];
  for (int i = 0; i < kFlowKeyWords; i += 4) {
    a = hash_detail::step(a, w[i]);
    b = hash_detail::step(b, w[i + 1]);
    c = hash_detail::step(c, w[i + 2]);
    d = hash_detail::step(d, w[i + 3]);
  }
  return hash_detail::finish(a, b, c, d);
}

// Hash of `n` words where word i is get(i): two lanes (a masked hash covers
// 1-5 words typically, so two chains already hide the crc latency).
template <typename Get>
inline uint32_t hash_word_list(int n, Get get) {
  uint32_t a = hash_detail::kLaneSeed[0];
  uint32_t b = hash_detail::kLaneSeed[1];
  int i = 0;
  for (; i + 1 < n; i += 2) {
    a = hash_detail::step(a, get(i));
    b = hash_detail::step(b, get(i + 1));
  }
  if (i < n) a = hash_detail::step(a, get(i));
  return hash_detail::finish(a, b, 0, 0);
}

// Hash of already-masked words (what a megaflow stores).
inline uint32_t hash_words(const uint64_t* words, int n) {
  return hash_word_list(n, [words](int i) { return words[i]; });
}

// Hash of `key` under a compact mask: word_idx[i] is the key word the i-th
// mask word applies to. Equals hash_words() of the masked words.
inline uint32_t hash_masked_key(const FlowKey& key, const uint8_t* word_idx, const uint64_t* mask_words,
                                int n) {
  const KeyWord* w = key_words(key);
  return hash_word_list(n, [w, word_idx, mask_words](int i) { return w[word_idx[i]] & mask_words[i]; });
}

}  // namespace strata::datapath
