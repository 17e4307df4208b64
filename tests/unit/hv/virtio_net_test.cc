#include <catch2/catch.hpp>

#include "hv/devices/virtio_net.h"

using namespace strata::hv;

TEST_CASE("virtio-net: the guest is offered the shim's features plus the backend's data-path ones", "[hv][virtio-net]") {
  uint64_t backend = kVirtioFVersion1 | kNetFMrgRxbuf | kRingFEventIdx | (1ull << 30) | (1ull << 22) | (1ull << 0);
  uint64_t offered = net_offered_features(backend);
  CHECK((offered & kVirtioFVersion1) != 0);
  CHECK((offered & kNetFMac) != 0);
  CHECK((offered & kNetFStatus) != 0);
  CHECK((offered & kNetFMrgRxbuf) != 0);
  CHECK((offered & kRingFEventIdx) != 0);
  CHECK((offered & kRingFIndirectDesc) == 0);  // backend did not offer it
  CHECK((offered & (1ull << 30)) == 0);        // PROTOCOL_FEATURES is not a virtio feature
  CHECK((offered & (1ull << 22)) == 0);        // no control-queue features (the shim has no ctrl vq)
  CHECK((offered & 1) == 0);                   // checksum offload is not passed through
}

TEST_CASE("virtio-net: the backend hears only bits it offered, plus PROTOCOL_FEATURES", "[hv][virtio-net]") {
  uint64_t backend = kVirtioFVersion1 | kNetFMrgRxbuf | (1ull << 30);
  uint64_t acked = kVirtioFVersion1 | kNetFMac | kNetFMrgRxbuf;
  CHECK(net_backend_features(acked, backend, true) == (kVirtioFVersion1 | kNetFMrgRxbuf | (1ull << 30)));
  CHECK(net_backend_features(acked, backend, false) == (kVirtioFVersion1 | kNetFMrgRxbuf));
}

TEST_CASE("virtio-net: rings are translated to the shim's addresses and checked", "[hv][virtio-net]") {
  auto mem = GuestMemory::create(4 << 20);
  REQUIRE(mem.is_ok());
  VirtQueueConfig q{256, true, 0x100000, 0x101000, 0x102000};
  auto a = translate_vring(*mem, 1, q);
  REQUIRE(a.is_ok());
  CHECK(a->index == 1);
  CHECK(a->desc == reinterpret_cast<uint64_t>(mem->host_base() + 0x100000));
  CHECK(a->avail == reinterpret_cast<uint64_t>(mem->host_base() + 0x101000));
  CHECK(a->used == reinterpret_cast<uint64_t>(mem->host_base() + 0x102000));

  VirtQueueConfig outside = q;
  outside.used = (4 << 20) - 100;  // the used ring would run past RAM
  CHECK_THAT(translate_vring(*mem, 0, outside).status().message(), Catch::Contains("used ring"));
  VirtQueueConfig misaligned = q;
  misaligned.desc = 0x100008;
  CHECK_THAT(translate_vring(*mem, 0, misaligned).status().message(), Catch::Contains("descriptor table"));
  VirtQueueConfig mmio = q;
  mmio.avail = 0xd0000000;
  CHECK_FALSE(translate_vring(*mem, 0, mmio).is_ok());
}
