#include "hv/state/guest_state.h"

#include "hv/guest_memory.h"
#include "hv/layout.h"
#include "hv/state/snapshot_format.h"

namespace strata::hv::state {
namespace {

constexpr uint32_t kMaxSocketPath = 4096;
constexpr uint32_t kMaxUartInput = 4096;
constexpr uint32_t kMaxQueues = 64;
constexpr uint64_t kPageBytes = 4096;

void encode_config(const GuestConfig& c, ByteWriter& w) {
  w.u64(c.memory_bytes);
  w.u32(c.vcpus);
  w.u32(uint32_t(c.nics.size()));
  for (const NetOption& n : c.nics) {
    w.bytes(n.mac);
    w.string(n.socket);
  }
  w.u64(c.generation);
}

Status decode_config(std::span<const uint8_t> p, GuestConfig& c) {
  ByteReader r(p, "guest config");
  uint32_t nics = 0;
  r.u64(c.memory_bytes);
  r.u32(c.vcpus);
  if (r.u32(nics) && nics > layout::kMaxVirtioDevices) r.fail(std::to_string(nics) + " NICs");
  for (uint32_t i = 0; r.status().is_ok() && i < nics; ++i) {
    NetOption n;
    std::span<const uint8_t> mac;
    if (r.view(mac, n.mac.size())) std::copy(mac.begin(), mac.end(), n.mac.begin());
    r.string(n.socket, kMaxSocketPath);
    c.nics.push_back(std::move(n));
  }
  r.u64(c.generation);
  if (r.status().is_ok() && !r.at_end()) r.fail("bytes after the config");
  if (!r.status().is_ok()) return r.status();
  if (c.memory_bytes == 0 || c.memory_bytes % kPageBytes != 0 || c.memory_bytes > GuestMemory::kMaxBytes) {
    return invalid_argument("guest config: " + std::to_string(c.memory_bytes) + " bytes of memory");
  }
  if (c.vcpus == 0 || c.vcpus > kMaxVcpus) return invalid_argument("guest config: " + std::to_string(c.vcpus) + " vCPUs");
  return Status::ok();
}

void encode_devices(const DeviceStates& d, ByteWriter& w) {
  const UartState& u = d.uart;
  for (uint8_t b : {u.ier, u.lcr, u.mcr, u.scr, u.dll, u.dlm}) w.u8(b);
  w.u8(u.fifo_enabled);
  w.u8(u.thre_pending);
  w.string(u.rx);
  w.u8(d.cmos_index);
  w.u64(d.clock_us);
}

Status decode_devices(std::span<const uint8_t> p, DeviceStates& d) {
  ByteReader r(p, "device state");
  UartState& u = d.uart;
  uint8_t fifo = 0, thre = 0;
  for (uint8_t* b : {&u.ier, &u.lcr, &u.mcr, &u.scr, &u.dll, &u.dlm, &fifo, &thre}) r.u8(*b);
  u.fifo_enabled = fifo != 0;
  u.thre_pending = thre != 0;
  r.string(u.rx, kMaxUartInput);
  r.u8(d.cmos_index);
  r.u64(d.clock_us);
  if (r.status().is_ok() && !r.at_end()) r.fail("bytes after the device state");
  return r.status();
}

void encode_nic(const VirtioMmioState& s, ByteWriter& w) {
  w.u32(s.status);
  w.u32(s.device_features_sel);
  w.u32(s.driver_features_sel);
  w.u64(s.driver_features);
  w.u32(s.queue_sel);
  w.u32(s.config_generation);
  w.u8(s.active);
  w.u32(uint32_t(s.queues.size()));
  for (size_t i = 0; i < s.queues.size(); ++i) {
    const VirtQueueConfig& q = s.queues[i];
    w.u16(q.size);
    w.u8(q.ready);
    w.u64(q.desc);
    w.u64(q.avail);
    w.u64(q.used);
    w.u16(i < s.positions.next_avail.size() ? s.positions.next_avail[i] : 0);
  }
}

Status decode_nic(std::span<const uint8_t> p, VirtioMmioState& s) {
  ByteReader r(p, "NIC state");
  uint8_t active = 0;
  uint32_t queues = 0;
  r.u32(s.status);
  r.u32(s.device_features_sel);
  r.u32(s.driver_features_sel);
  r.u64(s.driver_features);
  r.u32(s.queue_sel);
  r.u32(s.config_generation);
  r.u8(active);
  s.active = active != 0;
  if (r.u32(queues) && queues > kMaxQueues) r.fail(std::to_string(queues) + " queues");
  for (uint32_t i = 0; r.status().is_ok() && i < queues; ++i) {
    VirtQueueConfig q;
    uint8_t ready = 0;
    uint16_t next = 0;
    r.u16(q.size);
    r.u8(ready);
    q.ready = ready != 0;
    r.u64(q.desc);
    r.u64(q.avail);
    r.u64(q.used);
    r.u16(next);
    s.queues.push_back(q);
    s.positions.next_avail.push_back(next);
  }
  if (r.status().is_ok() && !r.at_end()) r.fail("bytes after the NIC state");
  return r.status();
}

template <typename F>
std::vector<uint8_t> encoded(F&& f) {
  ByteWriter w;
  f(w);
  return w.take();
}

}  // namespace

std::vector<uint8_t> encode_guest_config(const GuestConfig& c) {
  return encoded([&](ByteWriter& w) { encode_config(c, w); });
}

Result<GuestConfig> decode_guest_config(std::span<const uint8_t> bytes) {
  GuestConfig c;
  STRATA_RETURN_IF_ERROR(decode_config(bytes, c));
  return c;
}

std::vector<uint8_t> encode_guest_state(const GuestState& s) {
  std::vector<OwnedSection> sections;
  sections.push_back({SectionTag::kConfig, 0, encoded([&](ByteWriter& w) { encode_config(s.config, w); })});
  sections.push_back({SectionTag::kVm, 0, encoded([&](ByteWriter& w) { encode_vm(s.vm, w); })});
  for (uint32_t i = 0; i < s.vcpus.size(); ++i) {
    sections.push_back({SectionTag::kVcpu, i, encoded([&](ByteWriter& w) { encode_vcpu(s.vcpus[i], w); })});
  }
  sections.push_back({SectionTag::kDevices, 0, encoded([&](ByteWriter& w) { encode_devices(s.devices, w); })});
  for (uint32_t i = 0; i < s.nics.size(); ++i) {
    sections.push_back({SectionTag::kNic, i, encoded([&](ByteWriter& w) { encode_nic(s.nics[i], w); })});
  }
  return encode_snapshot(sections);
}

Result<GuestState> decode_guest_state(std::span<const uint8_t> bytes) {
  auto sections = decode_snapshot(bytes);
  if (!sections) return sections.status();
  GuestState g;
  bool have_config = false, have_vm = false, have_devices = false;
  std::vector<bool> have_vcpu, have_nic;
  // The config comes first: it says how many vCPUs and NICs to expect.
  if (sections->empty() || sections->front().tag != SectionTag::kConfig) {
    return invalid_argument("guest state does not start with its config");
  }
  for (const Section& s : *sections) {
    const std::string which = " (section index " + std::to_string(s.index) + ")";
    switch (s.tag) {
      case SectionTag::kConfig:
        if (have_config) return invalid_argument("guest state has two configs");
        STRATA_RETURN_IF_ERROR(decode_config(s.payload, g.config));
        have_config = true;
        have_vcpu.assign(g.config.vcpus, false);
        have_nic.assign(g.config.nics.size(), false);
        g.vcpus.resize(g.config.vcpus);
        g.nics.resize(g.config.nics.size());
        break;
      case SectionTag::kVm: {
        if (have_vm) return invalid_argument("guest state has two VM sections");
        auto vm = decode_vm(s.payload);
        if (!vm) return vm.status();
        g.vm = *vm;
        have_vm = true;
        break;
      }
      case SectionTag::kVcpu: {
        if (s.index >= have_vcpu.size() || have_vcpu[s.index]) {
          return invalid_argument("guest state has an unexpected vCPU" + which);
        }
        auto v = decode_vcpu(s.payload);
        if (!v) return v.status().with_context("vCPU " + std::to_string(s.index));
        g.vcpus[s.index] = std::move(*v);
        have_vcpu[s.index] = true;
        break;
      }
      case SectionTag::kDevices:
        if (have_devices) return invalid_argument("guest state has two device sections");
        STRATA_RETURN_IF_ERROR(decode_devices(s.payload, g.devices));
        have_devices = true;
        break;
      case SectionTag::kNic:
        if (s.index >= have_nic.size() || have_nic[s.index]) {
          return invalid_argument("guest state has an unexpected NIC" + which);
        }
        STRATA_RETURN_IF_ERROR(decode_nic(s.payload, g.nics[s.index]).with_context("NIC " + std::to_string(s.index)));
        have_nic[s.index] = true;
        break;
      default:
        return invalid_argument("guest state has a section of unknown kind " + std::to_string(uint32_t(s.tag)));
    }
  }
  if (!have_vm || !have_devices) return invalid_argument("guest state lacks its VM or device section");
  for (size_t i = 0; i < have_vcpu.size(); ++i) {
    if (!have_vcpu[i]) return invalid_argument("guest state lacks vCPU " + std::to_string(i));
  }
  for (size_t i = 0; i < have_nic.size(); ++i) {
    if (!have_nic[i]) return invalid_argument("guest state lacks NIC " + std::to_string(i));
  }
  return g;
}

}  // namespace strata::hv::state
