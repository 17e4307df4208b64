#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstring>

#include "hv/devices/virtio_mmio.h"

using namespace strata::hv;

namespace {

// A device that records what the transport asks of it.
struct FakeDevice : VirtioDevice {
  uint64_t offered = kVirtioFVersion1 | (1ull << 5);
  strata::Status activate_result;
  int activations = 0, resets = 0;
  uint64_t activated_features = 0;
  std::vector<VirtQueueConfig> activated_queues;

  uint32_t device_type() const override { return 1; }
  uint64_t offered_features() const override { return offered; }
  uint16_t num_queues() const override { return 2; }
  uint16_t queue_max_size() const override { return 256; }
  void read_config(uint64_t offset, std::span<uint8_t> data) const override {
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(0xc0 + offset + i);
  }
  strata::Status start_queues(uint64_t f, std::span<const VirtQueueConfig> q, const VirtQueuePositions& from,
                              bool was_restored) override {
    ++activations;
    activated_features = f;
    activated_queues.assign(q.begin(), q.end());
    started_from = from;
    restored = was_restored;
    return activate_result;
  }
  void reset() override { ++resets; }
  strata::Result<VirtQueuePositions> stop_queues() override {
    ++stops;
    return VirtQueuePositions{{17, 42}};
  }
  strata::Status set_dirty_log(int fd, uint64_t bytes) override {
    log_fd = fd;
    log_bytes = bytes;
    return strata::Status::ok();
  }
  strata::Status reconnect() override {
    ++reconnects;
    return strata::Status::ok();
  }
  int backend_socket() const override { return -1; }
  int reconnects = 0;
  VirtQueuePositions started_from;
  bool restored = false;
  int stops = 0;
  int log_fd = -1;
  uint64_t log_bytes = 0;
};

struct Fixture {
  FakeDevice* dev;
  int log_pipe[2];
  std::unique_ptr<VirtioMmio> mmio;
  Fixture() {
    REQUIRE(pipe(log_pipe) == 0);
    auto d = std::make_unique<FakeDevice>();
    dev = d.get();
    mmio = std::make_unique<VirtioMmio>(std::move(d), "net0", log_pipe[1]);
  }
  ~Fixture() {
    close(log_pipe[0]);
    close(log_pipe[1]);
  }
  uint32_t rd(uint64_t off) {
    uint8_t b[4];
    mmio->read(off, b);
    uint32_t v;
    std::memcpy(&v, b, 4);
    return v;
  }
  void wr(uint64_t off, uint32_t v) {
    uint8_t b[4];
    std::memcpy(b, &v, 4);
    mmio->write(off, b);
  }
  // The driver's side of the handshake up to FEATURES_OK.
  void negotiate(uint64_t features) {
    wr(mmio_reg::kStatus, 0);
    wr(mmio_reg::kStatus, device_status::kAcknowledge | device_status::kDriver);
    wr(mmio_reg::kDriverFeaturesSel, 0);
    wr(mmio_reg::kDriverFeatures, uint32_t(features));
    wr(mmio_reg::kDriverFeaturesSel, 1);
    wr(mmio_reg::kDriverFeatures, uint32_t(features >> 32));
    wr(mmio_reg::kStatus, device_status::kAcknowledge | device_status::kDriver | device_status::kFeaturesOk);
  }
  void setup_queue(uint32_t q, uint32_t size, uint64_t base) {
    wr(mmio_reg::kQueueSel, q);
    wr(mmio_reg::kQueueNum, size);
    wr(mmio_reg::kQueueDescLow, uint32_t(base));
    wr(mmio_reg::kQueueDescHigh, uint32_t(base >> 32));
    wr(mmio_reg::kQueueAvailLow, uint32_t(base + 0x1000));
    wr(mmio_reg::kQueueUsedLow, uint32_t(base + 0x2000));
    wr(mmio_reg::kQueueReady, 1);
  }
};

constexpr uint32_t kAllButOk = device_status::kAcknowledge | device_status::kDriver | device_status::kFeaturesOk;

}  // namespace

TEST_CASE("virtio-mmio: identification registers", "[hv][virtio-mmio]") {
  Fixture f;
  CHECK(f.rd(mmio_reg::kMagic) == 0x74726976);
  CHECK(f.rd(mmio_reg::kVersion) == 2);
  CHECK(f.rd(mmio_reg::kDeviceId) == 1);
  f.wr(mmio_reg::kDeviceFeaturesSel, 0);
  CHECK(f.rd(mmio_reg::kDeviceFeatures) == (1u << 5));
  f.wr(mmio_reg::kDeviceFeaturesSel, 1);
  CHECK(f.rd(mmio_reg::kDeviceFeatures) == 1u);
  f.wr(mmio_reg::kDeviceFeaturesSel, 2);
  CHECK(f.rd(mmio_reg::kDeviceFeatures) == 0);
  f.wr(mmio_reg::kQueueSel, 0);
  CHECK(f.rd(mmio_reg::kQueueNumMax) == 256);
  f.wr(mmio_reg::kQueueSel, 2);
  CHECK(f.rd(mmio_reg::kQueueNumMax) == 0);  // no such queue
  uint8_t cfg[2];
  f.mmio->read(mmio_reg::kConfig + 1, cfg);
  CHECK(cfg[0] == 0xc1);
}

