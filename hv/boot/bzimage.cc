#include "hv/boot/bzimage.h"

#include <cstring>
#include <string>

#include "hv/hex.h"

namespace strata::hv::boot {
namespace {

template <typename T>
T read_le(std::span<const uint8_t> b, size_t off) {
  T v{};
  std::memcpy(&v, b.data() + off, sizeof v);  // x86 is little-endian, like the format
  return v;
}

std::string version_text(uint16_t v) { return std::to_string(v >> 8) + "." + std::to_string(v & 0xff); }

}  // namespace

Result<BzImage> parse_bzimage(std::span<const uint8_t> image) {
  // Everything up to pref_address/init_size (2.10 fields, ending at 0x264)
  // must be present before any field is read.
  constexpr size_t kMinHeaderBytes = 0x264;
  if (image.size() < kMinHeaderBytes) {
    return invalid_argument("not a bzImage: only " + std::to_string(image.size()) +
                            " bytes, too short for the x86 boot header");
  }
  if (read_le<uint16_t>(image, 0x1fe) != kBootFlag) {
    return invalid_argument("not a bzImage: no 0xAA55 boot flag at 0x1fe");
  }
  if (read_le<uint32_t>(image, 0x202) != kHeaderMagic) {
    return invalid_argument("not a bzImage: no HdrS magic at 0x202");
  }
  BzImage k;
  k.protocol = read_le<uint16_t>(image, 0x206);
  if (k.protocol < kMinProtocol) {
    return invalid_argument("kernel uses boot protocol " + version_text(k.protocol) +
                            "; strata-hv needs 2.12 or later (a 64-bit entry point)");
  }
  k.setup_sects = image[0x1f1];
  if (k.setup_sects == 0) k.setup_sects = 4;  // the protocol's historical default
  k.loadflags = image[0x211];
  k.xloadflags = read_le<uint16_t>(image, 0x236);
  k.initrd_addr_max = read_le<uint32_t>(image, 0x22c);
  k.kernel_alignment = read_le<uint32_t>(image, 0x230);
  k.relocatable = image[0x234] != 0;
  k.cmdline_size = read_le<uint32_t>(image, 0x238);
  k.pref_address = read_le<uint64_t>(image, 0x258);
  k.init_size = read_le<uint32_t>(image, 0x260);

  if (!(k.loadflags & kLoadedHigh)) {
    return invalid_argument("kernel is a zImage (not LOADED_HIGH); only bzImage kernels are supported");
  }
  if (!(k.xloadflags & kXlfKernel64)) {
    return invalid_argument("kernel has no 64-bit entry point (XLF_KERNEL_64 not set); build it for x86_64");
  }
  if (k.relocatable &&
      (k.kernel_alignment == 0 || (k.kernel_alignment & (k.kernel_alignment - 1)) != 0 ||
       k.kernel_alignment > (1u << 30))) {
    return invalid_argument("kernel header has an invalid kernel_alignment " + hex(k.kernel_alignment));
  }
  if (!k.relocatable && (k.pref_address < 0x100000 || k.pref_address > (1ull << 32))) {
    return invalid_argument("non-relocatable kernel wants to load at " + hex(k.pref_address) +
                            ", outside what strata-hv can give it");
  }

  size_t header_end = 0x202 + size_t(image[0x201]);
  if (header_end > kSetupHeaderMaxEnd) {
    return invalid_argument("kernel setup header claims " + std::to_string(header_end - kSetupHeaderOffset) +
                            " bytes; at most " + std::to_string(kSetupHeaderMaxEnd - kSetupHeaderOffset) +
                            " are known");
  }
  if (header_end < kMinHeaderBytes) header_end = kMinHeaderBytes;
  if (header_end > image.size()) {
    return invalid_argument("truncated bzImage: the setup header ends at " + hex(header_end) + " but the file has only " +
                            std::to_string(image.size()) + " bytes");
  }
  k.setup_header.assign(image.begin() + kSetupHeaderOffset, image.begin() + header_end);

  k.kernel_offset = (size_t(k.setup_sects) + 1) * 512;
  if (k.kernel_offset >= image.size()) {
    return invalid_argument("truncated bzImage: " + std::to_string(k.setup_sects) + " setup sectors but only " +
                            std::to_string(image.size()) + " bytes in the file");
  }
  k.kernel_size = image.size() - k.kernel_offset;
  return k;
}

}  // namespace strata::hv::boot
