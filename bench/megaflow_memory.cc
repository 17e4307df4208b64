// strata_megaflow_memory: memory per megaflow with many megaflows installed.
//
// Installs --flows megaflows (default 1M) of the shape the NORMAL pipeline
// installs for scenario (b): in_port, both MACs and the whole 8-deep tag
// stack under the mask, one distinct destination MAC per flow; each with
// its own compiled action list (push, push, output), as the datapath makes
// one per upcall. Reports, per megaflow:
//  - classifier: what Classifier::memory_bytes() counts (megaflow + masked
//    key words + hash slots + subtables), the figure the <= 128 byte target
//    is about;
//  - heap: what glibc's allocator has handed out for the classifier
//    (mallinfo2 in-use bytes, so its per-block headers are included);
//  - heap with actions: the same plus one action list per megaflow.
// No DPDK: the classifier and the action lists live on the ordinary heap.
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "datapath/actions.h"
#include "datapath/classifier.h"
#include "datapath/reclaimer.h"

using namespace strata;
using namespace strata::datapath;

namespace {

size_t heap_in_use() { return mallinfo2().uordblks; }

FlowMask normal_mask() {
  FlowMask m;
  m.clear();
  m.in_port = 0xffffffff;
  m.tag_depth = 0xff;
  std::memset(m.eth_dst, 0xff, 6);
  std::memset(m.eth_src, 0xff, 6);
  for (auto& t : m.tags) t = KeyTag{0xffff, 0x0fff};
  return m;
}

FlowKey key_for(uint32_t i) {
  FlowKey k;
  k.clear();
  k.in_port = 1;
  k.eth_type = 0x0800;
  k.tag_depth = 0;
  const uint8_t dst[6] = {0x02, 0x01, static_cast<uint8_t>(i >> 24), static_cast<uint8_t>(i >> 16),
                          static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
  const uint8_t src[6] = {0x02, 0, 0, 0, 0, 1};
  std::memcpy(k.eth_dst, dst, 6);
  std::memcpy(k.eth_src, src, 6);
  return k;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 1000000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--flows") == 0 && i + 1 < argc) {
      n = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: strata_megaflow_memory [--flows N]\n");
      return 2;
    }
  }
  if (n == 0) {
    std::fprintf(stderr, "strata_megaflow_memory: --flows must be at least 1\n");
    return 2;
  }

  ImmediateReclaimer reclaimer;
  const FlowMask mask = normal_mask();
  ActionBuilder builder;
  builder.push_tag(l2tags::Tag{0x8100, 0, false, 200}).push_tag(l2tags::Tag{0x88a8, 0, false, 100}).output(2);

  // Pass 1: the classifier alone (every flow shares one action list).
  double classifier_per_flow = 0, heap_per_flow = 0, insert_rate = 0;
  {
    ActionList* shared = builder.build();
    const size_t heap0 = heap_in_use();
    Classifier cls(reclaimer);
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < n; ++i) {
      auto r = cls.insert(key_for(static_cast<uint32_t>(i)), mask, shared);
      if (!r) {
        std::fprintf(stderr, "strata_megaflow_memory: insert %zu: %s\n", i, r.status().to_string().c_str());
        return 1;
      }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    insert_rate = static_cast<double>(n) / secs;
    classifier_per_flow = static_cast<double>(cls.memory_bytes()) / static_cast<double>(n);
    heap_per_flow = static_cast<double>(heap_in_use() - heap0) / static_cast<double>(n);
    ActionList::destroy(shared);
  }

  // Pass 2: one action list per megaflow, as the upcall path builds them.
  double heap_with_actions = 0;
  {
    std::vector<ActionList*> lists;
    lists.reserve(n);
    const size_t heap0 = heap_in_use();
    {
      Classifier cls(reclaimer);
      for (size_t i = 0; i < n; ++i) {
        ActionList* list = builder.build();
        lists.push_back(list);
        if (!cls.insert(key_for(static_cast<uint32_t>(i)), mask, list)) return 1;
      }
      heap_with_actions = static_cast<double>(heap_in_use() - heap0) / static_cast<double>(n);
    }
    for (ActionList* l : lists) ActionList::destroy(l);
  }

  std::printf("megaflows %zu\n", n);
  std::printf("classifier_bytes_per_megaflow %.1f\n", classifier_per_flow);
  std::printf("heap_bytes_per_megaflow %.1f\n", heap_per_flow);
  std::printf("heap_bytes_per_megaflow_with_actions %.1f\n", heap_with_actions);
  std::printf("classifier_inserts_per_second %.0f\n", insert_rate);
  return 0;
}
