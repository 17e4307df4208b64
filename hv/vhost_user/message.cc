#include "hv/vhost_user/message.h"

#include <cstring>
#include <string>

namespace strata::hv::vhost_user {
namespace {

template <typename T>
std::span<const uint8_t> bytes_of(const T& v) {
  return {reinterpret_cast<const uint8_t*>(&v), sizeof v};
}

}  // namespace

const char* request_name(Request r) {
  switch (r) {
    case Request::kGetFeatures: return "GET_FEATURES";
    case Request::kSetFeatures: return "SET_FEATURES";
    case Request::kSetOwner: return "SET_OWNER";
    case Request::kResetOwner: return "RESET_OWNER";
    case Request::kSetMemTable: return "SET_MEM_TABLE";
    case Request::kSetVringNum: return "SET_VRING_NUM";
    case Request::kSetVringAddr: return "SET_VRING_ADDR";
    case Request::kSetVringBase: return "SET_VRING_BASE";
    case Request::kGetVringBase: return "GET_VRING_BASE";
    case Request::kSetVringKick: return "SET_VRING_KICK";
    case Request::kSetVringCall: return "SET_VRING_CALL";
    case Request::kGetProtocolFeatures: return "GET_PROTOCOL_FEATURES";
    case Request::kSetProtocolFeatures: return "SET_PROTOCOL_FEATURES";
    case Request::kGetQueueNum: return "GET_QUEUE_NUM";
    case Request::kSetVringEnable: return "SET_VRING_ENABLE";
    case Request::kSetLogBase: return "SET_LOG_BASE";
    case Request::kSendRarp: return "SEND_RARP";
  }
  return "UNKNOWN";
}

std::vector<uint8_t> encode(Request r, std::span<const uint8_t> payload, bool need_reply) {
  Header h{uint32_t(r), kVersion | (need_reply ? kFlagNeedReply : 0), uint32_t(payload.size())};
  std::vector<uint8_t> msg(kHeaderSize + payload.size());
  std::memcpy(msg.data(), &h, kHeaderSize);
  if (!payload.empty()) std::memcpy(msg.data() + kHeaderSize, payload.data(), payload.size());
  return msg;
}

std::vector<uint8_t> encode_empty(Request r, bool need_reply) { return encode(r, {}, need_reply); }

std::vector<uint8_t> encode_u64(Request r, uint64_t value, bool need_reply) {
  return encode(r, bytes_of(value), need_reply);
}

std::vector<uint8_t> encode_vring_state(Request r, VringState s, bool need_reply) {
  return encode(r, bytes_of(s), need_reply);
}

std::vector<uint8_t> encode_vring_addr(const VringAddr& a, bool need_reply) {
  static_assert(sizeof(VringAddr) == 40, "struct vhost_vring_addr is 40 bytes on the wire");
  return encode(Request::kSetVringAddr, bytes_of(a), need_reply);
}

Result<std::vector<uint8_t>> encode_mem_table(std::span<const MemoryRegion> regions, bool need_reply) {
  static_assert(sizeof(MemoryRegion) == 32, "a memory region is 32 bytes on the wire");
  if (regions.empty() || regions.size() > kMaxMemRegions) {
    return invalid_argument("SET_MEM_TABLE takes 1.." + std::to_string(kMaxMemRegions) + " regions, not " +
                            std::to_string(regions.size()));
  }
  // u32 nregions, u32 padding, then the regions.
  std::vector<uint8_t> payload(8 + regions.size() * sizeof(MemoryRegion), 0);
  uint32_t n = uint32_t(regions.size());
  std::memcpy(payload.data(), &n, sizeof n);
  std::memcpy(payload.data() + 8, regions.data(), regions.size() * sizeof(MemoryRegion));
  return encode(Request::kSetMemTable, payload, need_reply);
}

Result<Header> decode_reply_header(std::span<const uint8_t> bytes, Request expected) {
  std::string what = std::string("vhost-user reply to ") + request_name(expected);
  if (bytes.size() < kHeaderSize) return data_loss(what + " is shorter than a header");
  Header h;
  std::memcpy(&h, bytes.data(), kHeaderSize);
  if ((h.flags & 0x3) != kVersion) {
    return data_loss(what + " has protocol version " + std::to_string(h.flags & 0x3) + ", expected 1");
  }
  if (!(h.flags & kFlagReply)) return data_loss(what + " lacks the reply flag");
  if (h.request != uint32_t(expected)) {
    return data_loss(what + " answers request " + std::to_string(h.request) + " instead");
  }
  if (h.size > kMaxPayload) return data_loss(what + " claims " + std::to_string(h.size) + " payload bytes");
  return h;
}

Result<uint64_t> decode_u64_reply(std::span<const uint8_t> bytes, Request expected) {
  auto h = decode_reply_header(bytes, expected);
  if (!h) return h.status();
  if (h->size != sizeof(uint64_t) || bytes.size() != kHeaderSize + sizeof(uint64_t)) {
    return data_loss(std::string("vhost-user reply to ") + request_name(expected) + " has " +
                     std::to_string(h->size) + " payload bytes, expected 8");
  }
  uint64_t v;
  std::memcpy(&v, bytes.data() + kHeaderSize, sizeof v);
  return v;
}

Result<VringState> decode_vring_state_reply(std::span<const uint8_t> bytes, Request expected) {
  auto h = decode_reply_header(bytes, expected);
  if (!h) return h.status();
  if (h->size != sizeof(VringState) || bytes.size() != kHeaderSize + sizeof(VringState)) {
    return data_loss(std::string("vhost-user reply to ") + request_name(expected) + " has " +
                     std::to_string(h->size) + " payload bytes, expected 8");
  }
  VringState s;
  std::memcpy(&s, bytes.data() + kHeaderSize, sizeof s);
  return s;
}

std::vector<uint8_t> encode_log_base(uint64_t mmap_size, uint64_t mmap_offset) {
  const uint64_t payload[2] = {mmap_size, mmap_offset};
  // Never with NEED_REPLY: with LOG_SHMFD the backend always answers
  // SET_LOG_BASE, with an empty payload.
  return encode(Request::kSetLogBase, {reinterpret_cast<const uint8_t*>(payload), sizeof payload});
}

std::vector<uint8_t> encode_rarp(std::span<const uint8_t, 6> mac, bool need_reply) {
  uint64_t v = 0;
  std::memcpy(&v, mac.data(), mac.size());
  return encode_u64(Request::kSendRarp, v, need_reply);
}

Status decode_empty_reply(std::span<const uint8_t> bytes, Request expected) {
  auto h = decode_reply_header(bytes, expected);
  if (!h) return h.status();
  if (h->size != 0 || bytes.size() != kHeaderSize) {
    return data_loss(std::string("vhost-user reply to ") + request_name(expected) + " has " +
                     std::to_string(h->size) + " payload bytes, expected none");
  }
  return Status::ok();
}

}  // namespace strata::hv::vhost_user
