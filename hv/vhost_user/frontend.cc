#include "hv/vhost_user/frontend.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "hv/os_error.h"

namespace strata::hv::vhost_user {

Result<std::unique_ptr<Frontend>> Frontend::connect(const std::string& socket_path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) {
    return invalid_argument("vhost-user socket path '" + socket_path + "' is longer than " +
                            std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return os_error("cannot create a socket for vhost-user " + socket_path);
  if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Status s = os_error("cannot connect to vhost-user socket " + socket_path);
    return Status(StatusCode::kUnavailable, s.message() + " (is the switch serving this port?)");
  }
  std::unique_ptr<Frontend> fe(new Frontend(socket_path, std::move(sock)));

  STRATA_RETURN_IF_ERROR(fe->send(encode_empty(Request::kGetFeatures)));
  auto reply = fe->receive(Request::kGetFeatures);
  if (!reply) return reply.status();
  auto features = decode_u64_reply(*reply, Request::kGetFeatures);
  if (!features) return fe->context(features.status());
  fe->features_ = *features;

  if (fe->has_protocol_features()) {
    STRATA_RETURN_IF_ERROR(fe->send(encode_empty(Request::kGetProtocolFeatures)));
    auto preply = fe->receive(Request::kGetProtocolFeatures);
    if (!preply) return preply.status();
    auto offered = decode_u64_reply(*preply, Request::kGetProtocolFeatures);
    if (!offered) return fe->context(offered.status());
    fe->protocol_features_ = *offered & kWantedProtocolFeatures;
    // Sent before REPLY_ACK is in force, so no reply is expected for it.
    STRATA_RETURN_IF_ERROR(fe->send(encode_u64(Request::kSetProtocolFeatures, fe->protocol_features_)));
  }
  STRATA_RETURN_IF_ERROR(fe->send_setting(Request::kSetOwner, encode_empty(Request::kSetOwner, fe->reply_ack())));
  return fe;
}

Status Frontend::send(const std::vector<uint8_t>& msg, std::span<const int> fds) {
  iovec iov{const_cast<uint8_t*>(msg.data()), msg.size()};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxMemRegions)];
  if (!fds.empty()) {
    if (fds.size() > kMaxMemRegions) return internal_error("too many fds for one vhost-user message");
    std::memset(control, 0, sizeof control);
    mh.msg_control = control;
    mh.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(cm), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t n;
  do {
    n = ::sendmsg(sock_.get(), &mh, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return context(os_error("send failed"));
  if (size_t(n) != msg.size()) return context(unavailable("short send"));
  return Status::ok();
}

Result<std::vector<uint8_t>> Frontend::receive(Request expected) {
  std::vector<uint8_t> msg(kHeaderSize);
  size_t have = 0, want = kHeaderSize;
  while (have < want) {
    pollfd p{sock_.get(), POLLIN, 0};
    int r = ::poll(&p, 1, kReplyTimeoutMs);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return context(os_error("poll failed"));
    if (r == 0) {
      return context(Status(StatusCode::kDeadlineExceeded, std::string("backend did not answer ") +
                                                               request_name(expected) + " within " +
                                                               std::to_string(kReplyTimeoutMs / 1000) + " s"));
    }
    ssize_t n = ::recv(sock_.get(), msg.data() + have, want - have, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return context(os_error("receive failed"));
    if (n == 0) {
      return context(unavailable(std::string("backend closed the connection instead of answering ") +
                                 request_name(expected)));
    }
    have += size_t(n);
    if (have == kHeaderSize && want == kHeaderSize) {
      auto h = decode_reply_header(msg, expected);
      if (!h) return context(h.status());
      want = kHeaderSize + h->size;
      msg.resize(want);
    }
  }
  return msg;
}

Status Frontend::send_setting(Request r, const std::vector<uint8_t>& msg, std::span<const int> fds) {
  STRATA_RETURN_IF_ERROR(send(msg, fds));
  if (!reply_ack()) return Status::ok();
  auto reply = receive(r);
  if (!reply) return reply.status();
  auto verdict = decode_u64_reply(*reply, r);
  if (!verdict) return context(verdict.status());
  if (*verdict != 0) {
    return context(failed_precondition(std::string("backend refused ") + request_name(r) + " (status " +
                                       std::to_string(*verdict) + ")"));
  }
  return Status::ok();
}

Status Frontend::set_features(uint64_t features) {
  return send_setting(Request::kSetFeatures, encode_u64(Request::kSetFeatures, features, reply_ack()));
}

Status Frontend::set_mem_table(std::span<const MemoryRegion> regions, std::span<const int> fds) {
  auto msg = encode_mem_table(regions, reply_ack());
  if (!msg) return context(msg.status());
  return send_setting(Request::kSetMemTable, *msg, fds);
}

Status Frontend::set_vring_num(uint32_t index, uint32_t num) {
  return send_setting(Request::kSetVringNum, encode_vring_state(Request::kSetVringNum, {index, num}, reply_ack()));
}

Status Frontend::set_vring_base(uint32_t index, uint32_t base) {
  return send_setting(Request::kSetVringBase, encode_vring_state(Request::kSetVringBase, {index, base}, reply_ack()));
}

Status Frontend::set_vring_addr(const VringAddr& addr) {
  return send_setting(Request::kSetVringAddr, encode_vring_addr(addr, reply_ack()));
}

Status Frontend::set_vring_kick(uint32_t index, int fd) {
  int fds[] = {fd};
  return send_setting(Request::kSetVringKick, encode_u64(Request::kSetVringKick, index, reply_ack()), fds);
}

Status Frontend::set_vring_call(uint32_t index, int fd) {
  int fds[] = {fd};
  return send_setting(Request::kSetVringCall, encode_u64(Request::kSetVringCall, index, reply_ack()), fds);
}

Status Frontend::set_vring_enable(uint32_t index, bool enable) {
  return send_setting(Request::kSetVringEnable,
                      encode_vring_state(Request::kSetVringEnable, {index, enable ? 1u : 0u}, reply_ack()));
}

Result<uint32_t> Frontend::get_vring_base(uint32_t index) {
  STRATA_RETURN_IF_ERROR(send(encode_vring_state(Request::kGetVringBase, {index, 0})));
  auto reply = receive(Request::kGetVringBase);
  if (!reply) return reply.status();
  auto state = decode_vring_state_reply(*reply, Request::kGetVringBase);
  if (!state) return context(state.status());
  return state->num;
}

Status Frontend::send_rarp(std::span<const uint8_t, 6> mac) {
  return send_setting(Request::kSendRarp, encode_rarp(mac, reply_ack()));
}

Status Frontend::set_log_base(int fd, uint64_t bytes) {
  int fds[] = {fd};
  STRATA_RETURN_IF_ERROR(send(encode_log_base(bytes, 0), fds));
  auto reply = receive(Request::kSetLogBase);
  if (!reply) return reply.status();
  return context(decode_empty_reply(*reply, Request::kSetLogBase));
}

}  // namespace strata::hv::vhost_user
