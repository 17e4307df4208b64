// Malformed input gets the OFPT_ERROR type and code OpenFlow 1.3 names for
// it, and decoding never reads past the message.
#include <catch2/catch.hpp>

#include "ofproto/ofp_codec.h"

using namespace strata::ofproto;

namespace {

using Bytes = std::vector<uint8_t>;

void be16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void be32(Bytes& b, uint32_t v) {
  be16(b, static_cast<uint16_t>(v >> 16));
  be16(b, static_cast<uint16_t>(v));
}

// A FLOW_MOD (add, table 0) with these raw OXM TLVs and instructions.
Bytes flow_mod(const Bytes& oxms, const Bytes& instructions, uint16_t match_type = ofp::kMatchTypeOxm) {
  Bytes b(8 + 40, 0);  // header + cookie .. pad: all zero is a valid add ...
  b[0] = ofp::kVersion;
  b[1] = ofp::kFlowMod;
  b[7] = 1;
  for (int i = 0; i < 4; ++i) b[8 + 20 + i] = 0xff;  // ... with buffer_id NO_BUFFER
  be16(b, match_type);
  be16(b, static_cast<uint16_t>(4 + oxms.size()));
  b.insert(b.end(), oxms.begin(), oxms.end());
  while (b.size() % 8 != 0) b.push_back(0);
  b.insert(b.end(), instructions.begin(), instructions.end());
  b[2] = static_cast<uint8_t>(b.size() >> 8);
  b[3] = static_cast<uint8_t>(b.size());
  return b;
}

Bytes oxm(uint8_t field, const Bytes& value, bool hasmask = false) {
  Bytes b;
  be32(b, 0x80000000u | uint32_t{field} << 9 | (hasmask ? 0x100u : 0u) | static_cast<uint32_t>(value.size()));
  b.insert(b.end(), value.begin(), value.end());
  return b;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes b;
  for (const auto& p : parts) b.insert(b.end(), p.begin(), p.end());
  return b;
}

// apply-actions wrapping raw action bytes (padded: the instruction itself
// stays well-formed whatever the actions are).
Bytes apply(const Bytes& actions) {
  Bytes b;
  be16(b, ofp::kItApplyActions);
  be16(b, static_cast<uint16_t>(8 + (actions.size() + 7) / 8 * 8));
  be32(b, 0);
  b.insert(b.end(), actions.begin(), actions.end());
  while (b.size() % 8 != 0) b.push_back(0);
  return b;
}

OfStatus decode(const Bytes& msg) {
  msg::FlowModBody fm;
  return decode_body(msg.data(), msg.size(), &fm);
}

void expect(const Bytes& msg, uint16_t type, uint16_t code) {
  const OfStatus st = decode(msg);
  INFO(st.message());
  CHECK_FALSE(st);
  CHECK(st.type() == type);
  CHECK(st.code() == code);
}

const Bytes kEthIp = oxm(5, {0x08, 0x00});

}  // namespace

TEST_CASE("a well-formed FLOW_MOD from raw bytes decodes", "[ofproto][codec][errors]") {
  const Bytes out = {0, 0, 0, 16, 0, 0, 0, 2, 0xff, 0xff, 0, 0, 0, 0, 0, 0};
  CHECK(decode(flow_mod(cat({kEthIp, oxm(11, {10, 0, 0, 1})}), apply(out))));
}

TEST_CASE("bad matches: type, length, field, mask, value, prerequisite, duplicates", "[ofproto][codec][errors]") {
  expect(flow_mod({}, {}, 0), ofp::kEtBadMatch, ofp::kBmcBadType);
  expect(flow_mod(oxm(40, {1}), {}), ofp::kEtBadMatch, ofp::kBmcBadField);                   // unknown field
  expect(flow_mod(oxm(38, Bytes(8, 0)), {}), ofp::kEtBadMatch, ofp::kBmcBadField);           // tunnel_id: not supported
  expect(flow_mod(oxm(0, {0, 0, 0, 1, 0, 0, 0, 1}, true), {}), ofp::kEtBadMatch, ofp::kBmcBadMask);  // in_port masked
  expect(flow_mod(oxm(0, {0, 0, 1}), {}), ofp::kEtBadMatch, ofp::kBmcBadLen);                // in_port of 3 bytes
  expect(flow_mod(cat({oxm(0, {0, 0, 0, 1}), oxm(0, {0, 0, 0, 2})}), {}), ofp::kEtBadMatch, ofp::kBmcDupField);
  expect(flow_mod(oxm(3, {1, 2, 3, 4, 5, 6, 0xff, 0, 0, 0, 0, 0}, true), {}), ofp::kEtBadMatch,
         ofp::kBmcBadWildcards);                                                               // value bits outside mask
  expect(flow_mod(cat({oxm(6, {0x10, 0x05}), oxm(7, {8})}), {}), ofp::kEtBadMatch, ofp::kBmcBadValue);  // pcp 8
  expect(flow_mod(oxm(6, {0x30, 0x00}), {}), ofp::kEtBadMatch, ofp::kBmcBadValue);          // bits above PRESENT
  expect(flow_mod(oxm(11, {10, 0, 0, 1}), {}), ofp::kEtBadMatch, ofp::kBmcBadPrereq);       // ipv4_src alone
  expect(flow_mod(oxm(7, {3}), {}), ofp::kEtBadMatch, ofp::kBmcBadPrereq);                  // vlan_pcp without vid
  Bytes exp;  // experimenter class with a foreign experimenter id
  be32(exp, 0xffff0006u | 9u << 9);
  be32(exp, 0x00002320);
  be16(exp, 0x1001);
  expect(flow_mod(exp, {}), ofp::kEtBadMatch, ofp::kBmcBadField);
  // A match whose length runs past the message.
  Bytes runs = flow_mod(oxm(0, {0, 0, 0, 1}), {});
  runs[8 + 40 + 3] = 200;
  expect(runs, ofp::kEtBadMatch, ofp::kBmcBadLen);
}

