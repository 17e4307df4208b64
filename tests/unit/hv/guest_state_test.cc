#include <catch2/catch.hpp>

#include <cstring>

#include "hv/state/guest_state.h"
#include "hv/state/snapshot_format.h"

using namespace strata::hv;
using namespace strata::hv::state;

namespace {

// A guest state with every field set to something recognisable.
GuestState sample_state(uint32_t vcpus = 2, uint32_t nics = 1) {
  GuestState g;
  g.config.memory_bytes = 16u << 20;
  g.config.vcpus = vcpus;
  g.config.generation = 3;
  for (uint32_t i = 0; i < nics; ++i) {
    NetOption n;
    n.socket = "/tmp/vhost-" + std::to_string(i) + ".sock";
    n.mac = {0x02, 0, 0, 0, 0, uint8_t(0x10 + i)};
    g.config.nics.push_back(n);
  }
  g.vm.pic_master.chip_id = KVM_IRQCHIP_PIC_MASTER;
  g.vm.pic_slave.chip_id = KVM_IRQCHIP_PIC_SLAVE;
  g.vm.ioapic.chip_id = KVM_IRQCHIP_IOAPIC;
  g.vm.ioapic.chip.ioapic.base_address = 0xfec00000;
  g.vm.clock.clock = 123456789;
  for (uint32_t i = 0; i < vcpus; ++i) {
    VcpuState v;
    v.regs.rip = 0x100000 + i;
    v.regs.rsp = 0x80000;
    v.sregs.cr0 = 0x80050033;
    v.xsave.assign(4096, uint8_t(i));
    v.xcrs.nr_xcrs = 1;
    v.lapic.regs[0x20] = uint8_t(i);
    v.msrs = {{0x10, 0, 0xabcdef}, {0xc0000080, 0, 0xd01}};
    v.events.exception.injected = 0;
    v.tsc_khz = 2'000'000;
    g.vcpus.push_back(v);
  }
  g.devices.uart.ier = 0x02;
  g.devices.uart.lcr = 0x03;
  g.devices.uart.rx = "typed";
  g.devices.cmos_index = 0x0b;
  g.devices.clock_us = 987654;
  for (uint32_t i = 0; i < nics; ++i) {
    VirtioMmioState n;
    n.status = 0x0f;
    n.driver_features = (1ull << 32) | (1ull << 5);
    n.active = true;
    n.queues = {{256, true, 0x1000, 0x2000, 0x3000}, {256, true, 0x5000, 0x6000, 0x7000}};
    n.positions.next_avail = {uint16_t(40 + i), 7};
    g.nics.push_back(n);
  }
  return g;
}

}  // namespace

TEST_CASE("guest state: every field survives an encode and decode", "[hv][state]") {
  GuestState in = sample_state();
  auto bytes = encode_guest_state(in);
  auto out = decode_guest_state(bytes);
  REQUIRE(out.is_ok());
  CHECK(out->config.memory_bytes == in.config.memory_bytes);
  CHECK(out->config.generation == 3);
  REQUIRE(out->config.nics.size() == 1);
  CHECK(out->config.nics[0].socket == "/tmp/vhost-0.sock");
  CHECK(out->config.nics[0].mac == in.config.nics[0].mac);
  CHECK(out->vm.ioapic.chip.ioapic.base_address == 0xfec00000);
  CHECK(out->vm.clock.clock == 123456789);
  REQUIRE(out->vcpus.size() == 2);
  CHECK(out->vcpus[1].regs.rip == 0x100001);
  CHECK(out->vcpus[1].xsave == in.vcpus[1].xsave);
  CHECK(out->vcpus[1].lapic.regs[0x20] == 1);
  REQUIRE(out->vcpus[0].msrs.size() == 2);
  CHECK(out->vcpus[0].msrs[1].index == 0xc0000080);
  CHECK(out->vcpus[0].msrs[1].data == 0xd01);
  CHECK(out->vcpus[0].tsc_khz == 2'000'000);
  CHECK(out->devices.uart.ier == 0x02);
  CHECK(out->devices.uart.rx == "typed");
  CHECK(out->devices.cmos_index == 0x0b);
  CHECK(out->devices.clock_us == 987654);
  REQUIRE(out->nics.size() == 1);
  CHECK(out->nics[0].active);
  CHECK(out->nics[0].driver_features == in.nics[0].driver_features);
  CHECK(out->nics[0].queues[1].used == 0x7000);
  CHECK(out->nics[0].positions.next_avail == std::vector<uint16_t>{40, 7});
}

