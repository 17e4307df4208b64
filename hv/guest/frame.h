/* The test frames: Ethernet with a stack of 802.1ad/802.1Q tags, EtherType
 * 0x88b5 (IEEE local experimental), then "STRT", a big-endian sequence
 * number and the payload text. */
#ifndef STRATA_GUEST_FRAME_H
#define STRATA_GUEST_FRAME_H

#include <stdint.h>

#define FRAME_MAX_TAGS 8
#define FRAME_ETHERTYPE 0x88b5
#define FRAME_MIN_LEN 60  /* without FCS */

struct tag_stack {
  uint32_t n;                    /* tags in use, outermost first */
  uint16_t tpid[FRAME_MAX_TAGS]; /* 0x88a8, 0x8100, ... */
  uint16_t tci[FRAME_MAX_TAGS];  /* PCP << 13 | VID */
};

struct frame_info {
  uint8_t dst[6];          /* destination MAC */
  uint8_t src[6];          /* source MAC */
  struct tag_stack tags;   /* tags found before the EtherType */
  uint32_t seq;            /* sequence number */
  const uint8_t* payload;  /* payload text inside the frame */
  uint32_t payload_len;    /* its length (padding included) */
};

/* "88a8:100/8100:200[:PCP]" (DESIGN.md notation); 1 on success. */
int parse_tag_stack(const char* s, uint32_t len, struct tag_stack* out);
/* Writes a frame into buf (at least 1514 bytes); returns its length. */
uint32_t build_frame(uint8_t* buf, const uint8_t dst[6], const uint8_t src[6], const struct tag_stack* tags,
                     uint32_t seq, const char* payload, uint32_t payload_len);
/* 1 when buf holds a test frame (right EtherType and magic). */
int parse_frame(const uint8_t* buf, uint32_t len, struct frame_info* out);
int tag_stacks_equal(const struct tag_stack* a, const struct tag_stack* b);

#endif
