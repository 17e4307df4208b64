/* The test guest's program. Per its command line it sends frames with a
 * tag stack and payload to a MAC, counts (and optionally echoes) what it
 * receives, reports on the UART and exits through strata-hv's control port
 * with 0 (pass), 1 (fail), 2 (bad command line) or 3 (a CPU exception,
 * see traps.c). Keys:
 *   strata.send=N            frames to send (default 0)
 *   strata.dst=MAC           their destination (default ff:ff:ff:ff:ff:ff)
 *   strata.tags=STACK        tag stack to put on them, e.g. 88a8:100/8100:200
 *   strata.payload=TEXT      payload text (default "strata")
 *   strata.expect=N          test frames to receive before finishing (default 0)
 *   strata.expect_tags=STACK tag stack received frames must carry (default: the sent one)
 *   strata.echo=1            send every received test frame back to its source
 *   strata.window=N          most frames in flight while expecting replies (default 128)
 *   strata.linger_ms=N       keep counting this long after the last expected frame (default 200)
 *   strata.timeout_ms=N      give up after this long (default 30000)
 *   strata.fault=1           execute ud2 first (tests the exception path)
 *   strata.hang=1            then spin forever without an exit (tests the
 *                            vCPU state strata-hv reports when it is stopped)
 * A clone (strata-hv --restore --clone) notices its new clone generation
 * and re-reads its MAC; it prints "clone generation N, net0 MAC".
 *   strata.rate=PPS          paced mode (paced.h): send strata.send numbered
 *                            frames at this rate to strata.dst, count the
 *                            echoes by number (lost, duplicated, longest gap)
 *                            and linger strata.linger_ms; passes when echoes
 *                            came back and nothing else did
 * Timing marks (see hv/devices/control_port.h): 1 = first frame sent or
 * received, 2 = data phase over; strata-hv prints the userspace exits
 * between them. Minus data_phase_clock_reads (the guest's own clock-port
 * reads) that is what the data path cost in exits: 0 per packet. Times are
 * microseconds of the shim's clock: guest_entry_us since strata-hv started,
 * boot_to_first_frame_us since the guest's entry. */
#include <stdint.h>

#include "hv/guest/cmdline.h"
#include "hv/guest/console.h"
#include "hv/guest/frame.h"
#include "hv/guest/io.h"
#include "hv/guest/lib.h"
#include "hv/guest/paced.h"
#include "hv/guest/virtio_net.h"

struct config {
  uint64_t send;               /* frames to send */
  uint8_t dst[6];              /* their destination */
  struct tag_stack tags;       /* put on sent frames */
  const char* payload;         /* payload text */
  uint32_t payload_len;        /* its length */
  uint64_t expect;             /* frames to receive */
  struct tag_stack expect_tags; /* required on received frames */
  uint64_t echo;               /* nonzero: echo received frames */
  uint64_t window;             /* in-flight limit while replies are expected */
  uint64_t linger_ms;          /* extra counting time after the last expected frame */
  uint64_t timeout_ms;         /* overall limit */
  uint64_t fault;              /* nonzero: raise #UD before anything else */
  uint64_t hang;               /* nonzero: spin forever, never leaving the guest */
  uint64_t rate;               /* nonzero: paced mode at this many frames per second */
};

struct counters {
  uint64_t sent, received, echoed, wrong_tags, bad_payload, other, malformed;
};

static struct net_dev net;
static uint8_t frame_buf[1600];

static int bad_cmdline(const char* key) {
  console_puts("strata-guest: bad value for ");
  console_puts(key);
  console_puts(" on the command line\n");
  return 2;
}

