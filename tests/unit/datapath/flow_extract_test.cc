// Flow-key extraction from byte-built frames: every tag depth, every L3/L4
// type the key holds, and the truncated and malformed cases. Each test builds
// the expected key field by field and compares all 16 words, so a field that
// is set when it should be zero fails too.
#include "datapath/flow_extract.h"

#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "datapath/flow_hash.h"
#include "frame_builder.h"

namespace strata::datapath {
namespace {

using test::FrameBuilder;

const l2tags::TpidSet kTpids;  // the default set: 88a8, 8100, 9100, 9200, 9300

constexpr uint8_t kDst[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
constexpr uint8_t kSrc[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
constexpr uint32_t kPort = 7;

FrameBuilder eth() {
  FrameBuilder f;
  f.raw(kDst, 6).raw(kSrc, 6);
  return f;
}

// The key every frame of these tests starts with: port and MACs.
FlowKey base_key(uint16_t eth_type) {
  FlowKey k;
  k.clear();
  k.in_port = kPort;
  k.eth_type = eth_type;
  std::memcpy(k.eth_dst, kDst, 6);
  std::memcpy(k.eth_src, kSrc, 6);
  return k;
}

// Extracts into a key pre-filled with garbage, so "absent = 0" is tested too.
ExtractResult extract(const FrameBuilder& f, FlowKey* key, const l2tags::TpidSet& tpids = kTpids) {
  std::memset(static_cast<void*>(key), 0xa5, sizeof *key);
  return extract_flow_key(f.data(), f.len(), kPort, tpids, key);
}

void require_same_key(const FlowKey& actual, const FlowKey& expected) {
  for (int i = 0; i < kFlowKeyWords; ++i) {
    INFO("key word " << i);
    CHECK(key_words(actual)[i] == key_words(expected)[i]);
  }
}

uint32_t ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}

constexpr uint8_t kV6Src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
constexpr uint8_t kV6Dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02};

FlowKey ipv4_key(uint8_t proto) {
  FlowKey k = base_key(0x0800);
  k.ip_proto = proto;
  k.ip_tos = 0xb8;
  k.ip_ttl = 64;
  k.nw_src = htonl(ip4(10, 0, 0, 1));
  k.nw_dst = htonl(ip4(10, 0, 0, 2));
  return k;
}

FlowKey ipv6_key(uint8_t proto) {
  FlowKey k = base_key(0x86dd);
  k.ip_proto = proto;
  k.ip_tos = 0x2e;
  k.ipv6_label = 0x12345;
  k.ip_ttl = 255;
  std::memcpy(k.ipv6_src, kV6Src, 16);
  std::memcpy(k.ipv6_dst, kV6Dst, 16);
  return k;
}

// IPv4 (tos 0xb8, ttl 64, 10.0.0.1 -> 10.0.0.2) with `l4` bytes after it.
FrameBuilder ipv4_frame(uint8_t proto, const std::vector<uint8_t>& l4, uint16_t frag = 0) {
  FrameBuilder f = eth();
  f.be16(0x0800).ipv4(0xb8, static_cast<uint16_t>(20 + l4.size()), frag, 64, proto, ip4(10, 0, 0, 1),
                      ip4(10, 0, 0, 2));
  f.raw(l4.data(), l4.size());
  return f;
}

// IPv6 (tclass 0x2e, label 0x12345, hop limit 255) with `payload` after it.
FrameBuilder ipv6_frame(uint8_t next, const std::vector<uint8_t>& payload) {
  FrameBuilder f = eth();
  f.be16(0x86dd).ipv6(0x2e, 0x12345, static_cast<uint16_t>(payload.size()), next, 255, kV6Src, kV6Dst);
  f.raw(payload.data(), payload.size());
  return f;
}

std::vector<uint8_t> tcp_header(uint16_t sport, uint16_t dport, uint16_t offset_flags) {
  FrameBuilder h;
  h.be16(sport).be16(dport).be32(1000).be32(2000).be16(offset_flags).be16(512).be16(0).be16(0);
  return h.bytes();
}

std::vector<uint8_t> udp_header(uint16_t sport, uint16_t dport) {
  FrameBuilder h;
  h.be16(sport).be16(dport).be16(8).be16(0);
  return h.bytes();
}

// ---- Ethernet and tags ---------------------------------------------------

TEST_CASE("extract: an untagged frame of exactly 14 bytes gives MACs, port and ethertype", "[flow_extract]") {
  FrameBuilder f = eth();
  f.be16(0x88cc);  // LLDP: no L3 fields
  FlowKey key;
  REQUIRE(extract(f, &key) == ExtractResult::kOk);
  require_same_key(key, base_key(0x88cc));
}

TEST_CASE("extract: frames shorter than 14 bytes are runts", "[flow_extract]") {
  FrameBuilder f = eth();
  f.be16(0x0800);
  for (uint32_t len = 0; len < 14; ++len) {
    FlowKey key;
    INFO("length " << len);
    CHECK(extract_flow_key(f.data(), len, kPort, kTpids, &key) == ExtractResult::kRunt);
  }
}

TEST_CASE("extract: every tag depth 0..8 gives the whole stack and the inner headers", "[flow_extract]") {
  const uint16_t tpids[] = {0x88a8, 0x8100, 0x9100, 0x9200, 0x9300};
  for (int depth = 0; depth <= 8; ++depth) {
    INFO("depth " << depth);
    FrameBuilder f = eth();
    FlowKey want = ipv4_key(17);
    for (int i = 0; i < depth; ++i) {
      const uint16_t tpid = tpids[i % 5];
      // PCP i%8, DEI on odd depths, VID 100+i: every TCI bit pattern differs.
      const uint16_t tci = static_cast<uint16_t>(((i % 8) << 13) | ((i & 1) << 12) | (100 + i));
      f.tag(tpid, tci);
      want.tags[i] = KeyTag{tpid, tci};
    }
    f.be16(0x0800).ipv4(0xb8, 28, 0, 64, 17, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2));
    auto udp = udp_header(5000, 53);
    f.raw(udp.data(), udp.size());
    want.tag_depth = static_cast<uint8_t>(depth);
    want.tp_src = htons(5000);
    want.tp_dst = htons(53);

    FlowKey key;
    REQUIRE(extract(f, &key) == ExtractResult::kOk);
    require_same_key(key, want);
  }
}

TEST_CASE("extract: a ninth tag is too many", "[flow_extract]") {
  FrameBuilder f = eth();
  for (int i = 0; i < 9; ++i) f.tag(0x8100, static_cast<uint16_t>(i + 1));
  f.be16(0x0800).zeros(40);
  FlowKey key;
  CHECK(extract(f, &key) == ExtractResult::kTooManyTags);

  // Eight tags followed by a ninth TPID but nothing else is still "too many":
  // the depth is checked before the tag's own bytes.
  FrameBuilder g = eth();
  for (int i = 0; i < 8; ++i) g.tag(0x88a8, 1);
  g.be16(0x8100);
  CHECK(extract(g, &key) == ExtractResult::kTooManyTags);
}

TEST_CASE("extract: a tag cut off anywhere is a truncated tag", "[flow_extract]") {
  // One tag needs 12 + 4 + 2 = 18 bytes.
  FrameBuilder f = eth();
  f.tag(0x8100, 0x0064).be16(0x0800);
  for (uint32_t len = 14; len < 18; ++len) {
    FlowKey key;
    INFO("length " << len);
    CHECK(extract_flow_key(f.data(), len, kPort, kTpids, &key) == ExtractResult::kTruncatedTag);
  }
  FlowKey key;
  CHECK(extract_flow_key(f.data(), 18, kPort, kTpids, &key) == ExtractResult::kOk);

  // The third tag of three cut off.
  FrameBuilder g = eth();
  g.tag(0x88a8, 1).tag(0x8100, 2).tag(0x8100, 3);
  CHECK(extract_flow_key(g.data(), g.len() - 1, kPort, kTpids, &key) == ExtractResult::kTruncatedTag);
  CHECK(extract_flow_key(g.data(), g.len(), kPort, kTpids, &key) == ExtractResult::kTruncatedTag);
}

TEST_CASE("extract: only the configured TPIDs announce tags", "[flow_extract]") {
  auto only_8100 = l2tags::TpidSet::make({0x8100});
  REQUIRE(only_8100.is_ok());
  FrameBuilder f = eth();
  f.tag(0x8100, 10).tag(0x88a8, 20);
  FlowKey key;
  REQUIRE(extract(f, &key, *only_8100) == ExtractResult::kOk);
  FlowKey want = base_key(0x88a8);  // 88a8 is an ethertype for this set
  want.tag_depth = 1;
  want.tags[0] = KeyTag{0x8100, 10};
  require_same_key(key, want);
}

// ---- ARP -------------------------------------------------------------------

FrameBuilder arp_frame(uint16_t htype, uint16_t op) {
  FrameBuilder f = eth();
  f.be16(0x0806).be16(htype).be16(0x0800).u8(6).u8(4).be16(op);
  f.raw({0x02, 0, 0, 0, 0, 0xaa}).be32(ip4(192, 168, 1, 1));
  f.raw({0x02, 0, 0, 0, 0, 0xbb}).be32(ip4(192, 168, 1, 2));
  return f;
}

TEST_CASE("extract: ARP request and reply fill op, addresses and hardware addresses", "[flow_extract]") {
  for (uint16_t op : {uint16_t{1}, uint16_t{2}}) {
    INFO("op " << op);
    FlowKey key;
    REQUIRE(extract(arp_frame(1, op), &key) == ExtractResult::kOk);
    FlowKey want = base_key(0x0806);
    want.arp_op = op;
    want.ip_proto = static_cast<uint8_t>(op);
    want.nw_src = htonl(ip4(192, 168, 1, 1));
    want.nw_dst = htonl(ip4(192, 168, 1, 2));
    const uint8_t sha[6] = {0x02, 0, 0, 0, 0, 0xaa};
    const uint8_t tha[6] = {0x02, 0, 0, 0, 0, 0xbb};
    std::memcpy(want.arp_sha, sha, 6);
    std::memcpy(want.arp_tha, tha, 6);
    require_same_key(key, want);
  }
}

TEST_CASE("extract: truncated or non-Ethernet ARP leaves the ARP fields zero", "[flow_extract]") {
  FlowKey key;
  FrameBuilder cut = arp_frame(1, 1);
  cut.bytes().pop_back();  // 27 bytes of ARP
  REQUIRE(extract(cut, &key) == ExtractResult::kOk);
  require_same_key(key, base_key(0x0806));

  REQUIRE(extract(arp_frame(6, 1), &key) == ExtractResult::kOk);  // IEEE 802 hardware
  require_same_key(key, base_key(0x0806));
}

// ---- IPv4 ------------------------------------------------------------------

TEST_CASE("extract: IPv4 TCP gives ports and the 12 flag bits", "[flow_extract]") {
  FlowKey key;
  // Data offset 5, flags NS|SYN|ACK plus the 3 reserved bits set: 0x5f12.
  REQUIRE(extract(ipv4_frame(6, tcp_header(40000, 443, 0x5f12)), &key) == ExtractResult::kOk);
  FlowKey want = ipv4_key(6);
  want.tp_src = htons(40000);
  want.tp_dst = htons(443);
  want.tcp_flags = 0x0f12;
  require_same_key(key, want);
}

TEST_CASE("extract: IPv4 UDP and SCTP give ports", "[flow_extract]") {
  FlowKey key;
  REQUIRE(extract(ipv4_frame(17, udp_header(68, 67)), &key) == ExtractResult::kOk);
  FlowKey want = ipv4_key(17);
  want.tp_src = htons(68);
  want.tp_dst = htons(67);
  require_same_key(key, want);

  FrameBuilder sctp;
  sctp.be16(2905).be16(2906).be32(0xdeadbeef).be32(0);
  REQUIRE(extract(ipv4_frame(132, sctp.bytes()), &key) == ExtractResult::kOk);
  want = ipv4_key(132);
  want.tp_src = htons(2905);
  want.tp_dst = htons(2906);
  require_same_key(key, want);
}

TEST_CASE("extract: IPv4 ICMP gives type and code as numbers", "[flow_extract]") {
  FrameBuilder icmp;
  icmp.u8(3).u8(4).be16(0).be32(0);  // destination unreachable, fragmentation needed
  FlowKey key;
  REQUIRE(extract(ipv4_frame(1, icmp.bytes()), &key) == ExtractResult::kOk);
  FlowKey want = ipv4_key(1);
  want.tp_src = 3;
  want.tp_dst = 4;
  require_same_key(key, want);
}

TEST_CASE("extract: IPv4 with another protocol fills L3 only", "[flow_extract]") {
  FlowKey key;
  REQUIRE(extract(ipv4_frame(47, std::vector<uint8_t>(16, 0x77)), &key) == ExtractResult::kOk);
  require_same_key(key, ipv4_key(47));
}

// Found by fuzz_flow_extract: IPv4 carrying protocol 58 had its payload
// read as ICMPv6, neighbour discovery options included.
TEST_CASE("extract: ICMP's number in IPv6 and ICMPv6's in IPv4 give no L4 fields", "[flow_extract]") {
  std::vector<uint8_t> nd_solicit = {135, 0, 0, 0, 0, 0, 0, 0};
  nd_solicit.insert(nd_solicit.end(), kV6Dst, kV6Dst + 16);
  nd_solicit.insert(nd_solicit.end(), {1, 1, 0x02, 0, 0, 0, 0, 0x09});  // source link-layer address
  FlowKey key;
  REQUIRE(extract(ipv4_frame(58, nd_solicit), &key) == ExtractResult::kOk);
  require_same_key(key, ipv4_key(58));
  REQUIRE(extract(ipv6_frame(1, {8, 0, 0, 0, 0, 1, 0, 1}), &key) == ExtractResult::kOk);
  require_same_key(key, ipv6_key(1));
}

TEST_CASE("extract: IPv4 options are skipped to reach L4", "[flow_extract]") {
  FrameBuilder f = eth();
  f.be16(0x0800).u8(0x46).u8(0xb8).be16(32).be16(0).be16(0).u8(64).u8(17).be16(0);
  f.be32(ip4(10, 0, 0, 1)).be32(ip4(10, 0, 0, 2)).be32(0x01010100);  // 4 bytes of NOP options
  auto udp = udp_header(1, 2);
  f.raw(udp.data(), udp.size());
  FlowKey key;
  REQUIRE(extract(f, &key) == ExtractResult::kOk);
  FlowKey want = ipv4_key(17);
  want.tp_src = htons(1);
  want.tp_dst = htons(2);
  require_same_key(key, want);
}

TEST_CASE("extract: IPv4 fragments: the first keeps L4, later ones do not", "[flow_extract]") {
  FlowKey key;
  REQUIRE(extract(ipv4_frame(17, udp_header(9, 10), 0x2000), &key) == ExtractResult::kOk);  // MF, offset 0
  FlowKey want = ipv4_key(17);
  want.ip_frag = kFragAny;
  want.tp_src = htons(9);
  want.tp_dst = htons(10);
  require_same_key(key, want);

  REQUIRE(extract(ipv4_frame(17, udp_header(9, 10), 0x00b9), &key) == ExtractResult::kOk);  // offset 185*8
  want = ipv4_key(17);
  want.ip_frag = kFragAny | kFragLater;
  require_same_key(key, want);

  // DF alone is not a fragment.
  REQUIRE(extract(ipv4_frame(17, udp_header(9, 10), 0x4000), &key) == ExtractResult::kOk);
  want = ipv4_key(17);
  want.tp_src = htons(9);
  want.tp_dst = htons(10);
  require_same_key(key, want);
}

TEST_CASE("extract: truncated IPv4 keeps what was complete", "[flow_extract]") {
  FlowKey key;
  SECTION("a cut IPv4 header leaves every L3 field zero") {
    FrameBuilder f = ipv4_frame(6, tcp_header(1, 2, 0x5002));
    f.bytes().resize(14 + 19);
    REQUIRE(extract(f, &key) == ExtractResult::kOk);
    require_same_key(key, base_key(0x0800));
  }
  SECTION("a cut TCP header keeps L3, L4 stays zero") {
    FrameBuilder f = ipv4_frame(6, tcp_header(1, 2, 0x5002));
    f.bytes().resize(14 + 20 + 19);
    REQUIRE(extract(f, &key) == ExtractResult::kOk);
    require_same_key(key, ipv4_key(6));
  }
  SECTION("a cut UDP header keeps L3") {
    FrameBuilder f = ipv4_frame(17, udp_header(1, 2));
    f.bytes().resize(14 + 20 + 7);
    REQUIRE(extract(f, &key) == ExtractResult::kOk);
    require_same_key(key, ipv4_key(17));
  }
  SECTION("Ethernet padding after a short IP packet is not read as L4") {
    // Total length says 24: only 4 bytes of UDP; the frame is padded to 60.
    FrameBuilder f = eth();
    f.be16(0x0800).ipv4(0xb8, 24, 0, 64, 17, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2));
    f.be16(1).be16(2).zeros(22);
    REQUIRE(f.size() == 60);
    REQUIRE(extract(f, &key) == ExtractResult::kOk);
    require_same_key(key, ipv4_key(17));
  }
  SECTION("options longer than the packet: L3 kept, no L4") {
    FrameBuilder f = ipv4_frame(17, udp_header(1, 2));
    f.bytes()[14] = 0x4f;  // IHL 15: 60 bytes of header, the packet has 28
    REQUIRE(extract(f, &key) == ExtractResult::kOk);
    require_same_key(key, ipv4_key(17));
  }
  SECTION("IHL below 5 or a version other than 4 is not IPv4") {
    FrameBuilder f = ipv4_frame(17, udp_header(1, 2));
    f.bytes()[14] = 0x44;
    REQUIRE(extract(f, &key) == ExtractResult::kOk);
    require_same_key(key, base_key(0x0800));
    f.bytes()[14] = 0x65;
    REQUIRE(extract(f, &key) == ExtractResult::kOk);
    require_same_key(key, base_key(0x0800));
  }
}

