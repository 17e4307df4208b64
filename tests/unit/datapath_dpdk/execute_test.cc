// execute_actions() on real mbufs, byte for byte: every action type, the
// copy semantics of outputs, pushing onto a frame without headroom, and
// what happens to frames an action cannot apply to. DPDK runs with
// --no-huge and no devices: only the mbuf pool is used.
#include <catch2/catch.hpp>

#include <rte_mbuf.h>

#include <vector>

#include "datapath/execute.h"
#include "mbuf_fixture.h"

using namespace strata;
using namespace strata::datapath;
using namespace strata::datapath::test;

namespace {

// Records what execute_actions() hands back.
struct Recorder {
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> sent;  // (port, bytes)
  std::vector<uint32_t> cookies;                               // to_controller() cookies
  int dropped = 0;
  void output(uint32_t port, rte_mbuf* m) {
    sent.emplace_back(port, content(m));
    rte_pktmbuf_free(m);
  }
  void to_controller(rte_mbuf* m, const Action& a) {
    cookies.push_back(a.port);
    rte_pktmbuf_free(m);
  }
  void drop(rte_mbuf* m) {
    ++dropped;
    rte_pktmbuf_free(m);
  }
  rte_mempool* pool() { return mbuf_pool(); }
};

void run(const ActionBuilder& b, rte_mbuf* m, uint8_t depth, Recorder& r) {
  ActionList* list = b.build();
  execute_actions(*list, &m, &depth, 1, r);
  ActionList::destroy(list);
}

}  // namespace

TEST_CASE("push then output: the new tag is outermost, every other byte as before", "[execute]") {
  const unsigned before = rte_mempool_in_use_count(mbuf_pool());
  Recorder r;
  ActionBuilder b;
  b.push_tag({0x8100, 0, false, 200}).push_tag({0x88a8, 3, false, 100}).output(7);
  run(b, mbuf_of(tagged_frame({})), 0, r);
  REQUIRE(r.sent.size() == 1);
  CHECK(r.sent[0].first == 7);
  CHECK(r.sent[0].second == tagged_frame({{0x88a8, (3 << 13) | 100}, {0x8100, 200}}));
  CHECK(rte_mempool_in_use_count(mbuf_pool()) == before);
}

TEST_CASE("pop, set_vid, set_pcp at depth, set MACs", "[execute]") {
  Recorder r;
  const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0xaa};
  const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0xbb};
  ActionBuilder b;
  b.pop_tag().set_vid(1, 4000).set_pcp(0, 5).set_eth_src(mac_a).set_eth_dst(mac_b).output(1);
  run(b, mbuf_of(tagged_frame({{0x88a8, 100}, {0x8100, 200}, {0x8100, 300}})), 3, r);
  REQUIRE(r.sent.size() == 1);
  auto want = tagged_frame({{0x8100, (5 << 13) | 200}, {0x8100, 4000}});
  std::memcpy(want.data(), mac_b, 6);
  std::memcpy(want.data() + 6, mac_a, 6);
  CHECK(r.sent[0].second == want);
}

TEST_CASE("an output followed by more actions sends a copy of the frame as it was", "[execute]") {
  const unsigned before = rte_mempool_in_use_count(mbuf_pool());
  Recorder r;
  ActionBuilder b;
  b.output(1).pop_tag().output(2).push_tag({0x9100, 0, false, 9}).output(3).controller(77);
  run(b, mbuf_of(tagged_frame({{0x88a8, 100}})), 1, r);
  REQUIRE(r.sent.size() == 3);
  CHECK(r.sent[0] == std::make_pair(1u, tagged_frame({{0x88a8, 100}})));
  CHECK(r.sent[1] == std::make_pair(2u, tagged_frame({})));
  CHECK(r.sent[2] == std::make_pair(3u, tagged_frame({{0x9100, 9}})));
  CHECK(r.cookies == std::vector<uint32_t>{77});
  CHECK(rte_mempool_in_use_count(mbuf_pool()) == before);  // copies and original all freed
}

TEST_CASE("a push onto a frame with no headroom copies it instead of corrupting it", "[execute]") {
  const unsigned before = rte_mempool_in_use_count(mbuf_pool());
  Recorder r;
  ActionBuilder b;
  b.push_tag({0x88a8, 0, false, 42}).output(4);
  run(b, mbuf_of(tagged_frame({{0x8100, 7}}), 0), 1, r);
  REQUIRE(r.sent.size() == 1);
  CHECK(r.sent[0].second == tagged_frame({{0x88a8, 42}, {0x8100, 7}}));
  CHECK(rte_mempool_in_use_count(mbuf_pool()) == before);
}

TEST_CASE("actions a frame cannot take drop it, counted, an empty list drops silently", "[execute]") {
  const unsigned before = rte_mempool_in_use_count(mbuf_pool());
  Recorder r;
  ActionBuilder pop_untagged;
  pop_untagged.pop_tag().output(1);
  run(pop_untagged, mbuf_of(tagged_frame({})), 0, r);
  ActionBuilder ninth;
  ninth.push_tag({0x8100, 0, false, 1}).output(1);
  run(ninth, mbuf_of(tagged_frame({{0x8100, 1}, {0x8100, 2}, {0x8100, 3}, {0x8100, 4},
                            {0x8100, 5}, {0x8100, 6}, {0x8100, 7}, {0x8100, 8}})), 8, r);
  ActionBuilder rewrite_missing;
  rewrite_missing.set_vid(2, 5).output(1);
  run(rewrite_missing, mbuf_of(tagged_frame({{0x8100, 1}})), 1, r);
  CHECK(r.sent.empty());
  CHECK(r.dropped == 3);
  Recorder quiet;
  run(ActionBuilder{}, mbuf_of(tagged_frame({})), 0, quiet);
  CHECK(quiet.sent.empty());
  CHECK(quiet.dropped == 0);
  CHECK(rte_mempool_in_use_count(mbuf_pool()) == before);
}