static int parse_config(const char* cmdline, struct config* c) {
  uint32_t len;
  const char* v;
  memset(c, 0, sizeof *c);
  memset(c->dst, 0xff, 6);
  c->payload = "strata";
  c->payload_len = 6;
  c->window = 128;
  c->linger_ms = 200;
  c->timeout_ms = 30000;
  if (cmdline_u64(cmdline, "strata.send", &c->send) < 0) return bad_cmdline("strata.send");
  if (cmdline_u64(cmdline, "strata.expect", &c->expect) < 0) return bad_cmdline("strata.expect");
  if (cmdline_u64(cmdline, "strata.echo", &c->echo) < 0) return bad_cmdline("strata.echo");
  if (cmdline_u64(cmdline, "strata.window", &c->window) < 0 || c->window == 0) return bad_cmdline("strata.window");
  if (cmdline_u64(cmdline, "strata.linger_ms", &c->linger_ms) < 0) return bad_cmdline("strata.linger_ms");
  if (cmdline_u64(cmdline, "strata.timeout_ms", &c->timeout_ms) < 0) return bad_cmdline("strata.timeout_ms");
  if (cmdline_u64(cmdline, "strata.fault", &c->fault) < 0) return bad_cmdline("strata.fault");
  if (cmdline_u64(cmdline, "strata.hang", &c->hang) < 0) return bad_cmdline("strata.hang");
  if (cmdline_u64(cmdline, "strata.rate", &c->rate) < 0) return bad_cmdline("strata.rate");
  if ((v = cmdline_value(cmdline, "strata.dst", 0, &len)) && !parse_mac(v, len, c->dst)) return bad_cmdline("strata.dst");
  if ((v = cmdline_value(cmdline, "strata.tags", 0, &len)) && !parse_tag_stack(v, len, &c->tags)) return bad_cmdline("strata.tags");
  c->expect_tags = c->tags;
  if ((v = cmdline_value(cmdline, "strata.expect_tags", 0, &len)) && !parse_tag_stack(v, len, &c->expect_tags)) {
    return bad_cmdline("strata.expect_tags");
  }
  if ((v = cmdline_value(cmdline, "strata.payload", 0, &len))) {
    c->payload = v;
    c->payload_len = len;
  }
  return 0;
}

/* Time comes from strata-hv's clock port (microseconds since the shim
 * started). Reading it is a userspace exit, so the loop reads it rarely and
 * counts its reads: the harness subtracts them from the exits strata-hv
 * reports between marks 1 and 2, leaving the exits the data path caused. */
static uint64_t clock_reads;
static uint32_t now_us(void) {
  clock_reads++;
  return control_clock_us();
}

/* A clone of a template runs the template's memory under a new identity:
 * when the clone generation changes (hv/devices/control_port.h), the NIC's
 * MAC is read again, as a guest does on a VMGenID change. Read with the
 * clock (and counted with it: both are exits the data path does not make). */
static uint32_t generation;
static void check_generation(void) {
  clock_reads++;
  uint32_t g = control_generation();
  if (g == generation) return;
  generation = g;
  net_reread_mac(&net);
  console_puts("strata-guest: clone generation ");
  console_dec(g);
  console_puts(", net0 ");
  console_mac(net.mac);
  console_puts("\n");
}

static void send_blocking(const uint8_t* frame, uint32_t len) {
  while (net_send(&net, frame, len) != 0) net_reclaim_tx(&net);
}

static void report(const char* key, uint64_t v) {
  console_puts(" ");
  console_puts(key);
  console_puts("=");
  console_dec(v);
}

static int paced_main(const struct config* cfg) {
  struct paced_config pc = {cfg->send, cfg->rate, cfg->linger_ms, cfg->dst, &cfg->tags, &cfg->expect_tags,
                            cfg->payload, cfg->payload_len};
  struct paced_result r;
  paced_run(&net, &pc, &r);
  int pass = r.received > 0 && r.wrong == 0;
  console_puts("strata-guest: result");
  report("sent", r.sent);
  report("received", r.received);
  report("lost", r.sent - r.received);
  report("duplicated", r.duplicated);
  report("wrong", r.wrong);
  report("other", r.other);
  report("max_gap_us", r.max_gap_us);
  report("last_seq", r.last_seq);
  report("lost_first", r.lost_first);
  report("lost_last", r.lost_last);
  console_puts(pass ? " status=PASS\n" : " status=FAIL\n");
  return pass ? 0 : 1;
}

