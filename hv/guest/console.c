#include "hv/guest/console.h"

#include "hv/guest/io.h"

#define UART_BASE 0x3f8
#define UART_LSR 5
#define UART_LSR_THRE 0x20

static void putc_raw(char c) {
  while (!(inb(UART_BASE + UART_LSR) & UART_LSR_THRE)) cpu_relax();
  outb(UART_BASE, (uint8_t)c);
}

void console_putn(const char* s, uint32_t n) {
  for (uint32_t i = 0; i < n && s[i]; ++i) putc_raw(s[i]);
}

void console_puts(const char* s) {
  while (*s) putc_raw(*s++);
}

void console_dec(uint64_t v) {
  char buf[21];
  int i = 20;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  console_puts(buf + i);
}

void console_hex(uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  char buf[19];
  int i = 18;
  buf[i] = 0;
  do {
    buf[--i] = digits[v & 15];
    v >>= 4;
  } while (v);
  buf[--i] = 'x';
  buf[--i] = '0';
  console_puts(buf + i);
}

void console_mac(const uint8_t mac[6]) {
  static const char digits[] = "0123456789abcdef";
  char buf[18];
  for (int i = 0; i < 6; ++i) {
    buf[i * 3] = digits[mac[i] >> 4];
    buf[i * 3 + 1] = digits[mac[i] & 15];
    buf[i * 3 + 2] = i < 5 ? ':' : 0;
  }
  console_puts(buf);
}
