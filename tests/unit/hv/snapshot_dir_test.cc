#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "hv/state/snapshot_dir.h"

using namespace strata::hv;
using namespace strata::hv::state;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/strata-snapshot-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

GuestState tiny_state(uint64_t memory) {
  GuestState g;
  g.config.memory_bytes = memory;
  g.config.vcpus = 1;
  g.vm.pic_master.chip_id = KVM_IRQCHIP_PIC_MASTER;
  g.vm.pic_slave.chip_id = KVM_IRQCHIP_PIC_SLAVE;
  g.vm.ioapic.chip_id = KVM_IRQCHIP_IOAPIC;
  g.vcpus.resize(1);
  return g;
}

}  // namespace

TEST_CASE("snapshot dir: memory round-trips with zero pages left as holes", "[hv][state]") {
  TempDir dir;
  auto mem = GuestMemory::create(4u << 20);
  REQUIRE(mem.is_ok());
  std::memset(mem->host_base() + 8192, 0xab, 4096);
  mem->host_base()[3u << 20] = 0x5a;
  auto f = write_snapshot(dir.path + "/s", *mem, tiny_state(mem->size()));
  REQUIRE(f.is_ok());
  CHECK(f->memory_bytes == 4u << 20);
  CHECK(f->data_bytes == 2 * 4096);
  struct stat st {};
  REQUIRE(::stat((dir.path + "/s/memory").c_str(), &st) == 0);
  CHECK(uint64_t(st.st_size) == 4u << 20);
  CHECK(uint64_t(st.st_blocks) * 512 < 1u << 20);  // holes, not 4 MiB of zeros

  auto state = read_snapshot_state(dir.path + "/s");
  REQUIRE(state.is_ok());
  auto back = GuestMemory::create(state->config.memory_bytes);
  REQUIRE(back.is_ok());
  auto copied = read_snapshot_memory(dir.path + "/s", *back);
  REQUIRE(copied.is_ok());
  CHECK(std::memcmp(back->host_base(), mem->host_base(), mem->size()) == 0);
}

TEST_CASE("snapshot dir: an existing snapshot is never overwritten", "[hv][state]") {
  TempDir dir;
  auto mem = GuestMemory::create(1u << 20);
  REQUIRE(mem.is_ok());
  REQUIRE(write_snapshot(dir.path, *mem, tiny_state(mem->size())).is_ok());
  auto again = write_snapshot(dir.path, *mem, tiny_state(mem->size()));
  REQUIRE_FALSE(again.is_ok());
  CHECK(again.status().code() == strata::StatusCode::kAlreadyExists);
}

TEST_CASE("snapshot dir: unfinished and mismatched snapshots are refused with a reason", "[hv][state]") {
  TempDir dir;
  CHECK_THAT(read_snapshot_state(dir.path).status().message(), Catch::Contains("no finished snapshot"));
  CHECK_THAT(read_snapshot_state(dir.path + "/none").status().message(), Catch::Contains("No such file"));
  auto mem = GuestMemory::create(1u << 20);
  REQUIRE(mem.is_ok());
  REQUIRE(write_snapshot(dir.path, *mem, tiny_state(mem->size())).is_ok());
  auto bigger = GuestMemory::create(2u << 20);
  REQUIRE(bigger.is_ok());
  CHECK_THAT(read_snapshot_memory(dir.path, *bigger).status().message(), Catch::Contains("the snapshot's guest has"));
  REQUIRE(::truncate((dir.path + "/state").c_str(), 40) == 0);
  CHECK_THAT(read_snapshot_state(dir.path).status().message(), Catch::Contains("damaged or truncated"));
}
