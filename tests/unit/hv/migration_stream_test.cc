#include <catch2/catch.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "hv/migration/address.h"
#include "hv/migration/stream.h"

using namespace strata::hv;
using namespace strata::hv::migration;

TEST_CASE("migration stream: headers decode and refuse what is not a message", "[hv][migration]") {
  auto h = decode_header(encode_header(MessageType::kState, 1234));
  REQUIRE(h.is_ok());
  CHECK(h->type == MessageType::kState);
  CHECK(h->length == 1234);
  auto bad_magic = encode_header(MessageType::kState, 1);
  bad_magic[0] ^= 1;
  CHECK_THAT(decode_header(bad_magic).status().message(), Catch::Contains("bad magic"));
  auto unknown = encode_header(MessageType::kState, 1);
  unknown[4] = 99;
  CHECK_THAT(decode_header(unknown).status().message(), Catch::Contains("unknown type 99"));
  CHECK_THAT(decode_header(encode_header(MessageType::kReady, 1)).status().message(), Catch::Contains("READY message claims"));
  CHECK_THAT(decode_header(encode_header(MessageType::kPages, 1ull << 40)).status().message(), Catch::Contains("claims"));
  auto shortened = encode_header(MessageType::kDone, 8);
  shortened.resize(10);
  CHECK(decode_header(shortened).status().code() == strata::StatusCode::kDataLoss);
}

TEST_CASE("migration stream: page runs stay inside guest memory and whole", "[hv][migration]") {
  std::vector<uint8_t> payload(8 + 2 * kPageBytes, 0x11);
  uint64_t gpa = 3 * kPageBytes;
  std::memcpy(payload.data(), &gpa, 8);
  auto run = decode_pages(payload, 16 * kPageBytes);
  REQUIRE(run.is_ok());
  CHECK(run->gpa == gpa);
  CHECK(run->bytes.size() == 2 * kPageBytes);
  CHECK_THAT(decode_pages(payload, 4 * kPageBytes).status().message(), Catch::Contains("reaches past"));
  gpa = 100;
  std::memcpy(payload.data(), &gpa, 8);
  CHECK_THAT(decode_pages(payload, 16 * kPageBytes).status().message(), Catch::Contains("not whole pages"));
  gpa = UINT64_MAX - 4095;
  std::memcpy(payload.data(), &gpa, 8);
  CHECK_FALSE(decode_pages(payload, 16 * kPageBytes).is_ok());
  CHECK_FALSE(decode_pages(std::span<const uint8_t>(payload.data(), 8), 16 * kPageBytes).is_ok());
}

TEST_CASE("migration stream: HELLO carries the version", "[hv][migration]") {
  std::vector<uint8_t> config = {1, 2, 3};
  auto hello = encode_hello(config);
  auto back = decode_hello(hello);
  REQUIRE(back.is_ok());
  CHECK(std::vector<uint8_t>(back->begin(), back->end()) == config);
  hello[0] = 9;
  CHECK_THAT(decode_hello(hello).status().message(), Catch::Contains("stream version 9"));
}

TEST_CASE("migration stream: a channel carries messages and an fd across a socket pair", "[hv][migration]") {
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  Channel a{UniqueFd(sv[0])}, b{UniqueFd(sv[1])};
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  REQUIRE(a.send(MessageType::kMemfd, {}, pipefd[1]).is_ok());
  std::vector<uint8_t> page(kPageBytes, 0x77);
  REQUIRE(a.send_pages(kPageBytes, page.data(), page.size()).is_ok());
  const std::string why = "no such bridge";
  REQUIRE(a.send(MessageType::kError, {reinterpret_cast<const uint8_t*>(why.data()), why.size()}).is_ok());
  auto m1 = b.receive(1000);
  REQUIRE(m1.is_ok());
  CHECK(m1->type == MessageType::kMemfd);
  REQUIRE(m1->fd.valid());
  CHECK(::write(m1->fd.get(), "x", 1) == 1);  // the pipe's write end, passed over
  char c = 0;
  CHECK(::read(pipefd[0], &c, 1) == 1);
  CHECK(c == 'x');
  auto m2 = b.receive(1000);
  REQUIRE(m2.is_ok());
  auto run = decode_pages(m2->payload, 4 * kPageBytes);
  REQUIRE(run.is_ok());
  CHECK(run->bytes[0] == 0x77);
  auto m3 = b.receive(1000);
  REQUIRE_FALSE(m3.is_ok());
  CHECK_THAT(m3.status().message(), Catch::Contains("no such bridge"));
  auto silent = b.receive(50);
  CHECK(silent.status().code() == strata::StatusCode::kDeadlineExceeded);
  ::close(pipefd[0]);
  ::close(pipefd[1]);
}

TEST_CASE("migration address: unix and tcp forms, and refusals", "[hv][migration]") {
  auto u = parse_address("unix:/run/strata/m.sock");
  REQUIRE(u.is_ok());
  CHECK(u->kind == Address::Kind::kUnix);
  CHECK(u->path == "/run/strata/m.sock");
  auto t = parse_address("tcp:10.0.0.2:7000");
  REQUIRE(t.is_ok());
  CHECK(t->host == "10.0.0.2");
  CHECK(t->port == 7000);
  auto v6 = parse_address("tcp:[::1]:7001");
  REQUIRE(v6.is_ok());
  CHECK(v6->host == "::1");
  CHECK_THAT(parse_address("10.0.0.2:7000").status().message(), Catch::Contains("expected unix:PATH or tcp:HOST:PORT"));
  CHECK_THAT(parse_address("tcp:host").status().message(), Catch::Contains("tcp:HOST:PORT"));
  CHECK_THAT(parse_address("tcp:host:0").status().message(), Catch::Contains("1..65535"));
  CHECK_THAT(parse_address("tcp:host:99999").status().message(), Catch::Contains("1..65535"));
  CHECK_THAT(parse_address("unix:").status().message(), Catch::Contains("empty"));
}

TEST_CASE("migration address: an unreachable destination is reported, not waited on forever", "[hv][migration]") {
  auto a = parse_address("unix:/tmp/strata-no-such-migration.sock");
  REQUIRE(a.is_ok());
  auto fd = connect_to(*a, 1000);
  REQUIRE_FALSE(fd.is_ok());
  CHECK_THAT(fd.status().message(), Catch::Contains("cannot connect to migration destination"));
}
