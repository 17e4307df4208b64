// Builds test frames byte by byte, so that every test states the exact wire
// bytes it feeds to the parser (no parser of ours is used to make its input).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace strata::datapath::test {

class FrameBuilder {
 public:
  FrameBuilder& u8(uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  FrameBuilder& be16(uint16_t v) { return u8(static_cast<uint8_t>(v >> 8)).u8(static_cast<uint8_t>(v)); }
  FrameBuilder& be32(uint32_t v) { return be16(static_cast<uint16_t>(v >> 16)).be16(static_cast<uint16_t>(v)); }
  FrameBuilder& raw(std::initializer_list<uint8_t> v) {
    bytes_.insert(bytes_.end(), v.begin(), v.end());
    return *this;
  }
  FrameBuilder& raw(const uint8_t* p, size_t n) {
    bytes_.insert(bytes_.end(), p, p + n);
    return *this;
  }
  FrameBuilder& zeros(size_t n) {
    bytes_.insert(bytes_.end(), n, 0);
    return *this;
  }

  // Destination and source MAC.
  FrameBuilder& macs(std::initializer_list<uint8_t> dst, std::initializer_list<uint8_t> src) {
    return raw(dst).raw(src);
  }
  // One tag: TPID and TCI.
  FrameBuilder& tag(uint16_t tpid, uint16_t tci) { return be16(tpid).be16(tci); }

  // A 20-byte IPv4 header without options (checksum left zero: not checked).
  FrameBuilder& ipv4(uint8_t tos, uint16_t total_len, uint16_t frag, uint8_t ttl, uint8_t proto, uint32_t src,
                     uint32_t dst) {
    return u8(0x45).u8(tos).be16(total_len).be16(0x1234).be16(frag).u8(ttl).u8(proto).be16(0).be32(src).be32(dst);
  }
  // A 40-byte IPv6 header.
  FrameBuilder& ipv6(uint8_t tclass, uint32_t label, uint16_t payload_len, uint8_t next, uint8_t hop_limit,
                     const uint8_t (&src)[16], const uint8_t (&dst)[16]) {
    be32((6u << 28) | (uint32_t{tclass} << 20) | (label & 0xfffff));
    be16(payload_len).u8(next).u8(hop_limit);
    return raw(src, 16).raw(dst, 16);
  }

  size_t size() const { return bytes_.size(); }
  const uint8_t* data() const { return bytes_.data(); }
  uint32_t len() const { return static_cast<uint32_t>(bytes_.size()); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;  // the frame so far
};

}  // namespace strata::datapath::test
