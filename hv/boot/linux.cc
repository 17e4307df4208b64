#include "hv/boot/linux.h"

#include "hv/hex.h"
#include "hv/layout.h"

namespace strata::hv::boot {
namespace {

constexpr uint64_t kPage = 4096;

std::string mib(uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

struct E820Entry {
  uint64_t addr;  // start of the range
  uint64_t size;  // length in bytes
  uint32_t type;  // zero_page::kE820Ram, ...
} __attribute__((packed));
static_assert(sizeof(E820Entry) == 20, "boot_e820_entry is 20 bytes");

}  // namespace

Result<LinuxBoot> load_linux(GuestMemory& mem, const BzImage& kernel, std::span<const uint8_t> image,
                             std::span<const uint8_t> initrd, const std::string& cmdline) {
  if (kernel.kernel_offset + kernel.kernel_size > image.size()) {
    return invalid_argument("kernel image does not match its parsed header");
  }
  LinuxBoot boot;
  if (kernel.relocatable) {
    uint64_t align = kernel.kernel_alignment;
    boot.load_address = (layout::kHighRamStart + align - 1) & ~(align - 1);
  } else {
    boot.load_address = kernel.pref_address;
  }
  // The kernel decompresses itself in place and needs init_size bytes from
  // its load address; the file must fit there too.
  uint64_t footprint = std::max<uint64_t>(kernel.init_size, kernel.kernel_size);
  uint64_t kernel_end = boot.load_address + footprint;
  if (!mem.contains(boot.load_address, footprint)) {
    return resource_exhausted("guest memory of " + mib(mem.size()) + " is too small for this kernel (it needs " +
                              mib(kernel_end) + " before any initrd): raise --memory");
  }
  STRATA_RETURN_IF_ERROR(mem.write(boot.load_address, image.subspan(kernel.kernel_offset, kernel.kernel_size)));
  boot.entry = boot.load_address + kEntry64Offset;

  if (!initrd.empty()) {
    // Top of RAM, but no higher than the kernel can reach.
    uint64_t limit = std::min<uint64_t>(mem.size(), uint64_t(kernel.initrd_addr_max) + 1);
    uint64_t size = initrd.size();
    if (size > limit || ((limit - size) & ~(kPage - 1)) < kernel_end) {
      return resource_exhausted("initrd of " + mib(size) + " does not fit beside the kernel in " + mib(mem.size()) +
                                " of guest memory: raise --memory");
    }
    boot.initrd_address = (limit - size) & ~(kPage - 1);
    boot.initrd_size = size;
    STRATA_RETURN_IF_ERROR(mem.write(boot.initrd_address, initrd));
  }

  uint64_t cmdline_max = std::min<uint64_t>(kernel.cmdline_size, layout::kCmdlineMax - 1);
  if (cmdline.size() > cmdline_max) {
    return invalid_argument("kernel command line is " + std::to_string(cmdline.size()) +
                            " bytes; this kernel accepts at most " + std::to_string(cmdline_max));
  }
  STRATA_RETURN_IF_ERROR(mem.fill(layout::kCmdline, 0, cmdline.size() + 1));
  STRATA_RETURN_IF_ERROR(
      mem.write(layout::kCmdline, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(cmdline.data()),
                                                            cmdline.size())));

  // The zero page: the kernel's own setup header with the loader's answers
  // filled in, plus the memory map.
  const uint64_t zp = layout::kZeroPage;
  STRATA_RETURN_IF_ERROR(mem.fill(zp, 0, kPage));
  STRATA_RETURN_IF_ERROR(mem.write(zp + kSetupHeaderOffset, kernel.setup_header));
  STRATA_RETURN_IF_ERROR(mem.write_obj(zp + zero_page::kVidMode, uint16_t{0xffff}));
  STRATA_RETURN_IF_ERROR(mem.write_obj(zp + zero_page::kTypeOfLoader, uint8_t{0xff}));
  STRATA_RETURN_IF_ERROR(mem.write_obj(zp + zero_page::kLoadflags, uint8_t(kernel.loadflags | kLoadedHigh)));
  STRATA_RETURN_IF_ERROR(mem.write_obj(zp + zero_page::kCmdLinePtr, uint32_t(layout::kCmdline)));
  STRATA_RETURN_IF_ERROR(mem.write_obj(zp + zero_page::kRamdiskImage, uint32_t(boot.initrd_address)));
  STRATA_RETURN_IF_ERROR(mem.write_obj(zp + zero_page::kRamdiskSize, uint32_t(boot.initrd_size)));

  const E820Entry e820[] = {
      {0, layout::kLowRamEnd, zero_page::kE820Ram},
      {layout::kLowRamEnd, layout::kHighRamStart - layout::kLowRamEnd, zero_page::kE820Reserved},
      {layout::kHighRamStart, mem.size() - layout::kHighRamStart, zero_page::kE820Ram},
  };
  STRATA_RETURN_IF_ERROR(mem.write_obj(zp + zero_page::kE820Table, e820));
  STRATA_RETURN_IF_ERROR(mem.write_obj(zp + zero_page::kE820Entries, uint8_t(std::size(e820))));
  boot.zero_page = zp;
  return boot;
}

}  // namespace strata::hv::boot
