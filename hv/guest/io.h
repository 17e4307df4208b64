/* Port I/O, MMIO and CPU helpers for the freestanding test guest. */
#ifndef STRATA_GUEST_IO_H
#define STRATA_GUEST_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
static inline uint32_t inl(uint16_t port) {
  uint32_t v;
  __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
static inline uint32_t mmio_read32(uint64_t addr) { return *(volatile uint32_t*)addr; }
static inline void mmio_write32(uint64_t addr, uint32_t v) { *(volatile uint32_t*)addr = v; }
static inline uint8_t mmio_read8(uint64_t addr) { return *(volatile uint8_t*)addr; }
static inline uint64_t rdtsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}
static inline void compiler_barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void full_barrier(void) { __asm__ volatile("mfence" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause"); }

/* strata-hv's control port (hv/devices/control_port.h). */
#define CONTROL_EXIT_PORT 0x501
#define CONTROL_MARK_PORT 0x502
#define CONTROL_CLOCK_PORT 0x504
#define CONTROL_GENERATION_PORT 0x508

static inline void control_mark(uint32_t id) { outl(CONTROL_MARK_PORT, id); }
static inline uint32_t control_clock_us(void) { return inl(CONTROL_CLOCK_PORT); }
static inline uint32_t control_generation(void) { return inl(CONTROL_GENERATION_PORT); }
/* Exit codes: 0 pass, 1 fail, 2 bad command line, 3 a CPU exception (traps.c). */
#define GUEST_EXIT_EXCEPTION 3
__attribute__((noreturn)) void guest_exit(int code);
/* Loads the IDT of traps.c: exceptions are reported, never triple faults. */
void traps_install(void);

#endif
