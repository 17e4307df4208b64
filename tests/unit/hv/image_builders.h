// Synthetic boot images for the loader tests: the smallest bzImage header
// and ELF file that are valid, which each test then breaks in one way.
#pragma once

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace strata::hv::test {

template <typename T>
inline void put(std::vector<uint8_t>& b, size_t off, T v) {
  std::memcpy(b.data() + off, &v, sizeof v);
}
template <typename T>
inline T get(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// A bzImage of protocol 2.15 with `setup_sects` setup sectors and
// `kernel_bytes` of protected-mode "kernel" (bytes 0xab).
inline std::vector<uint8_t> make_bzimage(uint8_t setup_sects = 1, size_t kernel_bytes = 4096) {
  std::vector<uint8_t> b((setup_sects + 1) * 512 + kernel_bytes, 0);
  b[0x1f1] = setup_sects;
  put<uint16_t>(b, 0x1fe, 0xaa55);
  b[0x201] = 0x66;  // header ends at 0x202 + 0x66 = 0x268
  put<uint32_t>(b, 0x202, 0x53726448);
  put<uint16_t>(b, 0x206, 0x020f);
  b[0x211] = 0x01;                         // LOADED_HIGH
  put<uint32_t>(b, 0x22c, 0x7fffffff);     // initrd_addr_max
  put<uint32_t>(b, 0x230, 0x200000);       // kernel_alignment
  b[0x234] = 1;                            // relocatable
  put<uint16_t>(b, 0x236, 0x0001);         // XLF_KERNEL_64
  put<uint32_t>(b, 0x238, 2047);           // cmdline_size
  put<uint64_t>(b, 0x258, 0x1000000);      // pref_address
  put<uint32_t>(b, 0x260, 0x100000);       // init_size: 1 MiB
  std::memset(b.data() + (setup_sects + 1) * 512, 0xab, kernel_bytes);
  return b;
}

// A static x86-64 ELF with one executable segment at `paddr` holding `code`
// and `bss` extra zeroed bytes; entry at its start.
inline std::vector<uint8_t> make_elf(uint64_t paddr = 0x100000, std::vector<uint8_t> code = {0xf4, 0xeb, 0xfd},
                                     uint64_t bss = 64) {
  std::vector<uint8_t> b(sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + code.size(), 0);
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_entry = paddr;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_flags = PF_R | PF_X;
  ph.p_offset = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
  ph.p_vaddr = ph.p_paddr = paddr;
  ph.p_filesz = code.size();
  ph.p_memsz = code.size() + bss;
  std::memcpy(b.data(), &eh, sizeof eh);
  std::memcpy(b.data() + sizeof eh, &ph, sizeof ph);
  std::memcpy(b.data() + ph.p_offset, code.data(), code.size());
  return b;
}

inline Elf64_Phdr* phdr(std::vector<uint8_t>& elf) { return reinterpret_cast<Elf64_Phdr*>(elf.data() + sizeof(Elf64_Ehdr)); }
inline Elf64_Ehdr* ehdr(std::vector<uint8_t>& elf) { return reinterpret_cast<Elf64_Ehdr*>(elf.data()); }

}  // namespace strata::hv::test
