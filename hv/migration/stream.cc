#include "hv/migration/stream.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstring>

#include "hv/os_error.h"
#include "hv/state/byte_codec.h"

namespace strata::hv::migration {
namespace {

uint64_t max_payload(MessageType t) {
  switch (t) {
    case MessageType::kPages: return 8 + kMaxPagesPayload;
    case MessageType::kMemfd:
    case MessageType::kReady: return 0;
    case MessageType::kDone: return 8;
    case MessageType::kError: return 4096;
    case MessageType::kHello:
    case MessageType::kState: return kMaxMessagePayload;
  }
  return 0;
}

}  // namespace

const char* message_type_name(MessageType t) {
  switch (t) {
    case MessageType::kHello: return "HELLO";
    case MessageType::kMemfd: return "MEMFD";
    case MessageType::kPages: return "PAGES";
    case MessageType::kState: return "STATE";
    case MessageType::kReady: return "READY";
    case MessageType::kDone: return "DONE";
    case MessageType::kError: return "ERROR";
  }
  return "?";
}

std::vector<uint8_t> encode_header(MessageType type, uint64_t length) {
  state::ByteWriter w;
  w.u32(kStreamMagic);
  w.u32(uint32_t(type));
  w.u64(length);
  return w.take();
}

Result<MessageHeader> decode_header(std::span<const uint8_t> bytes) {
  state::ByteReader r(bytes, "migration message header");
  uint32_t magic = 0, type = 0;
  uint64_t length = 0;
  r.u32(magic);
  r.u32(type);
  r.u64(length);
  if (!r.status().is_ok()) return r.status();
  if (magic != kStreamMagic) return invalid_argument("not a strata-hv migration stream (bad magic)");
  if (type < uint32_t(MessageType::kHello) || type > uint32_t(MessageType::kError)) {
    return invalid_argument("migration message of unknown type " + std::to_string(type));
  }
  MessageHeader h{MessageType(type), length};
  if (length > max_payload(h.type)) {
    return invalid_argument(std::string("migration ") + message_type_name(h.type) + " message claims " +
                            std::to_string(length) + " bytes");
  }
  return h;
}

Result<PageRun> decode_pages(std::span<const uint8_t> payload, uint64_t memory_bytes) {
  state::ByteReader r(payload, "migration PAGES message");
  PageRun run{};
  if (!r.u64(run.gpa)) return r.status();
  const uint64_t n = r.remaining();
  if (n == 0 || n % kPageBytes != 0 || run.gpa % kPageBytes != 0) {
    return invalid_argument("migration PAGES message of " + std::to_string(n) + " bytes at " + std::to_string(run.gpa) +
                            " is not whole pages");
  }
  if (run.gpa > memory_bytes || n > memory_bytes - run.gpa) {
    return invalid_argument("migration PAGES message reaches past the guest's " + std::to_string(memory_bytes >> 20) +
                            " MiB");
  }
  r.view(run.bytes, n);
  return run;
}

std::vector<uint8_t> encode_hello(std::span<const uint8_t> config) {
  state::ByteWriter w;
  w.u32(kStreamVersion);
  w.bytes(config);
  return w.take();
}

Result<std::span<const uint8_t>> decode_hello(std::span<const uint8_t> payload) {
  state::ByteReader r(payload, "migration HELLO");
  uint32_t version = 0;
  if (!r.u32(version)) return r.status();
  if (version != kStreamVersion) {
    return failed_precondition("the source speaks migration stream version " + std::to_string(version) +
                               ", this strata-hv version " + std::to_string(kStreamVersion));
  }
  return payload.subspan(4);
}

Status Channel::write_all(const uint8_t* p, size_t n, int fd) {
  bool fd_sent = fd < 0;
  while (n > 0) {
    iovec iov{const_cast<uint8_t*>(p), n};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (!fd_sent) {
      mh.msg_control = control;
      mh.msg_controllen = sizeof control;
      cmsghdr* cm = CMSG_FIRSTHDR(&mh);
      cm->cmsg_level = SOL_SOCKET;
      cm->cmsg_type = SCM_RIGHTS;
      cm->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    }
    ssize_t w = ::sendmsg(fd_.get(), &mh, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return os_error("migration stream: send failed");
    fd_sent = true;
    p += w;
    n -= size_t(w);
  }
  return Status::ok();
}

Status Channel::send(MessageType type, std::span<const uint8_t> payload, int fd) {
  auto header = encode_header(type, payload.size());
  // The fd rides on the header's bytes, so the receiver has it with them.
  STRATA_RETURN_IF_ERROR(write_all(header.data(), header.size(), fd));
  return write_all(payload.data(), payload.size(), -1);
}

Status Channel::send_pages(uint64_t gpa, const uint8_t* pages, uint64_t bytes) {
  auto header = encode_header(MessageType::kPages, 8 + bytes);
  uint8_t gpa_bytes[8];
  std::memcpy(gpa_bytes, &gpa, 8);
  STRATA_RETURN_IF_ERROR(write_all(header.data(), header.size(), -1));
  STRATA_RETURN_IF_ERROR(write_all(gpa_bytes, sizeof gpa_bytes, -1));
  return write_all(pages, bytes, -1);
}

Status Channel::read_exact(uint8_t* p, size_t n, int timeout_ms, UniqueFd* fd_out) {
  while (n > 0) {
    pollfd pfd{fd_.get(), POLLIN, 0};
    int rc = ::poll(&pfd, 1, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return os_error("migration stream: poll failed");
    if (rc == 0) {
      return Status(StatusCode::kDeadlineExceeded,
                    "migration peer sent nothing for " + std::to_string(timeout_ms / 1000) + " s");
    }
    iovec iov{p, n};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    mh.msg_control = control;
    mh.msg_controllen = sizeof control;
    ssize_t got = ::recvmsg(fd_.get(), &mh, MSG_CMSG_CLOEXEC);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return os_error("migration stream: receive failed");
    if (got == 0) return unavailable("migration peer closed the connection");
    for (cmsghdr* cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
      if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
      size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
        if (fd_out && !fd_out->valid()) {
          fd_out->reset(fd);
        } else {
          ::close(fd);  // not expected here: never leak it
        }
      }
    }
    p += got;
    n -= size_t(got);
  }
  return Status::ok();
}

Result<Message> Channel::receive(int timeout_ms) {
  uint8_t head[kHeaderBytes];
  Message m;
  STRATA_RETURN_IF_ERROR(read_exact(head, sizeof head, timeout_ms, &m.fd));
  auto h = decode_header(head);
  if (!h) return h.status();
  m.type = h->type;
  m.payload.resize(size_t(h->length));
  STRATA_RETURN_IF_ERROR(read_exact(m.payload.data(), m.payload.size(), timeout_ms, nullptr));
  if (m.type == MessageType::kError) {
    return failed_precondition("the other end of the migration gave up: " + std::string(m.payload.begin(), m.payload.end()));
  }
  return m;
}

}  // namespace strata::hv::migration
