// The connection manager of one bridge: passive listeners (ptcp:, punix:) that
// accept any number of controllers and tools, active connections (tcp:)
// that reconnect with exponential backoff, the sessions on both, role
// arbitration between them, and fan-out of asynchronous messages
// (PACKET_IN, FLOW_REMOVED, PORT_STATUS) by each session's role and masks.
// Tells the bridge when "some controller is connected" changes (fail mode).
//
// Non-blocking: run() polls every socket with a zero timeout; call it on
// every control-loop iteration, and wait on wait_fds() when idle. Control
// thread only.
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "ofproto/controller_target.h"
#include "ofproto/of_handler.h"
#include "ofproto/of_session.h"

namespace strata::ofproto {

class Bridge;

struct ControllerStatus {
  std::string target;      // as configured
  bool connected = false;  // an OpenFlow 1.3 session is up on it
  int sessions = 0;        // sessions on it (a listener may have several)
};

class ConnMgr {
 public:
  explicit ConnMgr(Bridge& bridge);
  ~ConnMgr();

  // Makes the targets these: listeners and connections to targets that
  // stay are kept with their sessions, new ones are bound, the rest close.
  // Nothing changes on error.
  Status set_targets(const std::vector<std::string>& targets);
  // Accepts, connects, reads, writes, probes. Returns the work done.
  size_t run();
  bool any_connected() const;
  // Appends what an idle caller should wait for before the next run():
  // listeners and sessions readable, connects finished, queued output
  // writable.
  void wait_fds(std::vector<pollfd>* out) const;
  std::vector<ControllerStatus> status() const;

  void send_packet_in(const msg::PacketIn& pi);
  void send_flow_removed(const msg::FlowRemoved& fr);
  void send_port_status(const msg::PortStatus& ps);

  // Role arbitration (OpenFlow 1.3, 6.3.5).
  bool accept_generation(uint64_t generation);
  uint64_t generation_id() const { return generation_; }
  void demote_masters(const OfSession* except);

  static constexpr uint64_t kMinBackoffMs = 500;   // first reconnect delay
  static constexpr uint64_t kMaxBackoffMs = 8000;  // longest reconnect delay

 private:
  struct Listener {
    ControllerTarget target;  // ptcp:... or punix:...
    int fd = -1;              // listening socket
    dev_t dev = 0;            // punix: the socket file we created, so that
    ino_t ino = 0;            //   closing never removes a successor's
  };
  static Result<Listener> listen_on(const ControllerTarget& t);
  static void close_listener(const Listener& l);  // and removes our punix: socket file
  struct Active {
    ControllerTarget target;       // tcp:...
    int connecting_fd = -1;        // a connect() in progress
    OfSession* session = nullptr;  // the session once connected
    uint64_t next_attempt_ms = 0;  // when to try again
    uint64_t backoff_ms = kMinBackoffMs;  // the delay after the next failure
  };
  struct Session {
    std::unique_ptr<OfSession> s;  // the connection
    int listener = -1;             // the listener that accepted it, or -1
    int active = -1;               // the active target it belongs to, or -1
  };

  void start_connect(Active& a, uint64_t now);
  void finish_connect(Active& a, int index, uint64_t now);
  void accept_all(int listener_index, uint64_t now);
  void fan_out(uint8_t type, uint8_t reason, const std::vector<uint8_t>& msg);
  void reap(uint64_t now);

  Bridge& bridge_;                    // the bridge the sessions program
  OfHandler handler_;                 // message semantics for every session
  std::vector<Listener> listeners_;   // passive targets
  std::vector<Active> actives_;       // active targets
  std::vector<Session> sessions_;     // every open connection
  bool generation_defined_ = false;   // a master/slave request has set generation_
  uint64_t generation_ = 0;           // the largest generation id seen
  bool was_connected_ = false;        // any_connected() at the end of the last run()
};

}  // namespace strata::ofproto
