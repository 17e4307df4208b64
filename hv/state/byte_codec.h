// ByteWriter / ByteReader: little-endian fields in a byte buffer, for the
// snapshot file and the migration stream. The reader never reads past its
// end: a field that is not all there makes every later read fail, and the
// first failure is what the decoder reports ("truncated ... at byte N").
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "base/status.h"

namespace strata::hv::state {

class ByteWriter {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u16(uint16_t v) { raw(&v, sizeof v); }
  void u32(uint32_t v) { raw(&v, sizeof v); }
  void u64(uint64_t v) { raw(&v, sizeof v); }
  void bytes(std::span<const uint8_t> b) { raw(b.data(), b.size()); }
  // A length-prefixed (u32) run of bytes.
  void blob(std::span<const uint8_t> b) {
    u32(uint32_t(b.size()));
    bytes(b);
  }
  void string(const std::string& s) { blob({reinterpret_cast<const uint8_t*>(s.data()), s.size()}); }
  // A kernel ABI struct (kvm_regs ...), copied as the kernel laid it out:
  // the format version pins the layout, and only x86-64 reads it back.
  template <typename T>
  void pod(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    raw(&v, sizeof v);
  }
  void raw(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    bytes_.insert(bytes_.end(), b, b + n);
  }
  // Overwrites 4 bytes at `offset` (a length written after its contents).
  void patch_u32(size_t offset, uint32_t v) { std::memcpy(bytes_.data() + offset, &v, sizeof v); }

  size_t size() const { return bytes_.size(); }
  std::vector<uint8_t>& buffer() { return bytes_; }
  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<uint8_t> bytes_;  // everything written so far
};

class ByteReader {
 public:
  // `what` names the thing being decoded, for error messages.
  ByteReader(std::span<const uint8_t> bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

  bool u8(uint8_t& v) { return raw(&v, sizeof v, "u8"); }
  bool u16(uint16_t& v) { return raw(&v, sizeof v, "u16"); }
  bool u32(uint32_t& v) { return raw(&v, sizeof v, "u32"); }
  bool u64(uint64_t& v) { return raw(&v, sizeof v, "u64"); }
  template <typename T>
  bool pod(T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    return raw(&v, sizeof v, "struct");
  }
  // A length-prefixed run of at most `max` bytes.
  bool blob(std::vector<uint8_t>& out, uint32_t max) {
    uint32_t n = 0;
    if (!u32(n)) return false;
    if (n > max) return fail("a field of " + std::to_string(n) + " bytes, more than the " + std::to_string(max) + " allowed");
    if (!need(n, "blob")) return false;
    out.assign(bytes_.begin() + long(pos_), bytes_.begin() + long(pos_ + n));
    pos_ += n;
    return true;
  }
  bool string(std::string& out, uint32_t max) {
    std::vector<uint8_t> b;
    if (!blob(b, max)) return false;
    out.assign(b.begin(), b.end());
    return true;
  }
  // A view of the next `n` bytes, consumed.
  bool view(std::span<const uint8_t>& out, uint64_t n) {
    if (!need(n, "bytes")) return false;
    out = bytes_.subspan(pos_, size_t(n));
    pos_ += size_t(n);
    return true;
  }

  // Records a decoding error found by the caller (a bad value, not a short read).
  bool fail(const std::string& why) {
    if (status_.is_ok()) status_ = invalid_argument(what_ + ": " + why + " at byte " + std::to_string(pos_));
    return false;
  }
  size_t remaining() const { return bytes_.size() - pos_; }
  bool at_end() const { return pos_ == bytes_.size(); }
  // OK while every read succeeded; else the first error.
  const Status& status() const { return status_; }

 private:
  bool need(uint64_t n, const char* field) {
    if (!status_.is_ok()) return false;
    if (n > bytes_.size() - pos_) {
      status_ = data_loss(what_ + " is truncated: a " + field + " of " + std::to_string(n) + " bytes at byte " +
                          std::to_string(pos_) + " but only " + std::to_string(bytes_.size() - pos_) + " left");
      return false;
    }
    return true;
  }
  bool raw(void* p, size_t n, const char* field) {
    if (!need(n, field)) return false;
    std::memcpy(p, bytes_.data() + pos_, n);
    pos_ += n;
    return true;
  }

  std::span<const uint8_t> bytes_;  // what is decoded
  std::string what_;                // its name, for errors
  size_t pos_ = 0;                  // next byte to read
  Status status_;                   // first error, or OK
};

}  // namespace strata::hv::state
