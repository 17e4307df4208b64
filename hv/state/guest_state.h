// GuestState: one guest, whole, minus its RAM: how it was built (memory
// size, vCPUs, NICs), the VM's and every vCPU's KVM state, and each
// device's. A snapshot's `state` file and a migration's last message are
// this, encoded in the snapshot container (snapshot_format.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "hv/devices/uart.h"
#include "hv/devices/virtio_mmio.h"
#include "hv/options.h"
#include "hv/state/vcpu_state.h"
#include "hv/state/vm_state.h"

namespace strata::hv::state {

// How the guest was built: what a restore must rebuild before any state fits.
struct GuestConfig {
  uint64_t memory_bytes = 0;          // guest RAM
  uint32_t vcpus = 0;                 // vCPU count
  std::vector<NetOption> nics;        // per NIC: MAC, and the socket it last used
  uint64_t generation = 0;            // clone generation the guest can read; bumped per clone
};

// The emulated devices other than the NICs.
struct DeviceStates {
  UartState uart;           // COM1
  uint8_t cmos_index = 0;   // CMOS register selected
  uint64_t clock_us = 0;    // the control port's clock when saved
};

struct GuestState {
  GuestConfig config;                  // how to rebuild it
  VmState vm;                          // irqchips, PIT, kvmclock
  std::vector<VcpuState> vcpus;        // index = vCPU number
  DeviceStates devices;                // UART, CMOS, clock
  std::vector<VirtioMmioState> nics;   // index = NIC number
};

std::vector<uint8_t> encode_guest_state(const GuestState& s);
// The config alone: what a migration's destination builds before any state.
std::vector<uint8_t> encode_guest_config(const GuestConfig& c);
Result<GuestConfig> decode_guest_config(std::span<const uint8_t> bytes);
// Refuses anything that does not fit together (a vCPU or NIC missing or
// twice, a size out of range) with a reason, so nothing is half-restored.
Result<GuestState> decode_guest_state(std::span<const uint8_t> bytes);

}  // namespace strata::hv::state