TEST_CASE("guest state: a file of another format version is refused as such", "[hv][state]") {
  auto bytes = encode_guest_state(sample_state());
  const uint32_t other = kSnapshotVersion + 1;
  std::memcpy(bytes.data() + 8, &other, 4);
  auto out = decode_guest_state(bytes);
  REQUIRE_FALSE(out.is_ok());
  CHECK(out.status().code() == strata::StatusCode::kFailedPrecondition);
  CHECK_THAT(out.status().message(), Catch::Contains("format version 2") && Catch::Contains("reads version 1 only"));
}

TEST_CASE("guest state: truncated or damaged files are refused, at every length", "[hv][state]") {
  auto bytes = encode_guest_state(sample_state(1, 1));
  for (size_t len = 0; len < bytes.size(); len += 97) {
    auto out = decode_guest_state(std::span<const uint8_t>(bytes.data(), len));
    REQUIRE_FALSE(out.is_ok());
    CHECK(out.status().code() != strata::StatusCode::kOk);
  }
  auto cut = decode_guest_state(std::span<const uint8_t>(bytes.data(), bytes.size() - 1));
  CHECK_THAT(cut.status().message(), Catch::Contains("damaged or truncated"));
  bytes[bytes.size() / 2] ^= 0x40;
  auto flipped = decode_guest_state(bytes);
  REQUIRE_FALSE(flipped.is_ok());
  CHECK(flipped.status().code() == strata::StatusCode::kDataLoss);
  CHECK_THAT(flipped.status().message(), Catch::Contains("CRC-32"));
}

TEST_CASE("guest state: sections that do not fit together are refused", "[hv][state]") {
  GuestState g = sample_state(2, 1);
  auto full = encode_guest_state(g);
  auto sections = decode_snapshot(full);
  REQUIRE(sections.is_ok());
  auto rebuild = [&](auto keep) {
    std::vector<OwnedSection> out;
    for (const Section& s : *sections) {
      if (keep(s)) out.push_back({s.tag, s.index, {s.payload.begin(), s.payload.end()}});
    }
    return decode_guest_state(encode_snapshot(out));
  };
  auto no_vcpu1 = rebuild([](const Section& s) { return !(s.tag == SectionTag::kVcpu && s.index == 1); });
  CHECK_THAT(no_vcpu1.status().message(), Catch::Contains("lacks vCPU 1"));
  auto no_nic = rebuild([](const Section& s) { return s.tag != SectionTag::kNic; });
  CHECK_THAT(no_nic.status().message(), Catch::Contains("lacks NIC 0"));
  auto no_config = rebuild([](const Section& s) { return s.tag != SectionTag::kConfig; });
  CHECK_THAT(no_config.status().message(), Catch::Contains("does not start with its config"));
  // A vCPU section twice.
  std::vector<OwnedSection> dup;
  for (const Section& s : *sections) dup.push_back({s.tag, s.index, {s.payload.begin(), s.payload.end()}});
  dup.push_back(dup[2]);
  CHECK_THAT(decode_guest_state(encode_snapshot(dup)).status().message(), Catch::Contains("unexpected vCPU"));
}

TEST_CASE("guest state: a config out of range is refused before anything is built", "[hv][state]") {
  GuestConfig c;
  c.memory_bytes = 12345;  // not whole pages
  c.vcpus = 1;
  CHECK_THAT(decode_guest_config(encode_guest_config(c)).status().message(), Catch::Contains("bytes of memory"));
  c.memory_bytes = 16u << 20;
  c.vcpus = 0;
  CHECK_THAT(decode_guest_config(encode_guest_config(c)).status().message(), Catch::Contains("0 vCPUs"));
  c.vcpus = 1;
  auto ok = decode_guest_config(encode_guest_config(c));
  REQUIRE(ok.is_ok());
  CHECK(ok->memory_bytes == 16u << 20);
}

TEST_CASE("guest state: not a snapshot at all", "[hv][state]") {
  std::vector<uint8_t> junk(100, 'x');
  CHECK_THAT(decode_guest_state(junk).status().message(), Catch::Contains("no STRATAHV magic"));
  CHECK_THAT(decode_guest_state({}).status().message(), Catch::Contains("not even a header"));
}