TEST_CASE("virtio-mmio: FEATURES_OK only for an offered subset with VERSION_1", "[hv][virtio-mmio]") {
  Fixture f;
  f.negotiate(1ull << 5);  // no VERSION_1
  CHECK((f.rd(mmio_reg::kStatus) & device_status::kFeaturesOk) == 0);
  f.negotiate(kVirtioFVersion1 | (1ull << 6));  // not offered
  CHECK((f.rd(mmio_reg::kStatus) & device_status::kFeaturesOk) == 0);
  f.negotiate(kVirtioFVersion1 | (1ull << 5));
  CHECK(f.rd(mmio_reg::kStatus) == kAllButOk);
}

TEST_CASE("virtio-mmio: DRIVER_OK activates the device with the queues", "[hv][virtio-mmio]") {
  Fixture f;
  f.negotiate(kVirtioFVersion1);
  f.setup_queue(0, 128, 0x100000);
  f.setup_queue(1, 256, 0x1200000000ull);
  f.wr(mmio_reg::kStatus, kAllButOk | device_status::kDriverOk);
  REQUIRE(f.dev->activations == 1);
  CHECK(f.dev->activated_features == kVirtioFVersion1);
  REQUIRE(f.dev->activated_queues.size() == 2);
  CHECK(f.dev->activated_queues[0].size == 128);
  CHECK(f.dev->activated_queues[0].ready);
  CHECK(f.dev->activated_queues[0].avail == 0x101000);
  CHECK(f.dev->activated_queues[1].desc == 0x1200000000ull);
  CHECK(f.rd(mmio_reg::kInterruptStatus) == 1);
  // Queue registers are frozen while running.
  f.wr(mmio_reg::kQueueSel, 0);
  f.wr(mmio_reg::kQueueNum, 64);
  f.wr(mmio_reg::kStatus, 0);
  CHECK(f.dev->resets == 1);
  CHECK(f.rd(mmio_reg::kStatus) == 0);
  CHECK(f.rd(mmio_reg::kQueueReady) == 0);
  CHECK(f.rd(mmio_reg::kInterruptStatus) == 0);
}

TEST_CASE("virtio-mmio: a failed activation sets DEVICE_NEEDS_RESET and logs why", "[hv][virtio-mmio]") {
  Fixture f;
  f.dev->activate_result = strata::failed_precondition("backend refused SET_MEM_TABLE");
  f.negotiate(kVirtioFVersion1);
  f.setup_queue(0, 256, 0x100000);
  f.wr(mmio_reg::kStatus, kAllButOk | device_status::kDriverOk);
  CHECK((f.rd(mmio_reg::kStatus) & device_status::kNeedsReset) != 0);
  char buf[256] = {};
  CHECK(read(f.log_pipe[0], buf, sizeof buf - 1) > 0);
  CHECK_THAT(std::string(buf), Catch::Contains("net0: cannot start the device: backend refused SET_MEM_TABLE"));
}

TEST_CASE("virtio-mmio: invalid queue sizes never reach the device", "[hv][virtio-mmio]") {
  Fixture f;
  f.negotiate(kVirtioFVersion1);
  f.setup_queue(0, 100, 0x100000);
  f.wr(mmio_reg::kStatus, kAllButOk | device_status::kDriverOk);
  CHECK(f.dev->activations == 0);
  CHECK((f.rd(mmio_reg::kStatus) & device_status::kNeedsReset) != 0);
}

TEST_CASE("virtio-mmio: odd-sized register accesses are ignored", "[hv][virtio-mmio]") {
  Fixture f;
  uint8_t b[2] = {0xff, 0xff};
  f.mmio->read(mmio_reg::kMagic, b);
  CHECK(b[0] == 0);
  f.mmio->write(mmio_reg::kStatus, b);
  CHECK(f.rd(mmio_reg::kStatus) == 0);
}

TEST_CASE("virtio-mmio: pause stops the queues and resume starts them where they stood", "[hv][virtio-mmio][state]") {
  Fixture f;
  f.negotiate(kVirtioFVersion1);
  f.setup_queue(0, 256, 0x100000);
  f.setup_queue(1, 256, 0x200000);
  f.wr(mmio_reg::kStatus, kAllButOk | device_status::kDriverOk);
  REQUIRE(f.dev->activations == 1);
  CHECK(f.dev->started_from.next_avail.empty());  // a fresh start: from 0
  REQUIRE(f.mmio->pause().is_ok());
  CHECK(f.mmio->paused());
  CHECK(f.dev->stops == 1);
  REQUIRE(f.mmio->pause().is_ok());  // idempotent
  CHECK(f.dev->stops == 1);
  REQUIRE(f.mmio->resume().is_ok());
  CHECK(f.dev->activations == 2);
  CHECK(f.dev->started_from.next_avail == std::vector<uint16_t>{17, 42});
  CHECK_FALSE(f.dev->restored);
}

