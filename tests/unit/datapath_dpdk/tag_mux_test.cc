// Tag multiplexing (datapath/tag_mux.h) on real mbufs, byte for byte: the
// per-VNIC table picks a logical port by the outermost TPID and VID only,
// the pop and push move the MACs and nothing else, and a frame without
// headroom is copied rather than corrupted. DPDK runs with --no-huge and
// no devices: only the mbuf pool is used.
#include <catch2/catch.hpp>

#include <rte_mbuf.h>

#include <memory>
#include <vector>

#include "datapath/tag_mux.h"
#include "mbuf_fixture.h"

using namespace strata;
using namespace strata::datapath;
using namespace strata::datapath::test;

namespace {

// VID 10 (0x8100) -> port 5, VID 20 (0x88a8) -> port 6.
std::unique_ptr<TagMuxTable> table() {
  auto t = std::make_unique<TagMuxTable>();
  t->by_vid[10] = {0x8100, 5};
  t->by_vid[20] = {0x88a8, 6};
  t->ports = 2;
  return t;
}

}  // namespace

TEST_CASE("the outermost TPID and VID select the logical port", "[tag_mux]") {
  auto t = table();
  auto classify = [&](const std::vector<uint8_t>& f) {
    rte_mbuf* m = mbuf_of(f);
    const uint16_t no = tag_mux_classify(*t, m);
    rte_pktmbuf_free(m);
    return no;
  };
  CHECK(classify(tagged_frame({{0x8100, 10}})) == 5);
  CHECK(classify(tagged_frame({{0x8100, 0xe00a}})) == 5);          // PCP and DEI do not matter
  CHECK(classify(tagged_frame({{0x88a8, 20}, {0x8100, 10}})) == 6); // the outermost tag decides
  CHECK(classify(tagged_frame({{0x88a8, 10}})) == TagMuxTable::kNone);  // right VID, wrong TPID
  CHECK(classify(tagged_frame({{0x8100, 11}})) == TagMuxTable::kNone);  // no such VID
  CHECK(classify(tagged_frame({{0x9100, 20}})) == TagMuxTable::kNone);
  CHECK(classify(tagged_frame({})) == TagMuxTable::kNone);              // untagged
  std::vector<uint8_t> zeros(60, 0);                             // "TPID" 0 must not match an empty slot
  CHECK(classify(zeros) == TagMuxTable::kNone);
  std::vector<uint8_t> runt = tagged_frame({{0x8100, 10}});
  runt.resize(17);                                               // the tag but no inner type
  CHECK(classify(runt) == TagMuxTable::kNone);
}

TEST_CASE("pop removes exactly the outermost tag", "[tag_mux]") {
  rte_mbuf* m = mbuf_of(tagged_frame({{0x8100, 10}, {0x88a8, 100}, {0x8100, 200}}));
  const uint16_t headroom = rte_pktmbuf_headroom(m);
  tag_mux_pop(m);
  CHECK(content(m) == tagged_frame({{0x88a8, 100}, {0x8100, 200}}));
  CHECK(m->pkt_len == m->data_len);
  CHECK(rte_pktmbuf_headroom(m) == headroom + 4);
  rte_pktmbuf_free(m);
}

TEST_CASE("push adds the tag outermost, over any stack", "[tag_mux]") {
  rte_mbuf* m = mbuf_of(tagged_frame({{0x88a8, 100}, {0x8100, 200}}));
  m = tag_mux_push(m, 0x8100, 10, mbuf_pool());
  REQUIRE(m != nullptr);
  CHECK(content(m) == tagged_frame({{0x8100, 10}, {0x88a8, 100}, {0x8100, 200}}));
  rte_pktmbuf_free(m);

  // Eight tags already: the container tag is a ninth, on the VNIC only.
  rte_mbuf* deep = mbuf_of(tagged_frame({{0x88a8, 1}, {0x8100, 2}, {0x8100, 3}, {0x8100, 4},
                                  {0x8100, 5}, {0x8100, 6}, {0x8100, 7}, {0x8100, 8}}));
  deep = tag_mux_push(deep, 0x9100, 4094, mbuf_pool());
  REQUIRE(deep != nullptr);
  CHECK(content(deep) == tagged_frame({{0x9100, 4094}, {0x88a8, 1}, {0x8100, 2}, {0x8100, 3}, {0x8100, 4},
                                {0x8100, 5}, {0x8100, 6}, {0x8100, 7}, {0x8100, 8}}));
  rte_pktmbuf_free(deep);
}

TEST_CASE("push onto a frame without headroom copies it", "[tag_mux]") {
  const unsigned in_use = rte_mempool_in_use_count(mbuf_pool());
  rte_mbuf* m = mbuf_of(tagged_frame({}), 0);
  REQUIRE(rte_pktmbuf_headroom(m) == 0);
  rte_mbuf* out = tag_mux_push(m, 0x88a8, 20, mbuf_pool());
  REQUIRE(out != nullptr);
  CHECK(out != m);
  CHECK(content(out) == tagged_frame({{0x88a8, 20}}));
  rte_pktmbuf_free(out);
  CHECK(rte_mempool_in_use_count(mbuf_pool()) == in_use);  // the original went back
}

TEST_CASE("a frame pushed for a logical port comes back to it, unchanged", "[tag_mux]") {
  auto t = table();
  const std::vector<uint8_t> original = tagged_frame({{0x8100, 300}});
  rte_mbuf* m = tag_mux_push(mbuf_of(original), 0x88a8, 20, mbuf_pool());
  REQUIRE(m != nullptr);
  CHECK(tag_mux_classify(*t, m) == 6);
  tag_mux_pop(m);
  CHECK(content(m) == original);
  rte_pktmbuf_free(m);
}