TEST_CASE("a batch of frames runs the list once per action, each frame byte-exact", "[execute]") {
  Recorder r;
  ActionBuilder b;
  b.pop_tag().output(9);
  rte_mbuf* pkts[3] = {mbuf_of(tagged_frame({{0x8100, 1}})), mbuf_of(tagged_frame({{0x88a8, 2}, {0x8100, 3}})),
                       mbuf_of(tagged_frame({}))};
  uint8_t depths[3] = {1, 2, 0};
  ActionList* list = b.build();
  execute_actions(*list, pkts, depths, 3, r);
  ActionList::destroy(list);
  REQUIRE(r.sent.size() == 2);
  CHECK(r.sent[0].second == tagged_frame({}));
  CHECK(r.sent[1].second == tagged_frame({{0x8100, 3}}));
  CHECK(r.dropped == 1);  // the untagged one had nothing to pop
  CHECK(depths[1] == 1);
}

// A context with output_bulk(), as the PMD's: the final output of a group
// hands every frame over in one call, in order.
struct BulkRecorder : Recorder {
  std::vector<int> bulk_sizes;  // n of each output_bulk() call
  void output_bulk(uint32_t port, rte_mbuf** m, int n) {
    bulk_sizes.push_back(n);
    for (int i = 0; i < n; ++i) output(port, m[i]);
  }
};

TEST_CASE("a run of pushes gives the same bytes in one move, tag by tag without headroom, or drops on a ninth tag",
          "[execute]") {
  const unsigned before = rte_mempool_in_use_count(mbuf_pool());
  BulkRecorder r;
  ActionBuilder b;
  b.push_tag({0x8100, 0, false, 3}).push_tag({0x9100, 1, true, 2}).push_tag({0x88a8, 7, false, 1}).output(5);
  const auto want = tagged_frame({{0x88a8, (7 << 13) | 1}, {0x9100, (1 << 13) | 0x1000 | 2}, {0x8100, 3}, {0x8100, 9}});
  rte_mbuf* pkts[4] = {
      mbuf_of(tagged_frame({{0x8100, 9}})),     // full headroom: one move of the MACs
      mbuf_of(tagged_frame({{0x8100, 9}}), 4),  // room for one tag: the rest go through a copy
      mbuf_of(tagged_frame({{0x8100, 1}, {0x8100, 2}, {0x8100, 3}, {0x8100, 4}, {0x8100, 5}, {0x8100, 6}})),  // 6 + 3 > 8
      mbuf_of(tagged_frame({{0x8100, 9}}), 0),  // no headroom at all
  };
  uint8_t depths[4] = {1, 1, 6, 1};
  ActionList* list = b.build();
  execute_actions(*list, pkts, depths, 4, r);
  ActionList::destroy(list);
  REQUIRE(r.sent.size() == 3);
  for (const auto& [port, got] : r.sent) {
    CHECK(port == 5);
    CHECK(got == want);
  }
  CHECK(r.bulk_sizes == std::vector<int>{3});
  CHECK(r.dropped == 1);
  CHECK(rte_mempool_in_use_count(mbuf_pool()) == before);
}

TEST_CASE("output_bulk gets the whole group when nothing dropped, and only the survivors otherwise", "[execute]") {
  const unsigned before = rte_mempool_in_use_count(mbuf_pool());
  ActionBuilder b;
  b.pop_tag().output(9);
  ActionList* list = b.build();
  BulkRecorder all;
  rte_mbuf* tagged[2] = {mbuf_of(tagged_frame({{0x8100, 1}})), mbuf_of(tagged_frame({{0x88a8, 2}, {0x8100, 3}}))};
  uint8_t depths2[2] = {1, 2};
  execute_actions(*list, tagged, depths2, 2, all);
  CHECK(all.bulk_sizes == std::vector<int>{2});
  CHECK(all.dropped == 0);
  BulkRecorder some;  // the middle frame has no tag to pop
  rte_mbuf* mixed[3] = {mbuf_of(tagged_frame({{0x8100, 1}})), mbuf_of(tagged_frame({})),
                        mbuf_of(tagged_frame({{0x88a8, 2}, {0x8100, 3}}))};
  uint8_t depths3[3] = {1, 0, 2};
  execute_actions(*list, mixed, depths3, 3, some);
  ActionList::destroy(list);
  CHECK(some.bulk_sizes == std::vector<int>{2});
  REQUIRE(some.sent.size() == 2);
  CHECK(some.sent[0].second == tagged_frame({}));  // in order, the dropped one left out
  CHECK(some.sent[1].second == tagged_frame({{0x8100, 3}}));
  CHECK(some.dropped == 1);
  CHECK(rte_mempool_in_use_count(mbuf_pool()) == before);
}

TEST_CASE("format_actions shows what a megaflow does", "[execute]") {
  ActionBuilder b;
  b.push_tag({0x88a8, 0, false, 100}).output(2).pop_tag().output(3);
  ActionList* list = b.build();
  CHECK(format_actions(*list) == "push_tag:88a8:100:0,output:2,pop_tag,output:3");
  CHECK(list->a[1].type == ActionType::kOutputCopy);
  CHECK(list->a[3].type == ActionType::kOutput);
  ActionList::destroy(list);
  ActionList* drop = ActionBuilder{}.build();
  CHECK(format_actions(*drop) == "drop");
  ActionList::destroy(drop);
}