// ---- IPv6 ------------------------------------------------------------------

TEST_CASE("extract: IPv6 TCP, UDP and SCTP give ports, class, label, hop limit", "[flow_extract]") {
  FlowKey key;
  REQUIRE(extract(ipv6_frame(6, tcp_header(1234, 22, 0x5018)), &key) == ExtractResult::kOk);
  FlowKey want = ipv6_key(6);
  want.tp_src = htons(1234);
  want.tp_dst = htons(22);
  want.tcp_flags = 0x018;
  require_same_key(key, want);

  REQUIRE(extract(ipv6_frame(17, udp_header(546, 547)), &key) == ExtractResult::kOk);
  want = ipv6_key(17);
  want.tp_src = htons(546);
  want.tp_dst = htons(547);
  require_same_key(key, want);

  FrameBuilder sctp;
  sctp.be16(7).be16(8).be32(1).be32(0);
  REQUIRE(extract(ipv6_frame(132, sctp.bytes()), &key) == ExtractResult::kOk);
  want = ipv6_key(132);
  want.tp_src = htons(7);
  want.tp_dst = htons(8);
  require_same_key(key, want);
}

TEST_CASE("extract: ICMPv6 gives type and code", "[flow_extract]") {
  FrameBuilder echo;
  echo.u8(128).u8(0).be16(0).be32(0x00010001);
  FlowKey key;
  REQUIRE(extract(ipv6_frame(58, echo.bytes()), &key) == ExtractResult::kOk);
  FlowKey want = ipv6_key(58);
  want.tp_src = 128;
  require_same_key(key, want);
}

