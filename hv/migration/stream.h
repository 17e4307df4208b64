// The live-migration stream between two strata-hv processes: framed
// messages, each a 16-byte header {u32 magic "SHVM", u32 type, u64 length}
// and its payload; the guest's memfd travels beside kMemfd as SCM_RIGHTS.
//
//   source -> destination                 destination -> source
//   kHello   version + guest config         kReady   built, NICs connected
//   kMemfd   (unix only) the RAM's memfd    kError   reason text (any time)
//   kPages   u64 gpa + whole 4 KiB pages    kDone    u64 restore µs: running here
//   kState   the GuestState encoding
//
// The decoders here are the only code that reads the peer's bytes
// (fuzzed); Channel moves whole messages with a deadline on every wait.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "hv/unique_fd.h"

namespace strata::hv::migration {

constexpr uint32_t kStreamMagic = 0x4d564853;  // "SHVM" little-endian
constexpr uint32_t kStreamVersion = 1;
constexpr size_t kHeaderBytes = 16;
constexpr uint64_t kPageBytes = 4096;
// Pages travel in runs of at most this many bytes per message.
constexpr uint64_t kMaxPagesPayload = 8u << 20;
constexpr uint64_t kMaxMessagePayload = 64u << 20;  // the state is far below this

enum class MessageType : uint32_t {
  kHello = 1,
  kMemfd = 2,
  kPages = 3,
  kState = 4,
  kReady = 5,
  kDone = 6,
  kError = 7,
};
const char* message_type_name(MessageType t);

struct MessageHeader {
  MessageType type;  // what follows
  uint64_t length;   // payload bytes
};

struct PageRun {
  uint64_t gpa;                    // guest-physical address of the first page
  std::span<const uint8_t> bytes;  // whole pages, a view into the payload
};

std::vector<uint8_t> encode_header(MessageType type, uint64_t length);
// Checks the magic, a known type and a length within that type's limit.
Result<MessageHeader> decode_header(std::span<const uint8_t> bytes);
// A kPages payload, checked against guest RAM of `memory_bytes`.
Result<PageRun> decode_pages(std::span<const uint8_t> payload, uint64_t memory_bytes);
// kHello: {u32 version, config bytes}. The config is decoded by the caller.
std::vector<uint8_t> encode_hello(std::span<const uint8_t> config);
Result<std::span<const uint8_t>> decode_hello(std::span<const uint8_t> payload);

struct Message {
  MessageType type = MessageType::kError;  // what it is
  std::vector<uint8_t> payload;            // its bytes
  UniqueFd fd;                             // a file descriptor that came with it (kMemfd)
};

// One end of a migration connection.
class Channel {
 public:
  explicit Channel(UniqueFd fd) : fd_(std::move(fd)) {}
  Status send(MessageType type, std::span<const uint8_t> payload, int fd = -1);
  // kPages from guest memory without an intermediate copy.
  Status send_pages(uint64_t gpa, const uint8_t* pages, uint64_t bytes);
  // Waits at most `timeout_ms` for the next message; a kError from the
  // peer comes back as a Status carrying its reason.
  Result<Message> receive(int timeout_ms);

 private:
  Status write_all(const uint8_t* p, size_t n, int fd);
  Status read_exact(uint8_t* p, size_t n, int timeout_ms, UniqueFd* fd_out);

  UniqueFd fd_;  // the connected socket
};

}  // namespace strata::hv::migration
