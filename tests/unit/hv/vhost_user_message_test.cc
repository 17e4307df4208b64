#include <catch2/catch.hpp>
#include <cstring>

#include "hv/vhost_user/message.h"
#include "image_builders.h"

using namespace strata::hv::vhost_user;
using strata::hv::test::get;

namespace {
std::vector<uint8_t> reply(uint32_t request, uint32_t flags, std::vector<uint8_t> payload) {
  std::vector<uint8_t> m(12 + payload.size());
  uint32_t size = uint32_t(payload.size());
  std::memcpy(m.data(), &request, 4);
  std::memcpy(m.data() + 4, &flags, 4);
  std::memcpy(m.data() + 8, &size, 4);
  if (!payload.empty()) std::memcpy(m.data() + 12, payload.data(), payload.size());
  return m;
}
std::vector<uint8_t> u64_bytes(uint64_t v) {
  std::vector<uint8_t> b(8);
  std::memcpy(b.data(), &v, 8);
  return b;
}
}  // namespace

TEST_CASE("vhost-user: a request header is request, version flags and size", "[hv][vhost-user]") {
  auto m = encode_empty(Request::kGetFeatures);
  REQUIRE(m.size() == 12);
  CHECK(get<uint32_t>(m.data()) == 1);
  CHECK(get<uint32_t>(m.data() + 4) == 0x1);
  CHECK(get<uint32_t>(m.data() + 8) == 0);
  m = encode_u64(Request::kSetFeatures, 0x140000000ull, true);
  REQUIRE(m.size() == 20);
  CHECK(get<uint32_t>(m.data() + 4) == (0x1 | kFlagNeedReply));
  CHECK(get<uint32_t>(m.data() + 8) == 8);
  CHECK(get<uint64_t>(m.data() + 12) == 0x140000000ull);
}

TEST_CASE("vhost-user: vring state and vring address payloads", "[hv][vhost-user]") {
  auto m = encode_vring_state(Request::kSetVringNum, {1, 256});
  REQUIRE(m.size() == 20);
  CHECK(get<uint32_t>(m.data() + 12) == 1);
  CHECK(get<uint32_t>(m.data() + 16) == 256);
  VringAddr a{1, 0, 0x1000, 0x3000, 0x2000, 0};
  m = encode_vring_addr(a);
  REQUIRE(m.size() == 12 + 40);
  CHECK(get<uint32_t>(m.data()) == 9);
  CHECK(get<uint32_t>(m.data() + 12) == 1);       // index
  CHECK(get<uint64_t>(m.data() + 12 + 8) == 0x1000);   // desc
  CHECK(get<uint64_t>(m.data() + 12 + 16) == 0x3000);  // used comes before avail on the wire
  CHECK(get<uint64_t>(m.data() + 12 + 24) == 0x2000);  // avail
}

TEST_CASE("vhost-user: memory table payload", "[hv][vhost-user]") {
  MemoryRegion r{0, 16 << 20, 0x7f0000000000, 0};
  auto m = encode_mem_table({&r, 1});
  REQUIRE(m.is_ok());
  REQUIRE(m->size() == 12 + 8 + 32);
  CHECK(get<uint32_t>(m->data()) == 5);
  CHECK(get<uint32_t>(m->data() + 8) == 40);
  CHECK(get<uint32_t>(m->data() + 12) == 1);  // nregions
  CHECK(get<uint64_t>(m->data() + 20) == 0);  // guest_phys_addr
  CHECK(get<uint64_t>(m->data() + 28) == 16 << 20);
  CHECK(get<uint64_t>(m->data() + 36) == 0x7f0000000000);
  CHECK(get<uint64_t>(m->data() + 44) == 0);
  CHECK_FALSE(encode_mem_table({}).is_ok());
  std::vector<MemoryRegion> nine(9, r);
  CHECK_FALSE(encode_mem_table(nine).is_ok());
}

TEST_CASE("vhost-user: replies are checked before they are believed", "[hv][vhost-user]") {
  auto ok = decode_u64_reply(reply(1, 0x5, u64_bytes(0x1234)), Request::kGetFeatures);
  REQUIRE(ok.is_ok());
  CHECK(*ok == 0x1234);
  auto reason = [](std::vector<uint8_t> m, Request r) { return decode_u64_reply(m, r).status().message(); };
  CHECK_THAT(reason({1, 0, 0}, Request::kGetFeatures), Catch::Contains("shorter than a header"));
  CHECK_THAT(reason(reply(1, 0x1, u64_bytes(1)), Request::kGetFeatures), Catch::Contains("lacks the reply flag"));
  CHECK_THAT(reason(reply(1, 0x6, u64_bytes(1)), Request::kGetFeatures), Catch::Contains("version 2"));
  CHECK_THAT(reason(reply(15, 0x5, u64_bytes(1)), Request::kGetFeatures), Catch::Contains("answers request 15"));
  CHECK_THAT(reason(reply(1, 0x5, {1, 2, 3, 4}), Request::kGetFeatures), Catch::Contains("expected 8"));
  auto huge = reply(1, 0x5, {});
  uint32_t big = kMaxPayload + 1;
  std::memcpy(huge.data() + 8, &big, 4);
  CHECK(decode_reply_header(huge, Request::kGetFeatures).status().code() == strata::StatusCode::kDataLoss);
  auto st = decode_vring_state_reply(reply(11, 0x5, {1, 0, 0, 0, 7, 0, 0, 0}), Request::kGetVringBase);
  REQUIRE(st.is_ok());
  CHECK(st->index == 1);
  CHECK(st->num == 7);
}
