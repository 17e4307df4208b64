// What the datapath tests that run on real mbufs share: an EAL with
// --no-huge and no devices (only the mbuf pool is used, removed at exit),
// frames written byte by byte, and mbufs made from and read back into
// bytes, so every test states the exact wire bytes before and after.
#pragma once

#include <catch2/catch.hpp>

#include <rte_mbuf.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "datapath/eal.h"

namespace strata::datapath::test {

// The program's one mbuf pool; the first call starts the EAL under a file
// prefix of `prefix` + the PID (one test program = one EAL).
inline rte_mempool* mbuf_pool(const char* prefix = "sdpdk") {
  static rte_mempool* p = [prefix] {
    EalOptions o;
    o.program = "strata-unit-test";
    o.file_prefix = prefix + std::to_string(getpid());
    o.no_huge = true;
    o.memory_mb = 64;
    o.log_level = "error";
    auto info = eal_start(o);
    REQUIRE(info);
    std::atexit([] { eal_stop(); });
    return rte_pktmbuf_pool_create("unit_test", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  }();
  REQUIRE(p != nullptr);
  return p;
}

// dst 01:02:03:04:05:06, src 0a:0b:0c:0d:0e:0f, the tags (TPID, TCI)
// outermost first, type 0x0800, 8 payload bytes.
inline std::vector<uint8_t> tagged_frame(std::initializer_list<std::pair<uint16_t, uint16_t>> tags) {
  std::vector<uint8_t> f = {1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf};
  for (auto [tpid, tci] : tags) {
    f.push_back(static_cast<uint8_t>(tpid >> 8));
    f.push_back(static_cast<uint8_t>(tpid));
    f.push_back(static_cast<uint8_t>(tci >> 8));
    f.push_back(static_cast<uint8_t>(tci));
  }
  for (uint8_t b : {0x08, 0x00, 0x45, 0, 0, 20, 0xde, 0xad, 0xbe, 0xef}) f.push_back(b);
  return f;
}

// An mbuf from the pool holding `f`, starting `headroom` bytes in.
inline rte_mbuf* mbuf_of(const std::vector<uint8_t>& f, uint16_t headroom = RTE_PKTMBUF_HEADROOM) {
  rte_mbuf* m = rte_pktmbuf_alloc(mbuf_pool());
  REQUIRE(m != nullptr);
  m->data_off = headroom;
  std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(f.size())), f.data(), f.size());
  return m;
}

// The frame an mbuf holds (single segment).
inline std::vector<uint8_t> content(const rte_mbuf* m) {
  const auto* d = rte_pktmbuf_mtod(m, const uint8_t*);
  return std::vector<uint8_t>(d, d + m->pkt_len);
}

}  // namespace strata::datapath::test
