#include "hv/boot/elf.h"

#include <elf.h>

#include <cstring>
#include <string>

#include "hv/hex.h"
#include "hv/layout.h"

namespace strata::hv::boot {
namespace {

template <typename T>
T read_struct(std::span<const uint8_t> b, size_t off) {
  T v;
  std::memcpy(&v, b.data() + off, sizeof v);  // the file gives no alignment guarantee
  return v;
}

}  // namespace

Result<ElfImage> parse_elf(std::span<const uint8_t> bytes) {
  if (bytes.size() < sizeof(Elf64_Ehdr)) return invalid_argument("not an ELF file: too short for an ELF header");
  if (std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) return invalid_argument("not an ELF file: bad magic");
  auto eh = read_struct<Elf64_Ehdr>(bytes, 0);
  if (eh.e_ident[EI_CLASS] != ELFCLASS64) return invalid_argument("ELF guest must be 64-bit (ELFCLASS64)");
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB) return invalid_argument("ELF guest must be little-endian");
  if (eh.e_machine != EM_X86_64) return invalid_argument("ELF guest is not for x86-64 (e_machine " + std::to_string(eh.e_machine) + ")");
  if (eh.e_type != ET_EXEC) return invalid_argument("ELF guest must be a static executable (ET_EXEC), not relocatable or shared");
  if (eh.e_phentsize != sizeof(Elf64_Phdr)) return invalid_argument("ELF program header size is " + std::to_string(eh.e_phentsize) + ", expected 56");
  if (eh.e_phnum == 0) return invalid_argument("ELF guest has no program headers");
  if (eh.e_phoff > bytes.size() || uint64_t(eh.e_phnum) * sizeof(Elf64_Phdr) > bytes.size() - eh.e_phoff) {
    return invalid_argument("ELF program headers run past the end of the file");
  }

  ElfImage img;
  img.entry = eh.e_entry;
  bool entry_ok = false;
  for (size_t i = 0; i < eh.e_phnum; ++i) {
    auto ph = read_struct<Elf64_Phdr>(bytes, eh.e_phoff + i * sizeof(Elf64_Phdr));
    if (ph.p_type != PT_LOAD) continue;
    if (img.segments.size() == kMaxElfSegments) {
      return invalid_argument("ELF guest has more than " + std::to_string(kMaxElfSegments) + " loadable segments");
    }
    std::string where = "ELF segment " + std::to_string(i);
    if (ph.p_offset > bytes.size() || ph.p_filesz > bytes.size() - ph.p_offset) {
      return invalid_argument(where + " runs past the end of the file");
    }
    if (ph.p_filesz > ph.p_memsz) return invalid_argument(where + " has more file bytes than memory bytes");
    if (ph.p_paddr < layout::kHighRamStart) {
      return invalid_argument(where + " loads at " + hex(ph.p_paddr) + ", below 1 MiB where strata-hv keeps its boot tables");
    }
    if (ph.p_memsz > layout::kMmioBase || ph.p_paddr > layout::kMmioBase - ph.p_memsz) {
      return invalid_argument(where + " at " + hex(ph.p_paddr) + " (+" + hex(ph.p_memsz) + ") reaches past guest RAM's limit");
    }
    ElfSegment s{ph.p_offset, ph.p_filesz, ph.p_paddr, ph.p_memsz, (ph.p_flags & PF_X) != 0};
    if (s.executable && img.entry >= s.paddr && img.entry - s.paddr < s.mem_size) entry_ok = true;
    img.segments.push_back(s);
  }
  if (img.segments.empty()) return invalid_argument("ELF guest has no loadable (PT_LOAD) segments");
  if (!entry_ok) return invalid_argument("ELF entry point " + hex(img.entry) + " is not inside an executable segment");
  return img;
}

Status load_elf(GuestMemory& mem, std::span<const uint8_t> bytes, const ElfImage& image) {
  for (const ElfSegment& s : image.segments) {
    if (!mem.contains(s.paddr, s.mem_size)) {
      return resource_exhausted("ELF segment at " + hex(s.paddr) + " (+" + hex(s.mem_size) + ") does not fit in " +
                                std::to_string(mem.size() >> 20) + " MiB of guest memory: raise --memory");
    }
    if (s.file_offset > bytes.size() || s.file_size > bytes.size() - s.file_offset) {
      return invalid_argument("ELF image does not match its parsed headers");
    }
    STRATA_RETURN_IF_ERROR(mem.write(s.paddr, bytes.subspan(s.file_offset, s.file_size)));
    STRATA_RETURN_IF_ERROR(mem.fill(s.paddr + s.file_size, 0, s.mem_size - s.file_size));
  }
  return Status::ok();
}

}  // namespace strata::hv::boot
