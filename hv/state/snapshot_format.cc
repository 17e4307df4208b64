#include "hv/state/snapshot_format.h"

#include <zlib.h>

#include <cstring>
#include <string>

#include "hv/state/byte_codec.h"

namespace strata::hv::state {
namespace {

uint32_t crc32_of(std::span<const uint8_t> bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; the state is far below 4 GiB, but feed it in
  // chunks anyway so no cast can truncate.
  constexpr size_t kChunk = 1u << 30;
  for (size_t done = 0; done < bytes.size(); done += kChunk) {
    size_t n = std::min(kChunk, bytes.size() - done);
    crc = crc32(crc, bytes.data() + done, uInt(n));
  }
  return uint32_t(crc);
}

constexpr size_t kHeaderBytes = sizeof kSnapshotMagic + 4 + 4;
constexpr size_t kTrailerBytes = 4;

}  // namespace

std::vector<uint8_t> encode_snapshot(std::span<const OwnedSection> sections) {
  ByteWriter w;
  w.raw(kSnapshotMagic, sizeof kSnapshotMagic);
  w.u32(kSnapshotVersion);
  w.u32(uint32_t(sections.size()));
  for (const OwnedSection& s : sections) {
    w.u32(uint32_t(s.tag));
    w.u32(s.index);
    w.u64(s.payload.size());
    w.bytes(s.payload);
  }
  w.u32(crc32_of(w.buffer()));
  return w.take();
}

Result<std::vector<Section>> decode_snapshot(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderBytes + kTrailerBytes) {
    return data_loss("guest state is truncated: " + std::to_string(bytes.size()) + " bytes, not even a header");
  }
  if (std::memcmp(bytes.data(), kSnapshotMagic, sizeof kSnapshotMagic) != 0) {
    return invalid_argument("not a strata-hv guest state (no STRATAHV magic)");
  }
  ByteReader r(bytes.first(bytes.size() - kTrailerBytes), "guest state");
  std::span<const uint8_t> magic;
  uint32_t version = 0, count = 0;
  r.view(magic, sizeof kSnapshotMagic);
  r.u32(version);
  if (version != kSnapshotVersion) {
    return failed_precondition("guest state is format version " + std::to_string(version) + "; this strata-hv reads version " +
                               std::to_string(kSnapshotVersion) + " only");
  }
  // The checksum before the sections: a truncated or damaged file is
  // reported as such, not as whichever length happens to be wrong.
  uint32_t stored = 0;
  std::memcpy(&stored, bytes.data() + bytes.size() - kTrailerBytes, sizeof stored);
  if (stored != crc32_of(bytes.first(bytes.size() - kTrailerBytes))) {
    return data_loss("guest state is damaged or truncated: its CRC-32 does not match (" + std::to_string(bytes.size()) +
                     " bytes)");
  }
  r.u32(count);
  if (!r.status().is_ok()) return r.status();
  if (count > kMaxSections) return invalid_argument("guest state claims " + std::to_string(count) + " sections");
  std::vector<Section> out;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t tag = 0, index = 0;
    uint64_t len = 0;
    r.u32(tag);
    r.u32(index);
    r.u64(len);
    if (r.status().is_ok() && len > kMaxSectionBytes) {
      r.fail("section " + std::to_string(i) + " claims " + std::to_string(len) + " bytes");
    }
    std::span<const uint8_t> payload;
    if (!r.view(payload, len)) return r.status();
    out.push_back({SectionTag(tag), index, payload});
  }
  if (!r.at_end()) return invalid_argument("guest state has " + std::to_string(r.remaining()) + " bytes after its last section");
  return out;
}

}  // namespace strata::hv::state
