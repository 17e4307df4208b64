#include "ofproto/connmgr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "ofproto/bridge.h"

namespace strata::ofproto {

namespace {

uint64_t steady_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

constexpr size_t kPacketInBacklog = 4 << 20;  // packet-ins to a lagging controller are dropped beyond this

Result<sockaddr_in> resolve(const ControllerTarget& t) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(t.port);
  if (inet_pton(AF_INET, t.host.c_str(), &sa.sin_addr) == 1) return sa;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(t.host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) {
    return unavailable("controller target '" + t.text + "': cannot resolve '" + t.host + "'");
  }
  sa.sin_addr = reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr;
  freeaddrinfo(res);
  return sa;
}

std::string peer_name(const sockaddr_in& sa) {
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &sa.sin_addr, buf, sizeof(buf));
  return std::string(buf) + ":" + std::to_string(ntohs(sa.sin_port));
}

}  // namespace

// A listening socket for a ptcp: or punix: target, or the reason there is none.
Result<ConnMgr::Listener> ConnMgr::listen_on(const ControllerTarget& t) {
  const bool is_unix = !t.unix_path.empty();
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (is_unix) {
    auto* su = reinterpret_cast<sockaddr_un*>(&ss);
    su->sun_family = AF_UNIX;
    std::memcpy(su->sun_path, t.unix_path.data(), t.unix_path.size());  // length checked by the parser
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + t.unix_path.size() + 1);
    // A socket file left by a stratad that died is in the way; anything
    // else at that path is not ours to remove.
    struct stat st;
    if (lstat(t.unix_path.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) return unavailable("controller target '" + t.text + "': the path exists and is not a socket");
      unlink(t.unix_path.c_str());
    }
  } else {
    auto sa = resolve(t);
    if (!sa) return sa.status();
    std::memcpy(&ss, &*sa, sizeof(*sa));
    len = sizeof(*sa);
  }
  const int fd = socket(is_unix ? AF_UNIX : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return unavailable("controller target '" + t.text + "': socket: " + std::strerror(errno));
  const int one = 1;
  if (!is_unix) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  // Owner only, like the management socket: a local tool here runs as root.
  if (bind(fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0 ||
      (is_unix && chmod(t.unix_path.c_str(), 0600) != 0) || listen(fd, 64) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    return unavailable("controller target '" + t.text + "': cannot listen: " + why);
  }
  Listener l{t, fd};
  struct stat st;
  if (is_unix && lstat(t.unix_path.c_str(), &st) == 0) {
    l.dev = st.st_dev;
    l.ino = st.st_ino;
  }
  return l;
}

ConnMgr::ConnMgr(Bridge& bridge) : bridge_(bridge), handler_(bridge, *this) {}

void ConnMgr::close_listener(const Listener& l) {
  if (l.fd < 0) return;
  close(l.fd);
  struct stat st;
  if (!l.target.unix_path.empty() && lstat(l.target.unix_path.c_str(), &st) == 0 && st.st_dev == l.dev &&
      st.st_ino == l.ino) {
    unlink(l.target.unix_path.c_str());
  }
}

ConnMgr::~ConnMgr() {
  sessions_.clear();
  for (auto& l : listeners_) close_listener(l);
  for (auto& a : actives_) {
    if (a.connecting_fd >= 0) close(a.connecting_fd);
  }
}

namespace {

// Two targets name the same socket: a listener or connection for one serves
// the other, whatever the spelling ("ptcp:6653" and "ptcp:6653:127.0.0.1").
bool same_endpoint(const ControllerTarget& a, const ControllerTarget& b) {
  return a.passive == b.passive && a.host == b.host && a.port == b.port && a.unix_path == b.unix_path;
}

// The index of the listener or active target in `v` on `t`'s endpoint, or -1.
// Lists never name one endpoint twice (set_targets refuses it), so the
// first match is the only one.
template <typename T>
int index_on_endpoint(const std::vector<T>& v, const ControllerTarget& t) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (same_endpoint(v[i].target, t)) return static_cast<int>(i);
  }
  return -1;
}

// Where old index `old` went: its position in `was` (new index -> old
// index, -1 for new entries), or -1 when it is gone.
int new_index(const std::vector<int>& was, int old) {
  if (old < 0) return -1;
  auto it = std::find(was.begin(), was.end(), old);
  return it == was.end() ? -1 : static_cast<int>(it - was.begin());
}

}  // namespace

