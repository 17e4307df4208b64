// Fuzzes extract_flow_key() on arbitrary bytes and checks the properties the
// datapath relies on: no read outside the frame (AddressSanitizer: libFuzzer
// hands over a buffer of exactly the input's size), the verdict and tag stack
// agree with l2tags::parse_frame (an independent parser of the same header),
// absent fields are zero, every field stays within its bit width, the
// result is deterministic, and the composed path for plain IPv4 gives the
// same verdict and key as the general parser.
//
// Input: byte 0 picks the TPID set, the rest is the frame.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "datapath/flow_extract.h"
#include "datapath/flow_hash.h"
#include "l2tags/frame_parse.h"

namespace {

using namespace strata::datapath;
namespace l2 = strata::l2tags;

void check(bool ok) {
  if (!ok) std::abort();
}

const l2::TpidSet& pick_tpids(uint8_t ctl) {
  static const l2::TpidSet defaults;
  static const l2::TpidSet one = *l2::TpidSet::make({0x8100});
  static const l2::TpidSet none = *l2::TpidSet::make({});
  switch (ctl % 3) {
    case 0: return defaults;
    case 1: return one;
    default: return none;
  }
}

bool all_zero(const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

void check_key(const FlowKey& k, const l2::TpidSet& tpids, const uint8_t* frame) {
  check(k.tag_depth <= l2::kMaxTags);
  for (int i = 0; i < l2::kMaxTags; ++i) {
    if (i < k.tag_depth) {
      check(tpids.contains(k.tags[i].tpid));
    } else {
      check(k.tags[i].tpid == 0 && k.tags[i].tci == 0);
    }
  }
  check(!tpids.contains(k.eth_type));
  check(std::memcmp(k.eth_dst, frame, 6) == 0 && std::memcmp(k.eth_src, frame + 6, 6) == 0);
  check(k.pad0 == 0 && k.pad1[0] == 0 && k.pad1[1] == 0 && k.pad2[0] == 0 && k.pad2[1] == 0 && k.pad3 == 0);
  check((k.ip_frag & ~(kFragAny | kFragLater)) == 0);
  check(k.ip_frag != kFragLater);  // "later" implies "a fragment"
  check(k.tcp_flags <= 0x0fff);
  check(k.ipv6_label <= 0xfffff);

  const bool ipv4 = k.eth_type == kEthTypeIpv4;
  const bool ipv6 = k.eth_type == kEthTypeIpv6;
  const bool arp = k.eth_type == kEthTypeArp;
  if (!ipv4 && !ipv6 && !arp) {
    // Nothing past the ethertype: words 7..15 and the L3 bytes of 0..2 are zero.
    check(k.ip_proto == 0 && k.ip_tos == 0 && k.ip_frag == 0 && k.ip_ttl == 0);
    check(all_zero(&k.nw_src, sizeof(FlowKey) - offsetof(FlowKey, nw_src)));
  }
  if (!ipv6) {
    check(all_zero(k.ipv6_src, 32) && k.ipv6_label == 0);
  }
  if (!arp) check(k.arp_op == 0);
  if (!arp && !ipv6) check(all_zero(k.arp_sha, 6) && all_zero(k.arp_tha, 6));
  if (arp) check(k.ip_tos == 0 && k.ip_ttl == 0 && k.ip_frag == 0 && k.tp_src == 0 && k.tp_dst == 0);
  if (k.ip_proto != kIpProtoTcp) check(k.tcp_flags == 0);
  if (k.ip_frag & kFragLater) check(k.tp_src == 0 && k.tp_dst == 0 && k.tcp_flags == 0);
  if (k.ip_proto == kIpProtoIcmp || k.ip_proto == kIpProtoIcmpv6) check(k.tp_src <= 0xff && k.tp_dst <= 0xff);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const l2::TpidSet& tpids = pick_tpids(data[0]);
  const uint8_t* frame = data + 1;
  const auto len = static_cast<uint32_t>(size - 1);

  FlowKey key;
  const ExtractResult r = extract_flow_key(frame, len, 42, tpids, &key);

  // The verdict and the stack agree with the l2tags parser.
  const l2::ParsedFrame p = l2::parse_frame(frame, len, tpids);
  switch (p.error) {
    case l2::ParseError::kOk: check(r == ExtractResult::kOk); break;
    case l2::ParseError::kTruncatedFrame: check(r == ExtractResult::kRunt); break;
    case l2::ParseError::kTruncatedTag: check(r == ExtractResult::kTruncatedTag); break;
    case l2::ParseError::kTooManyTags: check(r == ExtractResult::kTooManyTags); break;
  }
  check(key.in_port == 42);
  FlowKey general;
  std::memset(static_cast<void*>(&general), 0x5a, sizeof general);
  check(extract_flow_key_general(frame, len, 42, tpids, &general) == r);
  if (r != ExtractResult::kOk) return 0;
  check(std::memcmp(&key, &general, sizeof key) == 0);

  check(key.tag_depth == p.tags.size());
  for (int i = 0; i < p.tags.size(); ++i) {
    check(key.tags[i].tpid == p.tags[i].tpid && key.tags[i].tci == p.tags[i].tci());
  }
  check(key.eth_type == p.ethertype);
  check_key(key, tpids, frame);

  // Deterministic, whatever the key held before.
  FlowKey again;
  std::memset(static_cast<void*>(&again), 0xff, sizeof again);
  check(extract_flow_key(frame, len, 42, tpids, &again) == ExtractResult::kOk);
  check(std::memcmp(&key, &again, sizeof key) == 0);
  check(flow_hash(key) == flow_hash(again));
  return 0;
}
