/* Entry point. strata-hv enters in 64-bit mode with RDI = command line,
 * RSI = RAM size and RSP = 0x80000; the stub aligns the stack the way the
 * C ABI wants at a call and calls guest_main(). */
#include <stdint.h>

#include "hv/guest/io.h"

int guest_main(const char* cmdline, uint64_t ram_bytes);

__asm__(
    ".section .text.start, \"ax\"\n"
    ".globl _start\n"
    "_start:\n"
    "  andq $-16, %rsp\n"
    "  call start_c\n"
    "1: cli\n"
    "  hlt\n"
    "  jmp 1b\n"
    ".text\n");

void start_c(const char* cmdline, uint64_t ram_bytes);
void start_c(const char* cmdline, uint64_t ram_bytes) {
  traps_install();
  guest_exit(guest_main(cmdline, ram_bytes));
}

void guest_exit(int code) {
  outb(CONTROL_EXIT_PORT, (uint8_t)code);
  for (;;) __asm__ volatile("cli; hlt");  /* only if the shim ignored the port */
}