TEST_CASE("virtio-mmio: a device the driver never started has nothing to pause", "[hv][virtio-mmio][state]") {
  Fixture f;
  REQUIRE(f.mmio->pause().is_ok());
  CHECK_FALSE(f.mmio->paused());
  CHECK(f.dev->stops == 0);
}

TEST_CASE("virtio-mmio: a saved register file restores into a new transport, queues started as restored",
          "[hv][virtio-mmio][state]") {
  Fixture src;
  src.negotiate(kVirtioFVersion1);
  src.setup_queue(0, 128, 0x100000);
  src.wr(mmio_reg::kStatus, kAllButOk | device_status::kDriverOk);
  REQUIRE(src.mmio->pause().is_ok());
  VirtioMmioState saved = src.mmio->save();
  CHECK(saved.active);
  CHECK(saved.positions.next_avail == std::vector<uint16_t>{17, 42});

  Fixture dst;
  REQUIRE(dst.mmio->restore(saved).is_ok());
  CHECK(dst.rd(mmio_reg::kStatus) == (kAllButOk | device_status::kDriverOk));
  CHECK(dst.dev->activations == 1);
  CHECK(dst.dev->restored);
  CHECK(dst.dev->started_from.next_avail == std::vector<uint16_t>{17, 42});
  REQUIRE(dst.dev->activated_queues.size() == 2);
  CHECK(dst.dev->activated_queues[0].size == 128);
  CHECK(dst.dev->activated_queues[0].desc == 0x100000);
  dst.wr(mmio_reg::kQueueSel, 0);
  CHECK(dst.rd(mmio_reg::kQueueReady) == 1);
}

TEST_CASE("virtio-mmio: a restore refuses features the new backend does not offer", "[hv][virtio-mmio][state]") {
  Fixture src;
  src.negotiate(kVirtioFVersion1 | (1ull << 5));
  src.setup_queue(0, 128, 0x100000);
  src.wr(mmio_reg::kStatus, kAllButOk | device_status::kDriverOk);
  REQUIRE(src.mmio->pause().is_ok());
  Fixture dst;
  dst.dev->offered = kVirtioFVersion1;
  strata::Status s = dst.mmio->restore(src.mmio->save());
  CHECK_FALSE(s.is_ok());
  CHECK_THAT(s.message(), Catch::Contains("does not offer"));
  CHECK(dst.dev->activations == 0);
}

TEST_CASE("virtio-mmio: dirty logging restarts an active device's queues where they stood", "[hv][virtio-mmio][state]") {
  Fixture f;
  f.negotiate(kVirtioFVersion1);
  f.setup_queue(0, 256, 0x100000);
  f.wr(mmio_reg::kStatus, kAllButOk | device_status::kDriverOk);
  REQUIRE(f.mmio->set_dirty_log(9, 4096).is_ok());
  CHECK(f.dev->log_fd == 9);
  CHECK(f.dev->stops == 1);
  CHECK(f.dev->activations == 2);
  CHECK(f.dev->started_from.next_avail == std::vector<uint16_t>{17, 42});
}

TEST_CASE("virtio-mmio: after a backend restart the queues start at the used index in guest memory",
          "[hv][virtio-mmio][state]") {
  auto mem = GuestMemory::create(4u << 20);
  REQUIRE(mem.is_ok());
  Fixture f;
  f.negotiate(kVirtioFVersion1);
  f.setup_queue(0, 256, 0x100000);  // used ring at 0x102000
  f.setup_queue(1, 256, 0x200000);  // used ring at 0x202000
  f.wr(mmio_reg::kStatus, kAllButOk | device_status::kDriverOk);
  const uint16_t rx_used = 300, tx_used = 65535;  // free-running, wrapped or not
  std::memcpy(mem->host_base() + 0x102000 + 2, &rx_used, 2);
  std::memcpy(mem->host_base() + 0x202000 + 2, &tx_used, 2);
  REQUIRE(f.mmio->reconnect_backend(*mem).is_ok());
  CHECK(f.dev->reconnects == 1);
  CHECK(f.dev->activations == 2);
  CHECK(f.dev->restored);  // announced: the switch may have forgotten where the guest is
  CHECK(f.dev->started_from.next_avail == std::vector<uint16_t>{300, 65535});
}

TEST_CASE("virtio-mmio: a backend restart before the driver started only reconnects", "[hv][virtio-mmio][state]") {
  auto mem = GuestMemory::create(1u << 20);
  REQUIRE(mem.is_ok());
  Fixture f;
  REQUIRE(f.mmio->reconnect_backend(*mem).is_ok());
  CHECK(f.dev->reconnects == 1);
  CHECK(f.dev->activations == 0);
}
