// Test support: builds frames byte by byte, independently of the code under
// test except for write_stack (itself checked against hand-written bytes in
// frame_ops_test.cc), and holds them in buffers sized exactly to headroom +
// frame so that AddressSanitizer flags any byte an op touches outside them.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "l2tags/frame_ops.h"
#include "l2tags/tag_stack.h"
#include "l2tags/tpid_set.h"

namespace strata::l2tags::testing {

inline constexpr std::array<uint8_t, 12> kMacs = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01,   // dst
                                                  0x02, 0x00, 0x00, 0x00, 0x00, 0x02};  // src

// MACs, the stack's tags, the inner ethertype, the payload.
inline std::vector<uint8_t> build_frame(const TagStack& stack, uint16_t ethertype,
                                        const std::vector<uint8_t>& payload = {},
                                        const std::array<uint8_t, 12>& macs = kMacs) {
  std::vector<uint8_t> f(macs.begin(), macs.end());
  f.resize(header_len(stack.size()));
  write_stack(f.data() + kMacsLen, stack);
  store_be16(f.data() + tag_offset(stack.size()), ethertype);
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

// A frame in a heap block of exactly headroom + frame bytes.
class Buffer {
 public:
  Buffer(const std::vector<uint8_t>& frame, uint32_t headroom)
      : storage_(headroom + frame.size()),
        view_{storage_.data() + headroom, static_cast<uint32_t>(frame.size()), headroom} {
    std::copy(frame.begin(), frame.end(), view_.data);
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  FrameView& view() { return view_; }
  std::vector<uint8_t> frame() const { return {view_.data, view_.data + view_.len}; }
  // Headroom + frame: the view must always account for the whole block.
  size_t accounted() const { return view_.headroom + view_.len; }
  const uint8_t* start() const { return storage_.data(); }

 private:
  std::vector<uint8_t> storage_;  // the whole block
  FrameView view_;                // the frame inside it
};

// The seed for every randomised test: fixed so that runs repeat, printed so
// that a failure can be replayed, and overridable with STRATA_TEST_SEED to
// explore.
inline uint64_t test_seed() {
  static const uint64_t seed = [] {
    const char* env = std::getenv("STRATA_TEST_SEED");
    return env != nullptr ? std::strtoull(env, nullptr, 0) : uint64_t{0x5eed12};
  }();
  return seed;
}

// Random stacks, ethertypes and payloads drawn from one generator.
class Random {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}

  uint32_t uniform(uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng_); }
  bool coin() { return uniform(0, 1) == 1; }

  Tag tag(const TpidSet& tpids) {
    const auto values = tpids.values();
    return Tag{values[uniform(0, static_cast<uint32_t>(values.size()) - 1)], static_cast<uint8_t>(uniform(0, 7)),
               coin(), static_cast<uint16_t>(uniform(0, 4095))};
  }

  TagStack stack(const TpidSet& tpids, int min_depth = 0, int max_depth = kMaxTags) {
    TagStack s;
    const int depth = static_cast<int>(uniform(static_cast<uint32_t>(min_depth), static_cast<uint32_t>(max_depth)));
    for (int i = 0; i < depth; ++i) s.push_inner(tag(tpids));
    return s;
  }

  // An EtherType that does not announce a tag: common ones, or any other.
  uint16_t inner_ethertype(const TpidSet& tpids) {
    static constexpr uint16_t kCommon[] = {0x0800, 0x86dd, 0x0806, 0x88cc};
    if (coin()) return kCommon[uniform(0, 3)];
    uint16_t t;
    do {
      t = static_cast<uint16_t>(uniform(0x0600, 0xffff));
    } while (tpids.contains(t));
    return t;
  }

  std::vector<uint8_t> bytes(size_t min_len, size_t max_len) {
    std::vector<uint8_t> v(uniform(static_cast<uint32_t>(min_len), static_cast<uint32_t>(max_len)));
    for (auto& b : v) b = static_cast<uint8_t>(uniform(0, 255));
    return v;
  }

  std::array<uint8_t, 12> macs() {
    std::array<uint8_t, 12> m;
    for (auto& b : m) b = static_cast<uint8_t>(uniform(0, 255));
    return m;
  }

 private:
  std::mt19937_64 rng_;  // the one source of randomness
};

}  // namespace strata::l2tags::testing
