/* A polling virtio-net driver over virtio-mmio (version 2), one queue pair.
 * The guest runs with interrupts off: it asks the device for no interrupts
 * (AVAIL_F_NO_INTERRUPT) and polls the used rings. */
#ifndef STRATA_GUEST_VIRTIO_NET_H
#define STRATA_GUEST_VIRTIO_NET_H

#include <stdint.h>

#include "hv/virtio/split_ring.h"

#define NET_QUEUE_SIZE 256  /* entries per queue (clamped to QueueNumMax) */
#define NET_BUF_SIZE 2048   /* bytes per buffer: header + the largest frame */
#define NET_HDR_SIZE 12     /* struct virtio_net_hdr with num_buffers (VERSION_1) */

struct net_queue {
  uint32_t num;                         /* entries in use */
  uint32_t index;                       /* 0 = receive, 1 = transmit */
  volatile struct split_ring_desc* desc; /* descriptor table */
  volatile struct split_ring_avail* avail; /* driver -> device */
  volatile struct split_ring_used* used;   /* device -> driver */
  uint16_t last_used;                   /* next used entry to consume */
  uint16_t free;                        /* transmit: descriptors not in flight */
  uint8_t* bufs;                        /* num * NET_BUF_SIZE bytes, buffer i for descriptor i */
};

struct net_dev {
  uint64_t base;            /* virtio-mmio register window */
  uint8_t mac[6];           /* from the config space */
  struct net_queue rx, tx;  /* queue 0 and queue 1 */
  uint64_t kicks;           /* notifications written (each is an ioeventfd, no exit) */
};

/* Brings the device at `base` up to DRIVER_OK with all receive buffers
 * posted. Returns 0 or prints the reason and returns -1. */
int net_init(struct net_dev* dev, uint64_t base);
/* Queues one frame for transmission (copies it); 0, or -1 when the ring is full. */
int net_send(struct net_dev* dev, const uint8_t* frame, uint32_t len);
/* Reclaims finished transmissions; returns the number of free tx slots. */
uint32_t net_reclaim_tx(struct net_dev* dev);
/* Next received frame: returns its length and sets *frame, or 0 when none.
 * The buffer stays valid until net_release_rx(). */
uint32_t net_poll_rx(struct net_dev* dev, uint8_t** frame, uint16_t* id);
void net_release_rx(struct net_dev* dev, uint16_t id);
/* Reads the MAC from the config space again (a clone has a new one). */
void net_reread_mac(struct net_dev* dev);

#endif
