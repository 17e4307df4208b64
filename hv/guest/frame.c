#include "hv/guest/frame.h"

#include "hv/guest/cmdline.h"

#include "hv/guest/lib.h"

static int is_tag_tpid(uint16_t t) {
  return t == 0x88a8 || t == 0x8100 || t == 0x9100 || t == 0x9200 || t == 0x9300;
}

static int parse_hex16(const char* s, uint32_t len, uint16_t* out) {
  uint64_t v;
  char buf[8] = "0x";
  if (len == 0 || len > 4) return 0;
  memcpy(buf + 2, s, len);
  if (!parse_u64(buf, len + 2, &v) || v > 0xffff) return 0;
  *out = (uint16_t)v;
  return 1;
}

int parse_tag_stack(const char* s, uint32_t len, struct tag_stack* out) {
  out->n = 0;
  uint32_t i = 0;
  while (i < len) {
    if (out->n == FRAME_MAX_TAGS) return 0;
    uint32_t end = i;
    while (end < len && s[end] != '/') ++end;
    /* TPID:VID[:PCP] */
    uint32_t c1 = i;
    while (c1 < end && s[c1] != ':') ++c1;
    uint32_t c2 = c1 + 1;
    while (c2 < end && s[c2] != ':') ++c2;
    uint16_t tpid;
    uint64_t vid, pcp = 0;
    if (c1 >= end || !parse_hex16(s + i, c1 - i, &tpid) || !is_tag_tpid(tpid)) return 0;
    if (!parse_u64(s + c1 + 1, (c2 < end ? c2 : end) - c1 - 1, &vid) || vid > 4095) return 0;
    if (c2 < end && (!parse_u64(s + c2 + 1, end - c2 - 1, &pcp) || pcp > 7)) return 0;
    out->tpid[out->n] = tpid;
    out->tci[out->n] = (uint16_t)(pcp << 13 | vid);
    out->n++;
    i = end + 1;
  }
  return 1;
}

static void put16(uint8_t* p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static uint16_t get16(const uint8_t* p) { return (uint16_t)(p[0] << 8 | p[1]); }

uint32_t build_frame(uint8_t* buf, const uint8_t dst[6], const uint8_t src[6], const struct tag_stack* tags,
                     uint32_t seq, const char* payload, uint32_t payload_len) {
  uint32_t off = 0;
  memcpy(buf, dst, 6);
  memcpy(buf + 6, src, 6);
  off = 12;
  for (uint32_t i = 0; i < tags->n; ++i) {
    put16(buf + off, tags->tpid[i]);
    put16(buf + off + 2, tags->tci[i]);
    off += 4;
  }
  put16(buf + off, FRAME_ETHERTYPE);
  memcpy(buf + off + 2, "STRT", 4);
  buf[off + 6] = (uint8_t)(seq >> 24);
  buf[off + 7] = (uint8_t)(seq >> 16);
  buf[off + 8] = (uint8_t)(seq >> 8);
  buf[off + 9] = (uint8_t)seq;
  off += 10;
  if (payload_len > 1400) payload_len = 1400;
  memcpy(buf + off, payload, payload_len);
  off += payload_len;
  if (off < FRAME_MIN_LEN) {
    memset(buf + off, 0, FRAME_MIN_LEN - off);
    off = FRAME_MIN_LEN;
  }
  return off;
}

int parse_frame(const uint8_t* buf, uint32_t len, struct frame_info* out) {
  if (len < 14) return 0;
  memcpy(out->dst, buf, 6);
  memcpy(out->src, buf + 6, 6);
  uint32_t off = 12;
  out->tags.n = 0;
  while (off + 4 <= len && is_tag_tpid(get16(buf + off))) {
    if (out->tags.n == FRAME_MAX_TAGS) return 0;
    out->tags.tpid[out->tags.n] = get16(buf + off);
    out->tags.tci[out->tags.n] = get16(buf + off + 2);
    out->tags.n++;
    off += 4;
  }
  if (off + 10 > len || get16(buf + off) != FRAME_ETHERTYPE) return 0;
  if (buf[off + 2] != 'S' || buf[off + 3] != 'T' || buf[off + 4] != 'R' || buf[off + 5] != 'T') return 0;
  out->seq = (uint32_t)buf[off + 6] << 24 | (uint32_t)buf[off + 7] << 16 | (uint32_t)buf[off + 8] << 8 | buf[off + 9];
  out->payload = buf + off + 10;
  out->payload_len = len - off - 10;
  return 1;
}

int tag_stacks_equal(const struct tag_stack* a, const struct tag_stack* b) {
  if (a->n != b->n) return 0;
  for (uint32_t i = 0; i < a->n; ++i) {
    if (a->tpid[i] != b->tpid[i] || a->tci[i] != b->tci[i]) return 0;
  }
  return 1;
}
