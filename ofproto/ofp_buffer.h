// Big-endian byte reading and writing for the OpenFlow codec. A Reader never
// reads past its end: a short read sets a sticky failure and yields zeros,
// so decoders check ok() once per structure instead of before every field.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace strata::ofproto {

class Reader {
 public:
  Reader(const uint8_t* data, size_t len) : p_(data), end_(data + len) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* pos() const { return p_; }

  uint8_t u8() { return static_cast<uint8_t>(take(1)); }
  uint16_t u16() { return static_cast<uint16_t>(take(2)); }
  uint32_t u32() { return static_cast<uint32_t>(take(4)); }
  uint64_t u64() { return take(8); }
  void bytes(uint8_t* out, size_t n) {
    if (n == 0) return;  // out may be an empty vector's null data()
    if (!need(n)) {
      std::memset(out, 0, n);
      return;
    }
    std::memcpy(out, p_, n);
    p_ += n;
  }
  void skip(size_t n) {
    if (need(n)) p_ += n;
  }
  // A reader over the next n bytes, which this one then skips.
  Reader sub(size_t n) {
    if (!need(n)) return Reader(p_, 0, false);
    Reader r(p_, n);
    p_ += n;
    return r;
  }
  // Marks the reader failed (a decoder found a length that does not add up).
  void fail() { ok_ = false; }

 private:
  Reader(const uint8_t* p, size_t n, bool ok) : p_(p), end_(p + n), ok_(ok) {}
  bool need(size_t n) {
    if (!ok_ || remaining() < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  uint64_t take(int n) {
    if (!need(static_cast<size_t>(n))) return 0;
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | p_[i];
    p_ += n;
    return v;
  }

  const uint8_t* p_;    // next byte
  const uint8_t* end_;  // one past the last byte
  bool ok_ = true;      // false once a read ran short
};

class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}

  size_t size() const { return out_.size(); }
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void bytes(const uint8_t* p, size_t n) { out_.insert(out_.end(), p, p + n); }
  void zeros(size_t n) { out_.insert(out_.end(), n, 0); }
  // Pads with zeros to a multiple of `align` counted from `start`.
  void pad_to(size_t start, size_t align) {
    while ((out_.size() - start) % align != 0) out_.push_back(0);
  }
  // Overwrites a 16-bit field written earlier (a length known only later).
  void patch_u16(size_t at, uint16_t v) {
    out_[at] = static_cast<uint8_t>(v >> 8);
    out_[at + 1] = static_cast<uint8_t>(v);
  }
  void patch_u32(size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) out_[at + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (24 - 8 * i));
  }

 private:
  void put(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t>& out_;  // bytes appended here
};

}  // namespace strata::ofproto
