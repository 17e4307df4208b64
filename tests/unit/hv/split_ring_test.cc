#include <catch2/catch.hpp>
#include <cstddef>

#include "hv/virtio/split_ring.h"

TEST_CASE("split ring: structures have the virtio spec's layout", "[hv][virtqueue]") {
  CHECK(sizeof(split_ring_desc) == 16);
  CHECK(offsetof(split_ring_desc, len) == 8);
  CHECK(offsetof(split_ring_desc, flags) == 12);
  CHECK(offsetof(split_ring_desc, next) == 14);
  CHECK(offsetof(split_ring_avail, ring) == 4);
  CHECK(sizeof(split_ring_used_elem) == 8);
  CHECK(offsetof(split_ring_used, ring) == 4);
}

TEST_CASE("split ring: part sizes include the event index fields", "[hv][virtqueue]") {
  CHECK(split_ring_desc_bytes(256) == 4096);
  CHECK(split_ring_avail_bytes(256) == 4 + 512 + 2);
  CHECK(split_ring_used_bytes(256) == 4 + 2048 + 2);
}

TEST_CASE("split ring: compact layout is aligned and does not overlap", "[hv][virtqueue]") {
  for (uint32_t n : {1u, 2u, 4u, 64u, 256u, 1024u, 32768u}) {
    split_ring_layout l = split_ring_compact_layout(n);
    CHECK(l.desc == 0);
    CHECK(l.avail == split_ring_desc_bytes(n));
    CHECK(l.avail % SPLIT_RING_AVAIL_ALIGN == 0);
    CHECK(l.used % SPLIT_RING_USED_ALIGN == 0);
    CHECK(l.used >= l.avail + split_ring_avail_bytes(n));
    CHECK(l.used - (l.avail + split_ring_avail_bytes(n)) < SPLIT_RING_USED_ALIGN);
    CHECK(l.total == l.used + split_ring_used_bytes(n));
  }
  // What the test guest reserves per queue (3 pages) holds a 256-entry ring.
  CHECK(split_ring_compact_layout(256).total <= 3 * 4096);
}

TEST_CASE("split ring: queue sizes are powers of two up to 32768", "[hv][virtqueue]") {
  CHECK(split_ring_valid_size(1));
  CHECK(split_ring_valid_size(256));
  CHECK(split_ring_valid_size(32768));
  CHECK_FALSE(split_ring_valid_size(0));
  CHECK_FALSE(split_ring_valid_size(3));
  CHECK_FALSE(split_ring_valid_size(65536));
}