// Like OVS's connmgr_set_controllers: a target that stays keeps its
// listener or connection and the sessions on it (a controller connected to
// an unchanged target never notices), a new target is bound, a removed one
// is closed with its sessions. Rebinding an unchanged ptcp: would also fail
// with EADDRINUSE, since the old listener still holds the port.
Status ConnMgr::set_targets(const std::vector<std::string>& targets) {
  std::vector<ControllerTarget> parsed;
  for (const auto& text : targets) {
    auto t = parse_controller_target(text);
    if (!t) return t.status();
    // Twice the same socket cannot work: a second ptcp: bind fails anyway,
    // and a second punix: would take over the first one's path.
    for (const auto& earlier : parsed) {
      if (same_endpoint(earlier, *t)) {
        return invalid_argument("controller target '" + t->text + "' names the same socket as '" + earlier.text + "'");
      }
    }
    parsed.push_back(*t);
  }
  std::vector<Listener> listeners;
  std::vector<int> listener_was;  // per new listener: its index in listeners_, or -1 if just bound
  std::vector<Active> actives;
  std::vector<int> active_was;    // per new active target: its index in actives_, or -1
  for (const auto& t : parsed) {
    if (!t.passive) {
      const int was = index_on_endpoint(actives_, t);
      Active a = was >= 0 ? actives_[static_cast<size_t>(was)] : Active{};
      a.target = t;
      actives.push_back(a);
      active_was.push_back(was);
      continue;
    }
    const int was = index_on_endpoint(listeners_, t);
    if (was >= 0) {
      Listener l = listeners_[static_cast<size_t>(was)];
      l.target = t;
      listeners.push_back(l);
      listener_was.push_back(was);
      continue;
    }
    auto l = listen_on(t);
    if (!l) {
      // Nothing changes: close only what this call bound.
      for (size_t i = 0; i < listeners.size(); ++i) {
        if (listener_was[i] < 0) close_listener(listeners[i]);
      }
      return l.status();
    }
    listeners.push_back(*l);
    listener_was.push_back(-1);
    spdlog::info("bridge {}: listening for OpenFlow on {}", bridge_.name(), t.text);
  }

  // Commit. Sessions follow their listener or target to its new index, or
  // close with it.
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const int li = new_index(listener_was, it->listener);
    const int ai = new_index(active_was, it->active);
    if (li < 0 && ai < 0) {
      spdlog::info("bridge {}: OpenFlow connection {} closed: its controller target was removed", bridge_.name(),
                   it->s->peer());
      it = sessions_.erase(it);
      continue;
    }
    it->listener = li;
    it->active = ai;
    ++it;
  }
  for (size_t i = 0; i < listeners_.size(); ++i) {
    if (new_index(listener_was, static_cast<int>(i)) < 0) close_listener(listeners_[i]);
  }
  for (size_t i = 0; i < actives_.size(); ++i) {
    if (new_index(active_was, static_cast<int>(i)) < 0 && actives_[i].connecting_fd >= 0) close(actives_[i].connecting_fd);
  }
  listeners_ = std::move(listeners);
  actives_ = std::move(actives);
  return Status::ok();
}

bool ConnMgr::any_connected() const {
  for (const auto& s : sessions_) {
    if (!s.s->closed() && s.s->negotiated()) return true;
  }
  return false;
}

void ConnMgr::wait_fds(std::vector<pollfd>* out) const {
  for (const auto& l : listeners_) out->push_back(pollfd{l.fd, POLLIN, 0});
  for (const auto& a : actives_) {
    if (a.connecting_fd >= 0) out->push_back(pollfd{a.connecting_fd, POLLOUT, 0});
  }
  for (const auto& s : sessions_) {
    if (!s.s->closed()) out->push_back(pollfd{s.s->fd(), s.s->poll_events(), 0});
  }
}

std::vector<ControllerStatus> ConnMgr::status() const {
  std::vector<ControllerStatus> out;
  auto count = [&](int li, int ai, ControllerStatus* st) {
    for (const auto& s : sessions_) {
      if ((li >= 0 && s.listener == li) || (ai >= 0 && s.active == ai)) {
        ++st->sessions;
        st->connected |= s.s->negotiated() && !s.s->closed();
      }
    }
  };
  for (size_t i = 0; i < listeners_.size(); ++i) {
    ControllerStatus st;
    st.target = listeners_[i].target.text;
    count(static_cast<int>(i), -1, &st);
    out.push_back(st);
  }
  for (size_t i = 0; i < actives_.size(); ++i) {
    ControllerStatus st;
    st.target = actives_[i].target.text;
    count(-1, static_cast<int>(i), &st);
    out.push_back(st);
  }
  return out;
}

