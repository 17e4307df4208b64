#include "ofproto/of_session.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace strata::ofproto {

namespace {
constexpr size_t kReadChunk = 65536;
constexpr size_t kMaxReadPerTurn = 4 << 20;   // bytes read per poll turn, so one peer cannot hog the loop
constexpr size_t kMaxTxBacklog = 256 << 20;   // a peer that stops reading is dropped
}  // namespace

OfSession::OfSession(int fd, std::string peer, MessageHandler* handler, uint64_t now_ms)
    : fd_(fd), peer_(std::move(peer)), handler_(handler), last_rx_ms_(now_ms) {
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  // Defaults of OpenFlow 1.3 (A.3.10): masters and equals get packet-ins
  // for misses and actions, everything about ports and removed flows.
  async.packet_in_mask = {(1u << ofp::kPrNoMatch) | (1u << ofp::kPrAction), 0};
  async.port_status_mask = {0x7, 0x7};
  async.flow_removed_mask = {0xf, 0};
  // HELLO with a version bitmap saying "1.3 only".
  std::vector<uint8_t> hello;
  Writer w(hello);
  w.u8(ofp::kVersion);
  w.u8(ofp::kHello);
  w.u16(16);
  w.u32(next_xid());
  w.u16(1);  // OFPHET_VERSIONBITMAP
  w.u16(8);
  w.u32(1u << ofp::kVersion);
  send(hello);
}

OfSession::~OfSession() { close(); }

void OfSession::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

short OfSession::poll_events() const {
  if (fd_ < 0) return 0;
  return static_cast<short>(POLLIN | (tx_.size() > tx_off_ ? POLLOUT : 0));
}

bool OfSession::wants_async(uint8_t type, uint8_t reason) const {
  const size_t slot = role == ofp::kRoleSlave ? 1 : 0;
  uint32_t mask = 0;
  if (type == ofp::kPacketIn) mask = async.packet_in_mask[slot];
  if (type == ofp::kPortStatus) mask = async.port_status_mask[slot];
  if (type == ofp::kFlowRemoved) mask = async.flow_removed_mask[slot];
  return negotiated_ && (mask & (1u << reason)) != 0;
}

void OfSession::send(const std::vector<uint8_t>& msg) {
  if (fd_ < 0) return;
  if (tx_off_ == tx_.size()) {
    tx_.clear();
    tx_off_ = 0;
  }
  tx_.insert(tx_.end(), msg.begin(), msg.end());
  if (tx_.size() - tx_off_ > kMaxTxBacklog) {
    spdlog::warn("openflow {}: peer stopped reading ({} bytes queued), closing", peer_, tx_.size() - tx_off_);
    close();
    return;
  }
  flush_tx();
}

void OfSession::send_error(const OfStatus& st, const uint8_t* req, size_t len) {
  const uint32_t xid = len >= ofp::kHeaderLen ? read_header(req).xid : 0;
  spdlog::debug("openflow {}: error type {} code {}: {}", peer_, st.type(), st.code(), st.message());
  send(encode_error(xid, st, req, len));
}

