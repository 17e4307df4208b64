#include "hv/guest/virtio_net.h"

#include "hv/guest/console.h"
#include "hv/guest/io.h"
#include "hv/guest/lib.h"

/* virtio-mmio registers and bits (virtio 1.x 4.2.2) */
#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEVICE_FEATURES 0x010
#define R_DEVICE_FEATURES_SEL 0x014
#define R_DRIVER_FEATURES 0x020
#define R_DRIVER_FEATURES_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_STATUS 0x070
#define R_QUEUE_DESC 0x080
#define R_QUEUE_AVAIL 0x090
#define R_QUEUE_USED 0x0a0
#define R_CONFIG 0x100
#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define F_MAC (1u << 5)       /* low word */
#define F_VERSION_1 (1u << 0) /* high word: bit 32 */

/* Ring memory: page-aligned blocks per queue, plus the buffers. */
static uint8_t ring_mem[2][3 * 4096] __attribute__((aligned(4096)));
static uint8_t buf_mem[2][NET_QUEUE_SIZE * NET_BUF_SIZE] __attribute__((aligned(4096)));

static int fail(const char* why) {
  console_puts("strata-guest: virtio-net: ");
  console_puts(why);
  console_puts("\n");
  return -1;
}

static int setup_queue(struct net_dev* dev, struct net_queue* q, uint32_t index) {
  uint64_t b = dev->base;
  mmio_write32(b + R_QUEUE_SEL, index);
  if (mmio_read32(b + R_QUEUE_READY)) return fail("queue already in use");
  uint32_t max = mmio_read32(b + R_QUEUE_NUM_MAX);
  if (max == 0) return fail("device has no such queue");
  q->num = max < NET_QUEUE_SIZE ? max : NET_QUEUE_SIZE;
  if (!split_ring_valid_size(q->num)) return fail("queue size is not a power of two");
  q->index = index;
  struct split_ring_layout l = split_ring_compact_layout(q->num);
  uint8_t* mem = ring_mem[index];
  memset(mem, 0, sizeof ring_mem[index]);
  q->desc = (volatile struct split_ring_desc*)(mem + l.desc);
  q->avail = (volatile struct split_ring_avail*)(mem + l.avail);
  q->used = (volatile struct split_ring_used*)(mem + l.used);
  q->bufs = buf_mem[index];
  q->last_used = 0;
  q->free = (uint16_t)q->num;
  /* This guest polls: no interrupts, please. */
  q->avail->flags = SPLIT_RING_AVAIL_F_NO_INTERRUPT;
  for (uint32_t i = 0; i < q->num; ++i) {
    q->desc[i].addr = (uint64_t)(q->bufs + (uint64_t)i * NET_BUF_SIZE);  /* identity-mapped */
    q->desc[i].len = NET_BUF_SIZE;
    q->desc[i].flags = index == 0 ? SPLIT_RING_DESC_F_WRITE : 0;
  }
  mmio_write32(b + R_QUEUE_NUM, q->num);
  uint64_t addrs[3] = {(uint64_t)q->desc, (uint64_t)q->avail, (uint64_t)q->used};
  uint32_t regs[3] = {R_QUEUE_DESC, R_QUEUE_AVAIL, R_QUEUE_USED};
  for (int i = 0; i < 3; ++i) {
    mmio_write32(b + regs[i], (uint32_t)addrs[i]);
    mmio_write32(b + regs[i] + 4, (uint32_t)(addrs[i] >> 32));
  }
  mmio_write32(b + R_QUEUE_READY, 1);
  return 0;
}

static void notify(struct net_dev* dev, struct net_queue* q) {
  /* The device may say it polls (USED_F_NO_NOTIFY); the fence orders our
   * avail->idx store before reading its flag. */
  full_barrier();
  if (!(q->used->flags & SPLIT_RING_USED_F_NO_NOTIFY)) {
    mmio_write32(dev->base + R_QUEUE_NOTIFY, q->index);
    dev->kicks++;
  }
}

