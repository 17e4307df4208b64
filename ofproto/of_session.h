// One OpenFlow connection: a non-blocking TCP socket, HELLO and version
// negotiation (1.3 only), message framing, ECHO keepalive and the
// inactivity probe, and the per-connection state the protocol keeps (role,
// asynchronous-message masks, miss_send_len). What messages *mean* is the
// handler's business (of_handler.h). Driven by the connection manager from
// the control thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ofproto/bundle.h"
#include "ofproto/ofp_codec.h"

namespace strata::ofproto {

class OfSession;

class MessageHandler {
 public:
  virtual ~MessageHandler() = default;
  // A complete message that passed the framing and message-table checks.
  virtual void handle(OfSession& s, const OfpHeader& h, const uint8_t* msg, size_t len) = 0;
  // Every message read in one go has been handled (a batch ends).
  virtual void end_batch(OfSession& s) = 0;
};

class OfSession {
 public:
  // Takes ownership of `fd` (connected, any blocking mode); sends HELLO.
  OfSession(int fd, std::string peer, MessageHandler* handler, uint64_t now_ms);
  ~OfSession();
  OfSession(const OfSession&) = delete;
  OfSession& operator=(const OfSession&) = delete;

  int fd() const { return fd_; }
  const std::string& peer() const { return peer_; }
  // poll(2) events this session waits for.
  short poll_events() const;
  // Handles what poll(2) reported; returns how many messages were handled.
  size_t on_events(short revents, uint64_t now_ms);
  // Keepalive: an ECHO after `probe_ms` of silence, closing after twice that.
  void tick(uint64_t now_ms);
  bool closed() const { return fd_ < 0; }
  bool negotiated() const { return negotiated_; }
  // Bytes queued for sending.
  size_t backlog() const { return tx_.size() - tx_off_; }
  void close();

  void send(const std::vector<uint8_t>& msg);
  // OFPT_ERROR for the message at `req` (len bytes), same xid.
  void send_error(const OfStatus& st, const uint8_t* req, size_t len);
  uint32_t next_xid() { return xid_++; }

  // Per-connection protocol state (the handler reads and writes it).
  uint32_t role = ofp::kRoleEqual;   // controller role
  msg::Async async;                  // which async messages this connection wants
  uint16_t miss_send_len = 128;      // SET_CONFIG
  uint16_t config_flags = 0;         // SET_CONFIG
  uint64_t probe_ms = 5000;          // inactivity probe interval
  Bundles bundles;                   // open bundles; they die with the connection

  // Whether this connection wants an asynchronous message of `type` with
  // `reason` (by role and SET_ASYNC masks).
  bool wants_async(uint8_t type, uint8_t reason) const;

 private:
  size_t read_some(uint64_t now_ms);
  size_t process_rx();
  void flush_tx();
  void on_hello(const uint8_t* msg, size_t len);

  int fd_;                          // socket, -1 when closed
  std::string peer_;                // "127.0.0.1:40012", for logs
  MessageHandler* handler_;         // message semantics
  std::vector<uint8_t> rx_;         // bytes read, not yet a whole message
  std::vector<uint8_t> tx_;         // bytes to send
  size_t tx_off_ = 0;               // tx_[0, tx_off_) already sent
  bool negotiated_ = false;         // HELLO exchanged, version 1.3 agreed
  uint64_t last_rx_ms_;             // last time anything arrived
  bool probe_sent_ = false;         // an ECHO probe is outstanding
  uint32_t xid_ = 0x53000000;       // next switch-initiated xid
};

}  // namespace strata::ofproto
