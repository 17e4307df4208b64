/* Reading the guest's command line: "key=value" words separated by spaces. */
#ifndef STRATA_GUEST_CMDLINE_H
#define STRATA_GUEST_CMDLINE_H

#include <stdint.h>

/* The value of the `n`th (0-based) occurrence of `key=` and its length, or 0. */
const char* cmdline_value(const char* cmdline, const char* key, uint32_t n, uint32_t* len);
/* 1: parsed into *out; 0: key absent (*out untouched); -1: malformed. */
int cmdline_u64(const char* cmdline, const char* key, uint64_t* out);
/* Decimal, or hexadecimal with 0x; 0 on failure. */
int parse_u64(const char* s, uint32_t len, uint64_t* out);
int parse_mac(const char* s, uint32_t len, uint8_t mac[6]);
/* "4K@0xd0000000:5" (Linux's virtio_mmio.device= syntax) */
int parse_virtio_mmio(const char* s, uint32_t len, uint64_t* base, uint32_t* irq);

#endif