TEST_CASE("bad actions: length, type, experimenter, argument, set_field", "[ofproto][codec][errors]") {
  Bytes bad_len = {0, 0, 0, 12, 0, 0, 0, 2, 0, 0, 0, 0};
  expect(flow_mod({}, apply(bad_len)), ofp::kEtBadAction, ofp::kBacBadLen);
  Bytes short_output = {0, 0, 0, 8, 0, 0, 0, 2};
  expect(flow_mod({}, apply(short_output)), ofp::kEtBadAction, ofp::kBacBadLen);
  Bytes unknown = {0, 99, 0, 8, 0, 0, 0, 0};
  expect(flow_mod({}, apply(unknown)), ofp::kEtBadAction, ofp::kBacBadType);
  Bytes dec_ttl = {0, 24, 0, 8, 0, 0, 0, 0};
  expect(flow_mod({}, apply(dec_ttl)), ofp::kEtBadAction, ofp::kBacBadType);
  Bytes experimenter = {0xff, 0xff, 0, 8, 0, 0, 0x23, 0x20};
  expect(flow_mod({}, apply(experimenter)), ofp::kEtBadAction, ofp::kBacBadExperimenter);
  Bytes push_ip = {0, 17, 0, 8, 0x08, 0x00, 0, 0};
  expect(flow_mod({}, apply(push_ip)), ofp::kEtBadAction, ofp::kBacBadArgument);
  Bytes set_ip = cat({{0, 25, 0, 16}, oxm(11, {1, 2, 3, 4}), {0, 0, 0, 0}});
  expect(flow_mod({}, apply(set_ip)), ofp::kEtBadAction, ofp::kBacBadSetType);
  Bytes set_masked = cat({{0, 25, 0, 24}, oxm(4, {1, 2, 3, 4, 5, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, true), {0, 0, 0, 0}});
  expect(flow_mod({}, apply(set_masked)), ofp::kEtBadAction, ofp::kBacBadSetArgument);
  Bytes set_pcp9 = cat({{0, 25, 0, 16}, oxm(7, {9}), {0, 0, 0, 0, 0, 0, 0}});
  expect(flow_mod({}, apply(set_pcp9)), ofp::kEtBadAction, ofp::kBacBadSetArgument);
}

TEST_CASE("bad instructions: unknown, meter, length, duplicate", "[ofproto][codec][errors]") {
  expect(flow_mod({}, {0, 9, 0, 8, 0, 0, 0, 0}), ofp::kEtBadInstruction, ofp::kBicUnknownInst);
  expect(flow_mod({}, {0, 6, 0, 8, 0, 0, 0, 1}), ofp::kEtBadInstruction, ofp::kBicUnsupInst);
  expect(flow_mod({}, {0, 1, 0, 16, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), ofp::kEtBadInstruction, ofp::kBicBadLen);
  expect(flow_mod({}, {0, 1, 0, 4}), ofp::kEtBadInstruction, ofp::kBicBadLen);
  expect(flow_mod({}, {0, 1, 0, 8, 1, 0, 0, 0, 0, 1, 0, 8, 2, 0, 0, 0}), ofp::kEtBadInstruction, ofp::kBicUnsupInst);
  expect(flow_mod({}, {0xff, 0xff, 0, 8, 0, 0, 0, 1}), ofp::kEtBadInstruction, ofp::kBicBadExperimenter);
}

TEST_CASE("every truncation of a valid FLOW_MOD fails cleanly", "[ofproto][codec][errors]") {
  const Bytes out = {0, 0, 0, 16, 0, 0, 0, 2, 0xff, 0xff, 0, 0, 0, 0, 0, 0};
  const Bytes full = flow_mod(cat({kEthIp, oxm(11, {10, 0, 0, 1})}), apply(out));
  const size_t match_end = 8 + 40 + 24;  // a FLOW_MOD may end right after its match
  for (size_t n = 8; n < full.size(); ++n) {
    Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    cut[2] = static_cast<uint8_t>(n >> 8);
    cut[3] = static_cast<uint8_t>(n);
    INFO(n);
    CHECK(static_cast<bool>(decode(cut)) == (n == match_end));
  }
}
