// VhostUserFrontend: the shim's end of one vhost-user connection. The switch
// (stratad's `vhostuser` port, or DPDK's net_vhost) serves the Unix socket and
// is the backend; strata-hv connects as the client and drives the session:
// features, memory table, vrings, kick and call eventfds. After that the
// backend reads and writes guest memory directly.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/status.h"
#include "hv/unique_fd.h"
#include "hv/vhost_user/message.h"

namespace strata::hv::vhost_user {

class Frontend {
 public:
  // How long the shim waits for any one reply before declaring the backend hung.
  static constexpr int kReplyTimeoutMs = 5000;
  // Protocol features strata-hv can use: REPLY_ACK (confirmation of each
  // setting, so a refused memory table is reported, not silently ignored),
  // RARP (a restored or moved guest is announced by the backend), and
  // LOG_SHMFD (the backend logs its writes to guest memory during a live
  // migration in a shared bitmap).
  static constexpr uint64_t kWantedProtocolFeatures = kProtocolReplyAck | kProtocolRarp | kProtocolLogShmfd;

  // Connects to `socket_path` and runs the session's opening: GET_FEATURES,
  // protocol-feature negotiation, SET_OWNER.
  static Result<std::unique_ptr<Frontend>> connect(const std::string& socket_path);

  const std::string& socket_path() const { return path_; }
  int socket_fd() const { return sock_.get(); }
  uint64_t backend_features() const { return features_; }
  bool has_protocol_features() const { return (features_ & kFeatureProtocolFeatures) != 0; }
  // The backend can announce a guest's MAC for it (SEND_RARP).
  bool can_announce() const { return (protocol_features_ & kProtocolRarp) != 0; }
  // The backend can log its writes to guest memory (LOG_ALL + LOG_SHMFD).
  bool can_log_dirty() const {
    return (features_ & kFeatureLogAll) != 0 && (protocol_features_ & kProtocolLogShmfd) != 0;
  }

  Status set_features(uint64_t features);
  Status set_mem_table(std::span<const MemoryRegion> regions, std::span<const int> fds);
  Status set_vring_num(uint32_t index, uint32_t num);
  Status set_vring_base(uint32_t index, uint32_t base);
  Status set_vring_addr(const VringAddr& addr);
  Status set_vring_kick(uint32_t index, int fd);
  Status set_vring_call(uint32_t index, int fd);
  Status set_vring_enable(uint32_t index, bool enable);
  // Stops the ring and returns the next avail index the backend would read.
  Result<uint32_t> get_vring_base(uint32_t index);
  // Asks the backend to send a RARP from `mac` on the guest's behalf.
  Status send_rarp(std::span<const uint8_t, 6> mac);
  // Gives the backend the dirty-page bitmap `fd` of `bytes` (one bit per
  // 4 KiB page of guest-physical memory).
  Status set_log_base(int fd, uint64_t bytes);

 private:
  Frontend(std::string path, UniqueFd sock) : path_(std::move(path)), sock_(std::move(sock)) {}

  Status send(const std::vector<uint8_t>& msg, std::span<const int> fds = {});
  Result<std::vector<uint8_t>> receive(Request expected);
  // Sends a setting; with REPLY_ACK negotiated, waits for the backend's verdict.
  Status send_setting(Request r, const std::vector<uint8_t>& msg, std::span<const int> fds = {});
  bool reply_ack() const { return (protocol_features_ & kProtocolReplyAck) != 0; }
  Status context(const Status& s) const { return s.with_context("vhost-user " + path_); }

  std::string path_;                // the socket, for messages
  UniqueFd sock_;                   // connected AF_UNIX stream socket
  uint64_t features_ = 0;           // what GET_FEATURES answered
  uint64_t protocol_features_ = 0;  // negotiated protocol features (wanted & offered)
};

}  // namespace strata::hv::vhost_user
