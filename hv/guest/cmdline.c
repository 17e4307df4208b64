#include "hv/guest/cmdline.h"

static uint32_t str_len(const char* s) {
  uint32_t n = 0;
  while (s[n]) ++n;
  return n;
}

const char* cmdline_value(const char* cmdline, const char* key, uint32_t n, uint32_t* len) {
  uint32_t klen = str_len(key);
  const char* p = cmdline;
  while (*p) {
    while (*p == ' ') ++p;
    const char* word = p;
    while (*p && *p != ' ') ++p;
    uint32_t wlen = (uint32_t)(p - word);
    if (wlen > klen && word[klen] == '=') {
      uint32_t i = 0;
      while (i < klen && word[i] == key[i]) ++i;
      if (i == klen && n-- == 0) {
        *len = wlen - klen - 1;
        return word + klen + 1;
      }
    }
  }
  return 0;
}

int parse_u64(const char* s, uint32_t len, uint64_t* out) {
  uint64_t v = 0;
  uint32_t i = 0, base = 10;
  if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    i = 2;
  }
  if (i == len) return 0;
  for (; i < len; ++i) {
    char c = s[i];
    uint32_t d;
    if (c >= '0' && c <= '9') d = (uint32_t)(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f') d = (uint32_t)(c - 'a' + 10);
    else if (base == 16 && c >= 'A' && c <= 'F') d = (uint32_t)(c - 'A' + 10);
    else return 0;
    v = v * base + d;
  }
  *out = v;
  return 1;
}

int cmdline_u64(const char* cmdline, const char* key, uint64_t* out) {
  uint32_t len;
  const char* v = cmdline_value(cmdline, key, 0, &len);
  if (!v) return 0;
  return parse_u64(v, len, out) ? 1 : -1;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int parse_mac(const char* s, uint32_t len, uint8_t mac[6]) {
  if (len != 17) return 0;
  for (int i = 0; i < 6; ++i) {
    int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);
    if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':')) return 0;
    mac[i] = (uint8_t)(hi << 4 | lo);
  }
  return 1;
}

int parse_virtio_mmio(const char* s, uint32_t len, uint64_t* base, uint32_t* irq) {
  uint32_t at = 0, colon = 0;
  for (uint32_t i = 0; i < len; ++i) {
    if (s[i] == '@') at = i;
    if (s[i] == ':') colon = i;
  }
  uint64_t b, q;
  if (!at || colon <= at || !parse_u64(s + at + 1, colon - at - 1, &b) || !parse_u64(s + colon + 1, len - colon - 1, &q)) {
    return 0;
  }
  *base = b;
  *irq = (uint32_t)q;
  return 1;
}
