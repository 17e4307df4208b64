/* The paced sender: numbered frames at a fixed rate, whatever comes back.
 * Where the plain test stops on a lost frame (its window never reopens),
 * this one keeps the pace through a pause, a restore or a migration of its
 * peer and then says what the interruption cost: which echoes never came
 * (lost), which came twice (duplicated), and the longest silence between
 * two echoes (the outage as this guest saw it). */
#ifndef STRATA_GUEST_PACED_H
#define STRATA_GUEST_PACED_H

#include <stdint.h>

#include "hv/guest/frame.h"
#include "hv/guest/virtio_net.h"

#define PACED_MAX_FRAMES 65536  /* sequence numbers tracked (a bitmap of 8 KiB) */

struct paced_config {
  uint64_t frames;            /* to send, numbered 0..frames-1 */
  uint64_t rate;              /* frames per second */
  uint64_t linger_ms;         /* keep counting echoes this long after the last send */
  const uint8_t* dst;         /* the peer's MAC */
  const struct tag_stack* tags;         /* put on sent frames */
  const struct tag_stack* expect_tags;  /* required on echoes */
  const char* payload;        /* payload text */
  uint32_t payload_len;       /* its length */
};

struct paced_result {
  uint64_t sent;          /* frames sent */
  uint64_t received;      /* distinct sequence numbers echoed */
  uint64_t duplicated;    /* echoes of a sequence number seen before */
  uint64_t wrong;         /* test frames with other tags, payload or numbers */
  uint64_t other;         /* frames that are not test frames (a RARP announcing a moved guest ...) */
  uint64_t max_gap_us;    /* longest time between two echoes */
  uint64_t last_seq;      /* highest sequence number echoed */
  uint64_t lost_first;    /* first sequence number never echoed (frames if none) */
  uint64_t lost_last;     /* last one never echoed */
};

void paced_run(struct net_dev* net, const struct paced_config* cfg, struct paced_result* out);

#endif