int net_init(struct net_dev* dev, uint64_t base) {
  memset(dev, 0, sizeof *dev);
  dev->base = base;
  if (mmio_read32(base + R_MAGIC) != 0x74726976) return fail("no virtio-mmio magic");
  if (mmio_read32(base + R_VERSION) != 2) return fail("not a virtio-mmio version 2 device");
  if (mmio_read32(base + R_DEVICE_ID) != 1) return fail("not a network device");
  mmio_write32(base + R_STATUS, 0);
  mmio_write32(base + R_STATUS, S_ACK);
  mmio_write32(base + R_STATUS, S_ACK | S_DRIVER);
  mmio_write32(base + R_DEVICE_FEATURES_SEL, 0);
  uint32_t lo = mmio_read32(base + R_DEVICE_FEATURES);
  mmio_write32(base + R_DEVICE_FEATURES_SEL, 1);
  uint32_t hi = mmio_read32(base + R_DEVICE_FEATURES);
  if (!(hi & F_VERSION_1)) return fail("device does not offer VERSION_1");
  if (!(lo & F_MAC)) return fail("device does not offer a MAC");
  mmio_write32(base + R_DRIVER_FEATURES_SEL, 0);
  mmio_write32(base + R_DRIVER_FEATURES, F_MAC);
  mmio_write32(base + R_DRIVER_FEATURES_SEL, 1);
  mmio_write32(base + R_DRIVER_FEATURES, F_VERSION_1);
  mmio_write32(base + R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
  if (!(mmio_read32(base + R_STATUS) & S_FEATURES_OK)) return fail("device refused our features");
  if (setup_queue(dev, &dev->rx, 0) || setup_queue(dev, &dev->tx, 1)) return -1;
  for (int i = 0; i < 6; ++i) dev->mac[i] = mmio_read8(base + R_CONFIG + (uint64_t)i);
  /* Post every receive buffer before DRIVER_OK: the backend may start at once. */
  for (uint32_t i = 0; i < dev->rx.num; ++i) dev->rx.avail->ring[i] = (uint16_t)i;
  compiler_barrier();
  dev->rx.avail->idx = (uint16_t)dev->rx.num;
  mmio_write32(base + R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
  if (mmio_read32(base + R_STATUS) & 0x40) return fail("device needs reset (the shim could not start it; see its log)");
  notify(dev, &dev->rx);
  return 0;
}

uint32_t net_reclaim_tx(struct net_dev* dev) {
  struct net_queue* q = &dev->tx;
  compiler_barrier();
  while (q->last_used != q->used->idx) {
    q->last_used++;
    q->free++;
  }
  return q->free;
}

int net_send(struct net_dev* dev, const uint8_t* frame, uint32_t len) {
  struct net_queue* q = &dev->tx;
  if (len + NET_HDR_SIZE > NET_BUF_SIZE) return -1;
  if (q->free == 0 && net_reclaim_tx(dev) == 0) return -1;
  /* The device completes in order for a single-buffer chain, so slots are
   * reused round-robin: the next slot is the oldest one. */
  uint16_t slot = (uint16_t)(q->avail->idx % q->num);
  uint8_t* buf = q->bufs + (uint64_t)slot * NET_BUF_SIZE;
  memset(buf, 0, NET_HDR_SIZE);
  memcpy(buf + NET_HDR_SIZE, frame, len);
  q->desc[slot].len = len + NET_HDR_SIZE;
  q->desc[slot].flags = 0;
  q->avail->ring[slot] = slot;
  compiler_barrier();  /* x86 keeps stores in order; the compiler must too */
  q->avail->idx = (uint16_t)(q->avail->idx + 1);
  q->free--;
  notify(dev, q);
  return 0;
}

uint32_t net_poll_rx(struct net_dev* dev, uint8_t** frame, uint16_t* id) {
  struct net_queue* q = &dev->rx;
  compiler_barrier();
  if (q->last_used == q->used->idx) return 0;
  volatile struct split_ring_used_elem* e = &q->used->ring[q->last_used % q->num];
  uint32_t desc = e->id, len = e->len;
  q->last_used++;
  if (desc >= q->num || len < NET_HDR_SIZE || len > NET_BUF_SIZE) {
    *id = (uint16_t)(desc % q->num);
    return 0xffffffffu;  /* malformed completion: caller counts and releases it */
  }
  *id = (uint16_t)desc;
  *frame = q->bufs + (uint64_t)desc * NET_BUF_SIZE + NET_HDR_SIZE;
  return len - NET_HDR_SIZE;
}

void net_release_rx(struct net_dev* dev, uint16_t id) {
  struct net_queue* q = &dev->rx;
  q->desc[id].len = NET_BUF_SIZE;
  q->avail->ring[q->avail->idx % q->num] = id;
  compiler_barrier();
  q->avail->idx = (uint16_t)(q->avail->idx + 1);
  notify(dev, q);
}

void net_reread_mac(struct net_dev* dev) {
  for (int i = 0; i < 6; ++i) dev->mac[i] = mmio_read8(dev->base + R_CONFIG + (uint64_t)i);
}
