/* The split virtqueue of virtio 1.x (section 2.7): ring structures and their
 * sizes. Plain C so the freestanding test guest (hv/guest) and the shim (which
 * checks the rings a driver hands it before passing them to a vhost-user
 * backend) share one definition, and unit tests pin the layout. */
#ifndef STRATA_HV_VIRTIO_SPLIT_RING_H
#define STRATA_HV_VIRTIO_SPLIT_RING_H

#include <stdint.h>

#define SPLIT_RING_DESC_F_NEXT 1u     /* the buffer continues in desc.next */
#define SPLIT_RING_DESC_F_WRITE 2u    /* the device writes this buffer (receive) */
#define SPLIT_RING_AVAIL_F_NO_INTERRUPT 1u /* driver: do not interrupt me, I poll */
#define SPLIT_RING_USED_F_NO_NOTIFY 1u     /* device: do not kick me, I poll */

/* Alignment the spec requires of each part's guest-physical address. */
#define SPLIT_RING_DESC_ALIGN 16u
#define SPLIT_RING_AVAIL_ALIGN 2u
#define SPLIT_RING_USED_ALIGN 4u

struct split_ring_desc {
  uint64_t addr;  /* guest-physical buffer address */
  uint32_t len;   /* buffer length in bytes */
  uint16_t flags; /* SPLIT_RING_DESC_F_* */
  uint16_t next;  /* next descriptor when F_NEXT is set */
};

struct split_ring_avail {
  uint16_t flags;   /* SPLIT_RING_AVAIL_F_* */
  uint16_t idx;     /* where the driver puts the next entry (free-running) */
  uint16_t ring[];  /* descriptor heads; then used_event (u16) */
};

struct split_ring_used_elem {
  uint32_t id;  /* head of the descriptor chain the device finished */
  uint32_t len; /* bytes the device wrote into it */
};

struct split_ring_used {
  uint16_t flags;                     /* SPLIT_RING_USED_F_* */
  uint16_t idx;                       /* where the device puts the next entry (free-running) */
  struct split_ring_used_elem ring[]; /* finished chains; then avail_event (u16) */
};

/* Bytes of each part for a queue of `num` entries, including the event
 * index field at the end of avail and used (present whether or not
 * VIRTIO_F_EVENT_IDX is negotiated, so space is always reserved). */
static inline uint64_t split_ring_desc_bytes(uint32_t num) { return 16ull * num; }
static inline uint64_t split_ring_avail_bytes(uint32_t num) { return 4ull + 2ull * num + 2ull; }
static inline uint64_t split_ring_used_bytes(uint32_t num) { return 4ull + 8ull * num + 2ull; }

/* Queue sizes must be a power of two between 1 and 32768. */
static inline int split_ring_valid_size(uint32_t num) { return num >= 1 && num <= 32768 && (num & (num - 1)) == 0; }

/* One compact layout of a whole ring in a single block: descriptors, then
 * the avail ring, then the used ring at its alignment. Offsets from the
 * block's start; total is the block size. */
struct split_ring_layout {
  uint64_t desc;  /* offset of the descriptor table (0) */
  uint64_t avail; /* offset of the avail ring */
  uint64_t used;  /* offset of the used ring */
  uint64_t total; /* bytes of the whole block */
};

static inline struct split_ring_layout split_ring_compact_layout(uint32_t num) {
  struct split_ring_layout l;
  l.desc = 0;
  l.avail = split_ring_desc_bytes(num);
  l.used = (l.avail + split_ring_avail_bytes(num) + SPLIT_RING_USED_ALIGN - 1) & ~(uint64_t)(SPLIT_RING_USED_ALIGN - 1);
  l.total = l.used + split_ring_used_bytes(num);
  return l;
}

#endif /* STRATA_HV_VIRTIO_SPLIT_RING_H */