void OfSession::flush_tx() {
  while (fd_ >= 0 && tx_off_ < tx_.size()) {
    const ssize_t n = ::send(fd_, tx_.data() + tx_off_, tx_.size() - tx_off_, MSG_NOSIGNAL);
    if (n > 0) {
      tx_off_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
    close();
    return;
  }
  if (tx_off_ == tx_.size()) {
    tx_.clear();
    tx_off_ = 0;
  } else if (tx_off_ > (1u << 20)) {
    tx_.erase(tx_.begin(), tx_.begin() + static_cast<std::ptrdiff_t>(tx_off_));
    tx_off_ = 0;
  }
}

size_t OfSession::on_events(short revents, uint64_t now_ms) {
  if (fd_ < 0) return 0;
  size_t work = 0;
  if (revents & POLLOUT) flush_tx();
  if (revents & (POLLIN | POLLHUP | POLLERR)) work += read_some(now_ms);
  return work;
}

size_t OfSession::read_some(uint64_t now_ms) {
  size_t work = 0, total = 0;
  while (fd_ >= 0 && total < kMaxReadPerTurn) {
    const size_t old = rx_.size();
    rx_.resize(old + kReadChunk);
    const ssize_t n = ::recv(fd_, rx_.data() + old, kReadChunk, 0);
    if (n <= 0) {
      rx_.resize(old);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
      close();  // EOF or a hard error
      break;
    }
    rx_.resize(old + static_cast<size_t>(n));
    total += static_cast<size_t>(n);
    last_rx_ms_ = now_ms;
    probe_sent_ = false;
    work += process_rx();
  }
  if (work > 0 && fd_ >= 0) handler_->end_batch(*this);
  return work;
}

size_t OfSession::process_rx() {
  size_t off = 0, handled = 0;
  while (fd_ >= 0 && rx_.size() - off >= ofp::kHeaderLen) {
    const uint8_t* p = rx_.data() + off;
    const OfpHeader h = read_header(p);
    if (h.length < ofp::kHeaderLen) {
      // The stream cannot be framed any more: say why, then hang up.
      send_error(bad_request(ofp::kBrcBadLen, "length below the header"), p, rx_.size() - off);
      close();
      break;
    }
    if (rx_.size() - off < h.length) break;  // wait for the rest
    ++handled;
    if (!negotiated_) {
      if (h.type != ofp::kHello) {
        send_error(OfStatus(ofp::kEtHelloFailed, ofp::kHfcIncompatible, "expected HELLO"), p, h.length);
        close();
        break;
      }
      on_hello(p, h.length);
    } else if (h.type == ofp::kHello) {
      // A second HELLO changes nothing.
    } else if (OfStatus st = check_message(h); !st) {
      send_error(st, p, h.length);
    } else {
      handler_->handle(*this, h, p, h.length);
    }
    off += h.length;
  }
  rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(off));
  return handled;
}

void OfSession::on_hello(const uint8_t* msg, size_t len) {
  const OfpHeader h = read_header(msg);
  bool ok = h.version >= ofp::kVersion;  // without a bitmap: the lower version wins
  Reader r(msg + ofp::kHeaderLen, len - ofp::kHeaderLen);
  while (r.remaining() >= 4) {
    const uint16_t type = r.u16();
    const uint16_t elen = r.u16();
    if (elen < 4 || elen - 4u > r.remaining()) break;
    Reader body = r.sub(elen - 4u);
    if (type == 1) {  // OFPHET_VERSIONBITMAP: ours is 1.3 only
      ok = false;
      for (uint32_t word = 0; body.remaining() >= 4; ++word) {
        const uint32_t bits = body.u32();
        if (word == 0 && (bits & (1u << ofp::kVersion))) ok = true;
      }
    }
    r.skip((8 - elen % 8) % 8);  // elements are padded to 8 bytes
  }
  if (!ok) {
    spdlog::info("openflow {}: peer does not speak OpenFlow 1.3 (version {})", peer_, h.version);
    send_error(OfStatus(ofp::kEtHelloFailed, ofp::kHfcIncompatible, "OpenFlow 1.3 only"), msg, len);
    close();
    return;
  }
  negotiated_ = true;
  spdlog::info("openflow {}: connected (OpenFlow 1.3)", peer_);
}

void OfSession::tick(uint64_t now_ms) {
  if (fd_ < 0 || probe_ms == 0) return;
  const uint64_t idle = now_ms > last_rx_ms_ ? now_ms - last_rx_ms_ : 0;
  if (idle >= 2 * probe_ms) {
    spdlog::info("openflow {}: no answer to the inactivity probe, disconnecting", peer_);
    close();
  } else if (idle >= probe_ms && !probe_sent_ && negotiated_) {
    send(encode_message(ofp::kEchoRequest, next_xid(), msg::Echo{}));
    probe_sent_ = true;
  }
}

}  // namespace strata::ofproto
