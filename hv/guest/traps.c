/* Exception handlers: an IDT whose 32 exception vectors report the fault on
 * the UART and exit through the control port with GUEST_EXIT_EXCEPTION.
 *
 * Why: without an IDT any exception triple-faults, and a triple fault in a
 * nested guest is the worst way to fail: the L1 kernel's KVM must emulate
 * a SHUTDOWN intercept, and under QEMU TCG's emulated SVM that path has
 * panicked L1 (kvm_vcpu_reset from shutdown_interception, "corrupted stack
 * end detected inside scheduler"), taking every guest and the switch with
 * it and leaving no trace of what the guest did. With handlers the guest
 * says which vector at which RIP, and leaves the way it always does.
 *
 * The guest never enables interrupts, so vectors 32..255 stay absent; an
 * NMI (vector 2) is reported like any exception. Handlers run on the
 * interrupted stack (IST 0): CPL stays 0, so no TSS stack is needed. */
#include <stdint.h>

#include "hv/guest/console.h"
#include "hv/guest/io.h"

/* The frame the stubs build, lowest address first. */
struct trap_frame {
  uint64_t vector;
  uint64_t error_code; /* 0 for vectors without one */
  uint64_t rip, cs, rflags, rsp, ss;
};

struct idt_gate {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t ist;
  uint8_t type_attr; /* 0x8e: present, DPL 0, 64-bit interrupt gate */
  uint16_t offset_mid;
  uint32_t offset_high;
  uint32_t reserved;
} __attribute__((packed));

#define EXCEPTION_VECTORS 32
static struct idt_gate idt[EXCEPTION_VECTORS] __attribute__((aligned(16)));

void trap_dispatch(const struct trap_frame* f);

/* One stub per vector; those the CPU pushes no error code for push a 0, so
 * every frame has the same shape. Vectors with an error code: 8, 10-14,
 * 17, 21, 29, 30. */
#define TRAP_STUB_NOERR(n) "trap_stub_" #n ":\n  pushq $0\n  pushq $" #n "\n  jmp trap_common\n"
#define TRAP_STUB_ERR(n) "trap_stub_" #n ":\n  pushq $" #n "\n  jmp trap_common\n"
__asm__(
    ".text\n"
    TRAP_STUB_NOERR(0) TRAP_STUB_NOERR(1) TRAP_STUB_NOERR(2) TRAP_STUB_NOERR(3)
    TRAP_STUB_NOERR(4) TRAP_STUB_NOERR(5) TRAP_STUB_NOERR(6) TRAP_STUB_NOERR(7)
    TRAP_STUB_ERR(8) TRAP_STUB_NOERR(9) TRAP_STUB_ERR(10) TRAP_STUB_ERR(11)
    TRAP_STUB_ERR(12) TRAP_STUB_ERR(13) TRAP_STUB_ERR(14) TRAP_STUB_NOERR(15)
    TRAP_STUB_NOERR(16) TRAP_STUB_ERR(17) TRAP_STUB_NOERR(18) TRAP_STUB_NOERR(19)
    TRAP_STUB_NOERR(20) TRAP_STUB_ERR(21) TRAP_STUB_NOERR(22) TRAP_STUB_NOERR(23)
    TRAP_STUB_NOERR(24) TRAP_STUB_NOERR(25) TRAP_STUB_NOERR(26) TRAP_STUB_NOERR(27)
    TRAP_STUB_NOERR(28) TRAP_STUB_ERR(29) TRAP_STUB_ERR(30) TRAP_STUB_NOERR(31)
    "trap_common:\n"
    "  movq %rsp, %rdi\n"
    "  andq $-16, %rsp\n"
    "  call trap_dispatch\n"
    "1: cli\n"
    "  hlt\n"
    "  jmp 1b\n"
    ".section .rodata\n"
    ".balign 8\n"
    "trap_stubs:\n"
    "  .quad trap_stub_0, trap_stub_1, trap_stub_2, trap_stub_3\n"
    "  .quad trap_stub_4, trap_stub_5, trap_stub_6, trap_stub_7\n"
    "  .quad trap_stub_8, trap_stub_9, trap_stub_10, trap_stub_11\n"
    "  .quad trap_stub_12, trap_stub_13, trap_stub_14, trap_stub_15\n"
    "  .quad trap_stub_16, trap_stub_17, trap_stub_18, trap_stub_19\n"
    "  .quad trap_stub_20, trap_stub_21, trap_stub_22, trap_stub_23\n"
    "  .quad trap_stub_24, trap_stub_25, trap_stub_26, trap_stub_27\n"
    "  .quad trap_stub_28, trap_stub_29, trap_stub_30, trap_stub_31\n"
    ".text\n");
extern const uint64_t trap_stubs[EXCEPTION_VECTORS];

void traps_install(void) {
  uint16_t cs;
  __asm__ volatile("mov %%cs, %0" : "=r"(cs));
  for (int v = 0; v < EXCEPTION_VECTORS; ++v) {
    uint64_t handler = trap_stubs[v];
    idt[v] = (struct idt_gate){
        .offset_low = (uint16_t)handler,
        .selector = cs,
        .ist = 0,
        .type_attr = 0x8e,
        .offset_mid = (uint16_t)(handler >> 16),
        .offset_high = (uint32_t)(handler >> 32),
        .reserved = 0,
    };
  }
  struct {
    uint16_t limit;
    uint64_t base;
  } __attribute__((packed)) idtr = {sizeof idt - 1, (uint64_t)idt};
  __asm__ volatile("lidt %0" : : "m"(idtr));
}

void trap_dispatch(const struct trap_frame* f) {
  uint64_t cr2;
  __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
  console_puts("strata-guest: exception ");
  console_dec(f->vector);
  console_puts(" error ");
  console_hex(f->error_code);
  console_puts(" at rip ");
  console_hex(f->rip);
  console_puts(" rsp ");
  console_hex(f->rsp);
  console_puts(" cr2 ");
  console_hex(cr2);
  console_puts("\nstrata-guest: result status=EXCEPTION\n");
  guest_exit(GUEST_EXIT_EXCEPTION);
}