int guest_main(const char* cmdline, uint64_t ram_bytes) {
  uint32_t entry_us = now_us();
  console_puts("strata-guest: up with ");
  console_dec(ram_bytes >> 20);
  console_puts(" MiB, cmdline: ");
  console_puts(cmdline);
  console_puts("\n");

  struct config cfg;
  if (parse_config(cmdline, &cfg)) return 2;
  if (cfg.fault) __asm__ volatile("ud2");
  if (cfg.hang) {
    console_puts("strata-guest: hanging\n");
    for (;;) cpu_relax();
  }
  uint32_t len;
  uint64_t base;
  uint32_t irq;
  const char* dev = cmdline_value(cmdline, "virtio_mmio.device", 0, &len);
  if (!dev || !parse_virtio_mmio(dev, len, &base, &irq)) {
    console_puts("strata-guest: no virtio_mmio.device= on the command line (start strata-hv with --net)\n");
    return 2;
  }
  if (net_init(&net, base) != 0) return 1;
  generation = control_generation();
  console_puts("strata-guest: net0 ");
  console_mac(net.mac);
  console_puts(" ready\n");

  if (cfg.rate) return paced_main(&cfg);

  struct counters n = {0};
  uint32_t start_us = now_us();
  uint32_t first_us = 0, done_us = 0;
  uint64_t reads_at_first = 0, reads_at_done = 0;
  int have_first = 0, done = 0, timed_out = 0;
  for (uint64_t iter = 0;; ++iter) {
    /* Send while the window allows. */
    if (n.sent < cfg.send && (cfg.expect == 0 || n.sent - n.received < cfg.window)) {
      uint32_t flen = build_frame(frame_buf, cfg.dst, net.mac, &cfg.tags, (uint32_t)n.sent, cfg.payload, cfg.payload_len);
      if (net_send(&net, frame_buf, flen) == 0) {
        if (n.sent++ == 0 && !have_first) {
          have_first = 1;
          first_us = now_us();
          reads_at_first = clock_reads;
          control_mark(1);
        }
      }
    }
    /* Receive everything that is there. */
    uint8_t* frame;
    uint16_t id;
    uint32_t flen;
    while ((flen = net_poll_rx(&net, &frame, &id)) != 0) {
      struct frame_info fi;
      if (flen == 0xffffffffu) {
        n.malformed++;
      } else if (!parse_frame(frame, flen, &fi)) {
        n.other++;
      } else if (!tag_stacks_equal(&fi.tags, &cfg.expect_tags)) {
        n.wrong_tags++;
      } else if (fi.payload_len < cfg.payload_len || memcmp(fi.payload, cfg.payload, cfg.payload_len) != 0) {
        n.bad_payload++;
      } else {
        if (n.received++ == 0 && !have_first) {
          have_first = 1;
          first_us = now_us();
          reads_at_first = clock_reads;
          control_mark(1);
        }
        if (cfg.echo) {
          /* Back to the sender, from us, tags and payload unchanged. */
          memcpy(frame, fi.src, 6);
          memcpy(frame + 6, net.mac, 6);
          memcpy(frame_buf, frame, flen);
          send_blocking(frame_buf, flen);
          n.echoed++;
        }
      }
      net_release_rx(&net, id);
    }
    net_reclaim_tx(&net);
    if (!done && n.sent >= cfg.send && n.received >= cfg.expect) {
      done = 1;
      reads_at_done = clock_reads;
      control_mark(2);
      done_us = now_us();
    }
    /* The clock is a userspace exit: read it every 64k turns while busy,
     * every 256 while lingering (a read per turn would make a lingering
     * guest an exit storm that slows its neighbours in L1). */
    if ((iter & (done ? 0xff : 0xffff)) == 0) {
      check_generation();
      uint32_t t = now_us();
      if (done && t - done_us >= cfg.linger_ms * 1000) break;
      if (!done && t - start_us >= cfg.timeout_ms * 1000) {
        timed_out = 1;
        break;
      }
    }
  }

  int pass = !timed_out && n.received == cfg.expect && n.wrong_tags == 0 && n.bad_payload == 0 && n.malformed == 0;
  console_puts("strata-guest: result");
  report("sent", n.sent);
  report("received", n.received);
  report("echoed", n.echoed);
  report("wrong_tags", n.wrong_tags);
  report("bad_payload", n.bad_payload);
  report("other", n.other);
  report("malformed", n.malformed);
  report("kicks", net.kicks);
  report("guest_entry_us", entry_us);
  report("boot_to_first_frame_us", have_first ? first_us - entry_us : 0);
  report("data_phase_us", have_first && done ? done_us - first_us : 0);
  report("data_phase_clock_reads", done ? reads_at_done - reads_at_first : 0);
  console_puts(pass ? " status=PASS\n" : (timed_out ? " status=FAIL(timeout)\n" : " status=FAIL\n"));
  return pass ? 0 : 1;
}
