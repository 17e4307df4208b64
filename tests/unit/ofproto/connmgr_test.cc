// ConnMgr::set_targets on a live bridge, over real sockets: targets that
// stay keep their listener and sessions, removed ones close, a bad list
// changes nothing.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "bridge_fixture.h"
#include "ofproto/connmgr.h"

using namespace strata::testing;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/strata-connmgr.XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

int connect_unix(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un su{};
  su.sun_family = AF_UNIX;
  std::strncpy(su.sun_path, path.c_str(), sizeof su.sun_path - 1);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&su), sizeof su) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int connect_tcp(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// A loopback port nothing listens on now (the kernel's pick, released).
uint16_t free_tcp_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0);
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  close(fd);
  return ntohs(sa.sin_port);
}

// Sessions the bridge counts on `target`, after letting it accept and reap.
int sessions_on(Bridge& br, const std::string& target) {
  for (int i = 0; i < 3; ++i) {
    br.connmgr()->run();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (const auto& st : br.connmgr()->status()) {
    if (st.target == target) return st.sessions;
  }
  return -1;  // not a target
}

// True once the peer closed: everything it sent is read, then EOF.
bool closed_by_peer(int fd) {
  char buf[256];
  for (int i = 0; i < 100; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10) == 1) {
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n == 0) return true;
      if (n < 0) return false;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("connmgr: a target that stays keeps its sessions; a removed one closes them", "[ofproto][connmgr]") {
  TempDir dir;
  BridgeFixture f;
  const std::string a = "punix:" + dir.path + "/a", b = "punix:" + dir.path + "/b";
  REQUIRE(f.br.set_controllers({a}));
  ConnMgr* const mgr = f.br.connmgr();
  REQUIRE(mgr != nullptr);
  const int client = connect_unix(dir.path + "/a");
  REQUIRE(client >= 0);
  REQUIRE(sessions_on(f.br, a) == 1);

  REQUIRE(f.br.set_controllers({a, b}));
  CHECK(f.br.connmgr() == mgr);
  CHECK(sessions_on(f.br, a) == 1);
  CHECK(sessions_on(f.br, b) == 0);
  const int client_b = connect_unix(dir.path + "/b");
  REQUIRE(client_b >= 0);
  CHECK(sessions_on(f.br, b) == 1);

  // A list that cannot be applied (the second target is malformed, or its
  // path is taken by something that is not a socket) changes nothing.
  CHECK_FALSE(f.br.set_controllers({b, "tcp:"}));
  { std::ofstream(dir.path + "/file") << "not a socket"; }
  auto taken = f.br.set_controllers({a, "punix:" + dir.path + "/file"});
  REQUIRE_FALSE(taken);
  CHECK_THAT(taken.message(), Catch::Contains("not a socket"));
  CHECK(sessions_on(f.br, a) == 1);
  CHECK(sessions_on(f.br, b) == 1);

  REQUIRE(f.br.set_controllers({b}));
  CHECK(closed_by_peer(client));
  struct stat st;
  CHECK(lstat((dir.path + "/a").c_str(), &st) != 0);  // its socket file went with it
  CHECK(sessions_on(f.br, a) == -1);
  CHECK(sessions_on(f.br, b) == 1);

  REQUIRE(f.br.set_controllers({}));
  CHECK(f.br.connmgr() == nullptr);
  CHECK(closed_by_peer(client_b));
  CHECK(lstat((dir.path + "/b").c_str(), &st) != 0);
  close(client);
  close(client_b);
}

TEST_CASE("connmgr: setting a ptcp: target again keeps its port (no EADDRINUSE)", "[ofproto][connmgr]") {
  BridgeFixture f;
  const uint16_t port = free_tcp_port();
  const std::string target = "ptcp:" + std::to_string(port);
  REQUIRE(f.br.set_controllers({target}));
  const int client = connect_tcp(port);
  REQUIRE(client >= 0);
  REQUIRE(sessions_on(f.br, target) == 1);
  // The same endpoint spelt out: still the same listener and session.
  const std::string spelt = target + ":127.0.0.1";
  auto again = f.br.set_controllers({spelt});
  REQUIRE(again);
  CHECK(sessions_on(f.br, spelt) == 1);
  const int second = connect_tcp(port);
  CHECK(second >= 0);
  CHECK(sessions_on(f.br, spelt) == 2);
  // Listed twice, however spelt, is refused, and the listener stays.
  auto twice = f.br.set_controllers({spelt, target});
  REQUIRE_FALSE(twice);
  CHECK_THAT(twice.message(), Catch::Contains("names the same socket"));
  CHECK(sessions_on(f.br, spelt) == 2);
  REQUIRE(f.br.set_controllers({}));
  CHECK(closed_by_peer(client));
  if (second >= 0) close(second);
  close(client);
}