void ConnMgr::start_connect(Active& a, uint64_t now) {
  auto sa = resolve(a.target);
  if (!sa) {
    a.next_attempt_ms = now + a.backoff_ms;
    a.backoff_ms = std::min(a.backoff_ms * 2, kMaxBackoffMs);
    return;
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  const int rc = connect(fd, reinterpret_cast<const sockaddr*>(&*sa), sizeof(*sa));
  if (rc == 0 || errno == EINPROGRESS) {
    a.connecting_fd = fd;
    return;
  }
  close(fd);
  a.next_attempt_ms = now + a.backoff_ms;
  a.backoff_ms = std::min(a.backoff_ms * 2, kMaxBackoffMs);
}

void ConnMgr::finish_connect(Active& a, int index, uint64_t now) {
  int err = 0;
  socklen_t len = sizeof(err);
  getsockopt(a.connecting_fd, SOL_SOCKET, SO_ERROR, &err, &len);
  const int fd = a.connecting_fd;
  a.connecting_fd = -1;
  if (err != 0) {
    close(fd);
    spdlog::debug("bridge {}: {}: {} (retry in {} ms)", bridge_.name(), a.target.text, std::strerror(err), a.backoff_ms);
    a.next_attempt_ms = now + a.backoff_ms;
    a.backoff_ms = std::min(a.backoff_ms * 2, kMaxBackoffMs);
    return;
  }
  auto s = std::make_unique<OfSession>(fd, a.target.text, &handler_, now);
  a.session = s.get();
  sessions_.push_back(Session{std::move(s), -1, index});
}

void ConnMgr::accept_all(int li, uint64_t now) {
  const Listener& l = listeners_[static_cast<size_t>(li)];
  for (;;) {
    sockaddr_in sa{};
    socklen_t len = sizeof(sa);
    const bool is_unix = !l.target.unix_path.empty();
    const int fd = accept4(l.fd, is_unix ? nullptr : reinterpret_cast<sockaddr*>(&sa), is_unix ? nullptr : &len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    const std::string peer = is_unix ? "unix:" + l.target.unix_path : peer_name(sa);
    sessions_.push_back(Session{std::make_unique<OfSession>(fd, peer, &handler_, now), li, -1});
  }
}

void ConnMgr::reap(uint64_t now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (!it->s->closed()) {
      ++it;
      continue;
    }
    spdlog::info("bridge {}: OpenFlow connection {} closed", bridge_.name(), it->s->peer());
    if (it->active >= 0) {
      Active& a = actives_[static_cast<size_t>(it->active)];
      a.session = nullptr;
      // A session that got as far as HELLO earns a quick reconnect.
      if (it->s->negotiated()) a.backoff_ms = kMinBackoffMs;
      a.next_attempt_ms = now + a.backoff_ms;
      a.backoff_ms = std::min(a.backoff_ms * 2, kMaxBackoffMs);
    }
    it = sessions_.erase(it);
  }
}

size_t ConnMgr::run() {
  const uint64_t now = steady_ms();
  for (auto& a : actives_) {
    if (a.session == nullptr && a.connecting_fd < 0 && now >= a.next_attempt_ms) start_connect(a, now);
  }
  // One poll over everything: listeners, connects in progress, sessions.
  std::vector<pollfd> fds;
  fds.reserve(listeners_.size() + actives_.size() + sessions_.size());
  for (const auto& l : listeners_) fds.push_back(pollfd{l.fd, POLLIN, 0});
  for (const auto& a : actives_) fds.push_back(pollfd{a.connecting_fd, POLLOUT, 0});
  const size_t n_sessions = sessions_.size();
  for (const auto& s : sessions_) fds.push_back(pollfd{s.s->fd(), s.s->poll_events(), 0});
  size_t work = 0;
  if (!fds.empty() && poll(fds.data(), fds.size(), 0) > 0) {
    size_t i = 0;
    for (size_t l = 0; l < listeners_.size(); ++l, ++i) {
      if (fds[i].revents & POLLIN) {
        accept_all(static_cast<int>(l), now);
        ++work;
      }
    }
    for (size_t a = 0; a < actives_.size(); ++a, ++i) {
      if (actives_[a].connecting_fd >= 0 && fds[i].revents != 0) {
        finish_connect(actives_[a], static_cast<int>(a), now);
        ++work;
      }
    }
    for (size_t s = 0; s < n_sessions; ++s, ++i) {
      if (fds[i].revents != 0) work += sessions_[s].s->on_events(fds[i].revents, now);
    }
  }
  for (auto& s : sessions_) s.s->tick(now);
  reap(now);
  const bool connected = any_connected();
  if (connected != was_connected_) {
    was_connected_ = connected;
    bridge_.on_connectivity_change();
  }
  return work;
}

void ConnMgr::fan_out(uint8_t type, uint8_t reason, const std::vector<uint8_t>& msg) {
  for (auto& s : sessions_) {
    if (!s.s->wants_async(type, reason)) continue;
    if (type == ofp::kPacketIn && s.s->backlog() > kPacketInBacklog) continue;
    s.s->send(msg);
  }
}

void ConnMgr::send_packet_in(const msg::PacketIn& pi) {
  fan_out(ofp::kPacketIn, pi.reason, encode_message(ofp::kPacketIn, 0, pi));
}

void ConnMgr::send_flow_removed(const msg::FlowRemoved& fr) {
  fan_out(ofp::kFlowRemoved, fr.reason, encode_message(ofp::kFlowRemoved, 0, fr));
}

void ConnMgr::send_port_status(const msg::PortStatus& ps) {
  fan_out(ofp::kPortStatus, ps.reason, encode_message(ofp::kPortStatus, 0, ps));
}

bool ConnMgr::accept_generation(uint64_t generation) {
  if (generation_defined_ && static_cast<int64_t>(generation - generation_) < 0) return false;
  generation_defined_ = true;
  generation_ = generation;
  return true;
}

void ConnMgr::demote_masters(const OfSession* except) {
  for (auto& s : sessions_) {
    if (s.s.get() != except && s.s->role == ofp::kRoleMaster) s.s->role = ofp::kRoleSlave;
  }
}

}  // namespace strata::ofproto
