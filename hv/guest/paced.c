#include "hv/guest/paced.h"

#include "hv/guest/io.h"
#include "hv/guest/lib.h"

static uint8_t seen[PACED_MAX_FRAMES / 8];
static uint8_t tx_buf[1600];

/* The clock port is a userspace exit (tens of microseconds nested): read
 * it once per this many loop turns. Echo arrival times are that coarse. */
#define CLOCK_EVERY 64

void paced_run(struct net_dev* net, const struct paced_config* cfg, struct paced_result* r) {
  memset(r, 0, sizeof *r);
  uint64_t frames = cfg->frames < PACED_MAX_FRAMES ? cfg->frames : PACED_MAX_FRAMES;
  uint32_t start = control_clock_us(), now = start, last_echo = 0, done_at = 0;
  int any_echo = 0, done = 0;
  for (uint64_t iter = 0;; ++iter) {
    if ((iter % CLOCK_EVERY) == 0) now = control_clock_us();
    /* Every frame that is due by now, numbered in order. */
    uint64_t due = (uint64_t)(uint32_t)(now - start) * cfg->rate / 1000000 + 1;
    while (r->sent < frames && r->sent < due) {
      uint32_t len = build_frame(tx_buf, cfg->dst, net->mac, cfg->tags, (uint32_t)r->sent, cfg->payload, cfg->payload_len);
      if (net_send(net, tx_buf, len) != 0) {
        net_reclaim_tx(net);
        break;
      }
      r->sent++;
    }
    uint8_t* frame;
    uint16_t id;
    uint32_t flen;
    while ((flen = net_poll_rx(net, &frame, &id)) != 0) {
      struct frame_info fi;
      if (flen == 0xffffffffu || !parse_frame(frame, flen, &fi)) {
        r->other++;
      } else if (tag_stacks_equal(&fi.tags, cfg->expect_tags) && fi.payload_len >= cfg->payload_len &&
                 memcmp(fi.payload, cfg->payload, cfg->payload_len) == 0 && fi.seq < frames) {
        if (seen[fi.seq / 8] & (1u << (fi.seq % 8))) {
          r->duplicated++;
        } else {
          seen[fi.seq / 8] |= (uint8_t)(1u << (fi.seq % 8));
          r->received++;
        }
        if (fi.seq > r->last_seq || !any_echo) r->last_seq = fi.seq;
        if (any_echo && (uint32_t)(now - last_echo) > r->max_gap_us) r->max_gap_us = (uint32_t)(now - last_echo);
        last_echo = now;
        any_echo = 1;
      } else {
        r->wrong++;
      }
      net_release_rx(net, id);
    }
    net_reclaim_tx(net);
    if (!done && r->sent >= frames) {
      done = 1;
      done_at = now;
    }
    if (done && (uint32_t)(now - done_at) >= cfg->linger_ms * 1000) break;
  }
  r->lost_first = frames;
  r->lost_last = 0;
  for (uint64_t s = 0; s < frames; ++s) {
    if (seen[s / 8] & (1u << (s % 8))) continue;
    if (r->lost_first == frames) r->lost_first = s;
    r->lost_last = s;
  }
}