// An ND message of `type` for target kV6Dst with the given options.
std::vector<uint8_t> nd(uint8_t type, std::initializer_list<std::initializer_list<uint8_t>> options) {
  FrameBuilder h;
  h.u8(type).u8(0).be16(0).be32(type == 136 ? 0x60000000 : 0).raw(kV6Dst, 16);
  for (auto o : options) h.raw(o);
  return h.bytes();
}

TEST_CASE("extract: neighbour discovery link-layer addresses go to arp_sha / arp_tha", "[flow_extract]") {
  FlowKey key;
  SECTION("solicit with a source link-layer address") {
    REQUIRE(extract(ipv6_frame(58, nd(135, {{1, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55}})), &key) ==
            ExtractResult::kOk);
    FlowKey want = ipv6_key(58);
    want.tp_src = 135;
    const uint8_t sll[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    std::memcpy(want.arp_sha, sll, 6);
    require_same_key(key, want);
  }
  SECTION("advert with a target link-layer address, after an unknown option") {
    REQUIRE(extract(ipv6_frame(58, nd(136, {{14, 1, 9, 9, 9, 9, 9, 9}, {2, 1, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}})),
                    &key) == ExtractResult::kOk);
    FlowKey want = ipv6_key(58);
    want.tp_src = 136;
    const uint8_t tll[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    std::memcpy(want.arp_tha, tll, 6);
    require_same_key(key, want);
  }
  SECTION("a target address option in a solicit is ignored") {
    REQUIRE(extract(ipv6_frame(58, nd(135, {{2, 1, 1, 2, 3, 4, 5, 6}})), &key) == ExtractResult::kOk);
    FlowKey want = ipv6_key(58);
    want.tp_src = 135;
    require_same_key(key, want);
  }
  SECTION("a zero-length option ends the walk; a truncated option is not read") {
    REQUIRE(extract(ipv6_frame(58, nd(135, {{3, 0, 0, 0, 0, 0, 0, 0}, {1, 1, 1, 2, 3, 4, 5, 6}})), &key) ==
            ExtractResult::kOk);
    FlowKey want = ipv6_key(58);
    want.tp_src = 135;
    require_same_key(key, want);
    REQUIRE(extract(ipv6_frame(58, nd(135, {{1, 1, 1, 2, 3, 4, 5}})), &key) == ExtractResult::kOk);
    require_same_key(key, want);
  }
}

TEST_CASE("extract: IPv6 extension headers are skipped to the L4 header", "[flow_extract]") {
  FrameBuilder p;
  p.u8(43).u8(0).zeros(6);                    // hop-by-hop, 8 bytes, next routing
  p.u8(60).u8(1).zeros(14);                   // routing, 16 bytes, next destination options
  p.u8(51).u8(0).zeros(6);                    // destination options, 8 bytes, next AH
  p.u8(44).u8(1).zeros(10);                   // AH: (1 + 2) * 4 = 12 bytes, next fragment
  p.u8(17).u8(0).be16(0x0001).be32(0xabcd);   // fragment: offset 0, M=1, next UDP
  auto udp = udp_header(4789, 4790);
  p.raw(udp.data(), udp.size());
  FlowKey key;
  REQUIRE(extract(ipv6_frame(0, p.bytes()), &key) == ExtractResult::kOk);
  FlowKey want = ipv6_key(17);
  want.ip_frag = kFragAny;
  want.tp_src = htons(4789);
  want.tp_dst = htons(4790);
  require_same_key(key, want);
}

TEST_CASE("extract: IPv6 fragments: later fragments have no L4, atomic ones are whole", "[flow_extract]") {
  auto udp = udp_header(1, 2);
  FlowKey key;
  FrameBuilder later;
  later.u8(17).u8(0).be16(0x0100 | 1).be32(7);  // offset 32, M=1
  later.raw(udp.data(), udp.size());
  REQUIRE(extract(ipv6_frame(44, later.bytes()), &key) == ExtractResult::kOk);
  FlowKey want = ipv6_key(17);
  want.ip_frag = kFragAny | kFragLater;
  require_same_key(key, want);

  FrameBuilder atomic;
  atomic.u8(17).u8(0).be16(0).be32(7);  // offset 0, M=0
  atomic.raw(udp.data(), udp.size());
  REQUIRE(extract(ipv6_frame(44, atomic.bytes()), &key) == ExtractResult::kOk);
  want = ipv6_key(17);
  want.tp_src = htons(1);
  want.tp_dst = htons(2);
  require_same_key(key, want);
}

TEST_CASE("extract: truncated IPv6 keeps what was complete", "[flow_extract]") {
  FlowKey key;
  SECTION("a cut fixed header leaves every L3 field zero") {
    FrameBuilder f = ipv6_frame(17, udp_header(1, 2));
    f.bytes().resize(14 + 39);
    REQUIRE(extract(f, &key) == ExtractResult::kOk);
    require_same_key(key, base_key(0x86dd));
  }
  SECTION("a cut extension header ends the walk with ip_proto naming it") {
    FrameBuilder ext;
    ext.u8(17).u8(1).zeros(6);  // claims 16 bytes, has 8
    REQUIRE(extract(ipv6_frame(60, ext.bytes()), &key) == ExtractResult::kOk);
    require_same_key(key, ipv6_key(60));
  }
  SECTION("the payload length bounds the packet; padding is not L4") {
    FrameBuilder f = ipv6_frame(17, udp_header(1, 2));
    f.bytes()[14 + 5] = 4;  // payload length 4: half a UDP header
    REQUIRE(extract(f, &key) == ExtractResult::kOk);
    require_same_key(key, ipv6_key(17));
  }
  SECTION("a cut ICMPv6 header keeps L3") {
    REQUIRE(extract(ipv6_frame(58, {128, 0, 0}), &key) == ExtractResult::kOk);
    require_same_key(key, ipv6_key(58));
  }
  SECTION("a version other than 6 is not IPv6") {
    FrameBuilder f = ipv6_frame(17, udp_header(1, 2));
    f.bytes()[14] = 0x42;
    REQUIRE(extract(f, &key) == ExtractResult::kOk);
    require_same_key(key, base_key(0x86dd));
  }
}

TEST_CASE("extract: L3 is found after a deep tag stack", "[flow_extract]") {
  FrameBuilder f = eth();
  for (int i = 0; i < 8; ++i) f.tag(0x8100, static_cast<uint16_t>(i + 1));
  f.be16(0x86dd).ipv6(0x2e, 0x12345, 8, 17, 255, kV6Src, kV6Dst);
  auto udp = udp_header(11, 12);
  f.raw(udp.data(), udp.size());
  FlowKey key;
  REQUIRE(extract(f, &key) == ExtractResult::kOk);
  FlowKey want = ipv6_key(17);
  want.tag_depth = 8;
  for (int i = 0; i < 8; ++i) want.tags[i] = KeyTag{0x8100, static_cast<uint16_t>(i + 1)};
  want.tp_src = htons(11);
  want.tp_dst = htons(12);
  require_same_key(key, want);
}

// ---- the composed IPv4 path ---------------------------------------------

// extract_flow_key() composes the common frame's key in registers
// (detail::extract_plain_ipv4); every other frame, and every frame that
// path gives back, goes through extract_flow_key_general(). Both must give
// the same verdict and key for every prefix of frames near the boundary.
TEST_CASE("extract: the composed IPv4 path and the general path agree on every prefix", "[flow_extract]") {
  std::vector<std::pair<const char*, FrameBuilder>> frames;
  auto tcp = tcp_header(40000, 443, 0x5000 | 0x0fff);
  auto udp = udp_header(53, 5353);
  frames.emplace_back("tcp", ipv4_frame(6, tcp));
  frames.emplace_back("udp", ipv4_frame(17, udp));
  frames.emplace_back("sctp", ipv4_frame(132, std::vector<uint8_t>(12, 0x5a)));
  frames.emplace_back("icmp", ipv4_frame(1, {8, 3, 0, 0, 0, 0, 0, 0}));
  frames.emplace_back("icmpv6 in ipv4 (ND options)", ipv4_frame(58, std::vector<uint8_t>(40, 0x87)));
  frames.emplace_back("gre (no L4 fields)", ipv4_frame(47, std::vector<uint8_t>(8, 1)));
  frames.emplace_back("first fragment", ipv4_frame(17, udp, 0x2000));
  frames.emplace_back("later fragment", ipv4_frame(17, udp, 0x0010));
  FrameBuilder padded = ipv4_frame(17, udp);  // Ethernet padding after the IP length
  padded.zeros(18);
  frames.emplace_back("padded", padded);
  FrameBuilder short_tot = ipv4_frame(6, tcp);  // total length 24: TCP cut off by it
  short_tot.bytes()[17] = 24;
  frames.emplace_back("total length inside tcp", short_tot);
  FrameBuilder tiny_tot = ipv4_frame(17, udp);  // total length 12 < the header
  tiny_tot.bytes()[17] = 12;
  frames.emplace_back("total length below 20", tiny_tot);
  FrameBuilder options = ipv4_frame(17, udp);  // ihl 6: the general path's
  options.bytes()[14] = 0x46;
  frames.emplace_back("ihl 6", options);
  FrameBuilder v6 = ipv4_frame(17, udp);  // version 6 behind IPv4's type
  v6.bytes()[14] = 0x65;
  frames.emplace_back("version 6", v6);

  const l2tags::TpidSet tpids_with_ipv4 = *l2tags::TpidSet::make({0x8100, 0x0800});
  for (const auto& [name, frame] : frames) {
    for (uint32_t len = 0; len <= frame.len(); ++len) {
      for (const l2tags::TpidSet* tpids : {&kTpids, &tpids_with_ipv4}) {
        INFO(name << ", first " << len << " bytes, " << tpids->size() << " TPIDs");
        FlowKey fast, general;
        std::memset(static_cast<void*>(&fast), 0xa5, sizeof fast);
        std::memset(static_cast<void*>(&general), 0x5a, sizeof general);
        const ExtractResult r = extract_flow_key(frame.data(), len, kPort, *tpids, &fast);
        REQUIRE(r == extract_flow_key_general(frame.data(), len, kPort, *tpids, &general));
        if (r == ExtractResult::kOk) require_same_key(fast, general);
      }
    }
  }
}

TEST_CASE("extract: the composed path fills TCP ports and flags in place", "[flow_extract]") {
  FrameBuilder f = ipv4_frame(6, tcp_header(40000, 443, 0x5000 | 0x0a12));
  FlowKey key;
  REQUIRE(extract(f, &key) == ExtractResult::kOk);
  FlowKey want = ipv4_key(6);
  want.tp_src = htons(40000);
  want.tp_dst = htons(443);
  want.tcp_flags = 0x0a12;
  require_same_key(key, want);
}

}  // namespace
}  // namespace strata::datapath
