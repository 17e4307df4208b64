/* Output on the 8250 UART at 0x3f8, polled (the guest runs with interrupts off). */
#ifndef STRATA_GUEST_CONSOLE_H
#define STRATA_GUEST_CONSOLE_H

#include <stdint.h>

void console_puts(const char* s);
void console_putn(const char* s, uint32_t n);
void console_dec(uint64_t v);
void console_hex(uint64_t v);
void console_mac(const uint8_t mac[6]);

#endif
