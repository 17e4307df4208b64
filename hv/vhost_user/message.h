// The vhost-user wire format (QEMU's docs/interop/vhost-user.rst), as the
// frontend uses it: encoding requests and decoding the backend's replies.
// Pure byte work, so it is unit-tested and the reply decoder is fuzzed.
//
// Every message is a 12-byte header {u32 request, u32 flags, u32 size} and
// `size` bytes of payload; file descriptors travel alongside as SCM_RIGHTS.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"

namespace strata::hv::vhost_user {

enum class Request : uint32_t {
  kGetFeatures = 1,
  kSetFeatures = 2,
  kSetOwner = 3,
  kResetOwner = 4,
  kSetMemTable = 5,
  kSetLogBase = 6,
  kSetVringNum = 8,
  kSetVringAddr = 9,
  kSetVringBase = 10,
  kGetVringBase = 11,
  kSetVringKick = 12,
  kSetVringCall = 13,
  kGetProtocolFeatures = 15,
  kSetProtocolFeatures = 16,
  kGetQueueNum = 17,
  kSetVringEnable = 18,
  kSendRarp = 19,
};
const char* request_name(Request r);

constexpr size_t kHeaderSize = 12;
constexpr uint32_t kVersion = 0x1;              // flags bits 0-1
constexpr uint32_t kFlagReply = 1u << 2;        // set by the backend on replies
constexpr uint32_t kFlagNeedReply = 1u << 3;    // REPLY_ACK: ask for a u64 status reply
constexpr uint32_t kMaxPayload = 4096;          // larger replies are refused as malformed
constexpr size_t kMaxMemRegions = 8;            // without CONFIGURE_MEM_SLOTS

// Virtio feature bit 30 in GET/SET_FEATURES: the backend speaks protocol features.
constexpr uint64_t kFeatureProtocolFeatures = 1ull << 30;
// Protocol feature bits (GET/SET_PROTOCOL_FEATURES).
constexpr uint64_t kProtocolMq = 1ull << 0;
constexpr uint64_t kProtocolLogShmfd = 1ull << 1;  // SET_LOG_BASE carries the dirty log as an fd
constexpr uint64_t kProtocolRarp = 1ull << 2;      // SEND_RARP: the backend announces a moved guest
constexpr uint64_t kProtocolReplyAck = 1ull << 3;
// Virtio feature bit 26 in SET_FEATURES: the backend logs every guest-memory
// write it makes in the dirty log (live migration).
constexpr uint64_t kFeatureLogAll = 1ull << 26;
// SET_VRING_ADDR flags bit 0: log the used ring's writes at `log`.
constexpr uint32_t kVringFLog = 1u << 0;
// SET_VRING_KICK/CALL payload: bits 0-7 queue index, bit 8 "no fd" (polling).
constexpr uint64_t kVringNoFd = 1ull << 8;

struct MemoryRegion {
  uint64_t guest_phys_addr;  // where the region starts in the guest
  uint64_t memory_size;      // its length
  uint64_t userspace_addr;   // where the frontend mapped it (vring addresses are in this space)
  uint64_t mmap_offset;      // offset of the region in the fd sent with the message
};

struct VringAddr {
  uint32_t index;      // queue index
  uint32_t flags;      // bit 0: log used ring writes (not used by strata-hv)
  uint64_t desc;       // frontend address of the descriptor table
  uint64_t used;       // frontend address of the used ring
  uint64_t avail;      // frontend address of the avail ring
  uint64_t log;        // guest address for dirty logging (unused: 0)
};

struct VringState {
  uint32_t index;  // queue index
  uint32_t num;    // a size, a base index or an enable flag, per request
};

struct Header {
  uint32_t request;  // Request value
  uint32_t flags;    // version, reply and need-reply bits
  uint32_t size;     // payload bytes that follow
};

// Encoders return the whole message (header and payload).
std::vector<uint8_t> encode(Request r, std::span<const uint8_t> payload, bool need_reply = false);
std::vector<uint8_t> encode_empty(Request r, bool need_reply = false);
std::vector<uint8_t> encode_u64(Request r, uint64_t value, bool need_reply = false);
std::vector<uint8_t> encode_vring_state(Request r, VringState s, bool need_reply = false);
std::vector<uint8_t> encode_vring_addr(const VringAddr& a, bool need_reply = false);
Result<std::vector<uint8_t>> encode_mem_table(std::span<const MemoryRegion> regions, bool need_reply = false);
// SET_LOG_BASE: the dirty log's size and its offset in the fd sent alongside.
std::vector<uint8_t> encode_log_base(uint64_t mmap_size, uint64_t mmap_offset);
// SEND_RARP: the MAC in the first six bytes of a u64.
std::vector<uint8_t> encode_rarp(std::span<const uint8_t, 6> mac, bool need_reply = false);

// Checks a reply header: right version, reply bit set, the request it answers,
// a payload size within kMaxPayload.
Result<Header> decode_reply_header(std::span<const uint8_t> bytes, Request expected);
// Decodes a full reply (header and payload) carrying a u64 / a vring state.
Result<uint64_t> decode_u64_reply(std::span<const uint8_t> bytes, Request expected);
Result<VringState> decode_vring_state_reply(std::span<const uint8_t> bytes, Request expected);
// A reply with no payload (SET_LOG_BASE's acknowledgement).
Status decode_empty_reply(std::span<const uint8_t> bytes, Request expected);

}  // namespace strata::hv::vhost_user
