// The frontend's session against a scripted backend on a real Unix socket:
// the messages it sends, the fds it passes, and how it reports a backend
// that refuses or disappears.
#include <catch2/catch.hpp>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <thread>

#include "hv/vhost_user/frontend.h"

using namespace strata::hv::vhost_user;

namespace {

struct Msg {
  uint32_t request = 0, flags = 0;
  std::vector<uint8_t> payload;
  std::vector<int> fds;
  uint64_t u64() const {
    uint64_t v = 0;
    std::memcpy(&v, payload.data(), std::min<size_t>(8, payload.size()));
    return v;
  }
};

bool recv_msg(int fd, Msg& m) {
  uint8_t hdr[12];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)];
  iovec iov{hdr, sizeof hdr};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control;
  mh.msg_controllen = sizeof control;
  if (recvmsg(fd, &mh, MSG_WAITALL) != 12) return false;
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    m.fds.resize(n);
    std::memcpy(m.fds.data(), CMSG_DATA(c), n * sizeof(int));
  }
  uint32_t size;
  std::memcpy(&m.request, hdr, 4);
  std::memcpy(&m.flags, hdr + 4, 4);
  std::memcpy(&size, hdr + 8, 4);
  m.payload.resize(size);
  return size == 0 || recv(fd, m.payload.data(), size, MSG_WAITALL) == ssize_t(size);
}

void send_reply(int fd, uint32_t request, uint64_t value) {
  uint8_t b[20];
  uint32_t flags = 0x5, size = 8;
  std::memcpy(b, &request, 4);
  std::memcpy(b + 4, &flags, 4);
  std::memcpy(b + 8, &size, 4);
  std::memcpy(b + 12, &value, 8);
  REQUIRE(send(fd, b, sizeof b, MSG_NOSIGNAL) == 20);
}

// A listening socket in a fresh directory and a thread playing the backend.
struct FakeBackend {
  std::string dir, path;
  int listen_fd = -1;
  std::thread thread;
  std::vector<Msg> seen;  // what the frontend sent, in order (read after join)

  explicit FakeBackend(std::function<void(int, std::vector<Msg>&)> script) {
    char tmpl[] = "/tmp/strata-hv-fe.XXXXXX";
    dir = mkdtemp(tmpl);
    path = dir + "/be.sock";
    listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, path.c_str());
    REQUIRE(bind(listen_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(listen(listen_fd, 1) == 0);
    thread = std::thread([this, script] {
      int c = accept(listen_fd, nullptr, nullptr);
      if (c >= 0) {
        script(c, seen);
        close(c);
      }
    });
  }
  ~FakeBackend() {
    if (thread.joinable()) thread.join();
    close(listen_fd);
    unlink(path.c_str());
    rmdir(dir.c_str());
  }
  void join() { thread.join(); }
};

constexpr uint64_t kBackendFeatures = (1ull << 32) | (1ull << 30) | (1ull << 15);

// The opening every session starts with, answering like DPDK's vhost library.
void opening(int c, std::vector<Msg>& seen, uint64_t protocol_features) {
  Msg m;
  REQUIRE(recv_msg(c, m));
  seen.push_back(m);
  send_reply(c, 1, kBackendFeatures);
  Msg p;
  REQUIRE(recv_msg(c, p));
  seen.push_back(p);
  send_reply(c, 15, protocol_features);
  Msg s;
  REQUIRE(recv_msg(c, s));  // SET_PROTOCOL_FEATURES
  seen.push_back(s);
  Msg o;
  REQUIRE(recv_msg(c, o));  // SET_OWNER
  seen.push_back(o);
  if (o.flags & kFlagNeedReply) send_reply(c, 3, 0);
}

}  // namespace

TEST_CASE("frontend: the opening negotiates features and protocol features", "[hv][vhost-user]") {
  FakeBackend be([](int c, std::vector<Msg>& seen) { opening(c, seen, kProtocolReplyAck | kProtocolMq | (1ull << 9)); });
  auto fe = Frontend::connect(be.path);
  REQUIRE(fe.is_ok());
  be.join();
  CHECK((*fe)->backend_features() == kBackendFeatures);
  CHECK((*fe)->has_protocol_features());
  REQUIRE(be.seen.size() == 4);
  CHECK(be.seen[0].request == 1);
  CHECK(be.seen[1].request == 15);
  CHECK(be.seen[2].request == 16);
  CHECK(be.seen[2].u64() == kProtocolReplyAck);  // only what strata-hv uses
  CHECK(be.seen[3].request == 3);
  CHECK((be.seen[3].flags & kFlagNeedReply) != 0);
}

TEST_CASE("frontend: SET_MEM_TABLE and vring setup pass their fds", "[hv][vhost-user]") {
  int efd = eventfd(0, 0);
  FakeBackend be([](int c, std::vector<Msg>& seen) {
    opening(c, seen, kProtocolReplyAck);
    for (int i = 0; i < 3; ++i) {
      Msg m;
      REQUIRE(recv_msg(c, m));
      seen.push_back(m);
      send_reply(c, m.request, 0);
    }
  });
  auto fe = Frontend::connect(be.path);
  REQUIRE(fe.is_ok());
  MemoryRegion r{0, 1 << 20, 0x1000, 0};
  int fds[] = {efd};
  CHECK((*fe)->set_mem_table({&r, 1}, fds).is_ok());
  CHECK((*fe)->set_vring_kick(1, efd).is_ok());
  CHECK((*fe)->set_vring_call(0, efd).is_ok());
  be.join();
  REQUIRE(be.seen.size() == 7);
  CHECK(be.seen[4].request == 5);
  CHECK(be.seen[4].fds.size() == 1);
  CHECK(be.seen[5].request == 12);
  CHECK(be.seen[5].u64() == 1);  // queue index, no "no fd" bit
  CHECK(be.seen[5].fds.size() == 1);
  CHECK(be.seen[6].request == 13);
  for (const Msg& m : be.seen) for (int fd : m.fds) close(fd);
  close(efd);
}

TEST_CASE("frontend: a refused setting and a vanished backend are reported", "[hv][vhost-user]") {
  FakeBackend be([](int c, std::vector<Msg>& seen) {
    opening(c, seen, kProtocolReplyAck);
    Msg m;
    REQUIRE(recv_msg(c, m));
    send_reply(c, m.request, 1);  // refuse SET_FEATURES
  });
  auto fe = Frontend::connect(be.path);
  REQUIRE(fe.is_ok());
  auto s = (*fe)->set_features(1ull << 32);
  CHECK_THAT(s.message(), Catch::Contains("backend refused SET_FEATURES"));
  be.join();  // the backend has closed the connection
  auto gone = (*fe)->get_vring_base(0);
  CHECK_FALSE(gone.is_ok());
  CHECK_THAT(gone.status().message(), Catch::Contains(be.path));
}

TEST_CASE("frontend: an unreachable socket says what to check", "[hv][vhost-user]") {
  auto fe = Frontend::connect("/nonexistent/strata/vhost.sock");
  REQUIRE_FALSE(fe.is_ok());
  CHECK(fe.status().code() == strata::StatusCode::kUnavailable);
  CHECK_THAT(fe.status().message(), Catch::Contains("cannot connect to vhost-user socket /nonexistent/strata/vhost.sock") &&
                                        Catch::Contains("No such file or directory"));
  CHECK_THAT(Frontend::connect(std::string(200, 'x')).status().message(), Catch::Contains("longer than"));
}
