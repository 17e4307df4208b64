#!/usr/bin/python3
"""Strata's packet-rate benchmark against OVS-DPDK 3.1 and testpmd io-forward.

bench/run.sh is the entry point (it picks the interpreter); see
bench/README.md for the scenarios, the method and how to read the output.

Every scenario runs on each system in the same invocation, the systems
alternating A B C A B C ... so that drift of a shared machine hits all of
them. One forwarding core each (CPU 1), 64-byte frames from a pcap replayed
forever (net_pcap infinite_rx) into a null sink (no-rx=1). Everything this
script starts it stops by PID; every file it makes lives in one temporary
directory that it removes, except the results in --out.
"""
import argparse
import atexit
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OVS_VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
TESTPMD = "dpdk-testpmd"
PMD_CPU = 1  # the one forwarding core of every system
STACK_2 = [(0x88A8, 100), (0x8100, 200)]
STACK_8 = [(0x88A8, 1), (0x8100, 2), (0x9100, 3), (0x9200, 4), (0x9300, 5), (0x8100, 6), (0x8100, 7), (0x8100, 8)]


def stack_text(stack):
    return "/".join("%x:%d" % t for t in stack)


class Scenario:
    def __init__(self, sid, title, kind, flows, quick_flows, frame_tags=(), src_access=None, target="", vnic=None,
                 quick_systems=None, ofctl_opts=()):
        self.sid = sid                  # a..l
        self.title = title              # one line for the table
        self.kind = kind                # rate, setup, vhost, flowmods, pktin, ctlsetup
        self.full_flows = flows         # flows in the full run
        self.quick_flows = quick_flows  # flows in the CI run
        self.frame_tags = list(frame_tags)  # stack on the generated frames
        self.src_access = src_access    # Strata: the source port's access stack (None: trunk)
        self.target = target            # the target, in words
        self.vnic = vnic                # hairpin: the DCN's VNIC, "afxdp" or "virtio"
        self.quick_systems = quick_systems  # systems the CI run measures (None: all)
        self.ofctl_opts = list(ofctl_opts)  # flowmods: ovs-ofctl options before the command
        self.flows = flows


SCENARIOS = [
    Scenario("a", "single flow, port to port", "rate", 1, 1,
             target=">= 1.5x OVS and >= 0.6x testpmd"),
    Scenario("b", "access -> trunk, push 2 tags (88a8:100/8100:200), 10k flows", "rate", 10000, 1000,
             src_access=STACK_2, target=">= 2x OVS"),
    Scenario("c", "100k flows trunk -> trunk, 2-tag frames, EMC thrashed", "rate", 100000, 10000,
             frame_tags=STACK_2, target=">= 2x OVS"),
    Scenario("d", "8-tag stack written onto every frame (access, 8 tags), 10k flows", "rate", 10000, 1000,
             src_access=STACK_8, target=">= 0.8x Strata's (b)"),
    Scenario("e", "new-flow setup rate (upcall to installed megaflow), 100k flows", "setup", 100000, 10000,
             target=">= 10x OVS"),
    Scenario("f", "vhost-user loop, one testpmd with two virtio-user ports", "vhost", 0, 0,
             target=">= 1.5x OVS"),
    Scenario("g", "100k flow_mods with ovs-ofctl add-flows", "flowmods", 100000, 10000,
             target=">= 3x faster than OVS"),
    Scenario("h", "container to container in one DCN, af_xdp VNIC on a veth (hairpin: pop c1's tag, push c2's)",
             "hairpin", 1, 1, target="reported beside OVS (issue 8)", vnic="afxdp", quick_systems=["strata"]),
    Scenario("i", "container to container in one DCN, vhost-user VNIC, virtio-user generator (hairpin)",
             "hairpin", 1, 1, target="reported beside OVS (issue 8)", vnic="virtio", quick_systems=["strata"]),
    Scenario("j", "packet-in rate through a controller (table-miss to CONTROLLER, 10k flows)", "pktin",
             10000, 1000, target="reported (issue 6)"),
    Scenario("k", "flow setup through a controller (packet-in -> flow_mod + packet_out), 10k flows",
             "ctlsetup", 10000, 1000, target="reported (issue 6)"),
    Scenario("l", "the flow file of (g) in one bundle: ovs-ofctl --bundle add-flows", "flowmods", 100000, 10000,
             target="reported (issue 6)", ofctl_opts=["--bundle"]),
]
SYSTEMS = ["strata", "ovs", "testpmd"]


class Skip(Exception):
    """This system cannot run this scenario (said in the table)."""


class Failed(Exception):
    """The run broke: the benchmark no longer works."""


# ---------------------------------------------------------------------------
# Processes and files: everything is tracked and released by PID.
# ---------------------------------------------------------------------------

class Resources:
    def __init__(self):
        self.procs = []     # Popen objects we started
        self.pids = []      # daemons we started that detached (pid, name)
        self.cleanups = []  # callables, run last-in first-out
        self.eal_dirs = []  # EAL runtime dirs of the file prefixes we handed out

    def popen(self, cmd, **kw):
        p = subprocess.Popen(cmd, **kw)
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=20):
        if p.poll() is None:
            try:
                p.send_signal(sig)
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if p in self.procs:
            self.procs.remove(p)

    def release_all(self):
        while self.cleanups:
            fn = self.cleanups.pop()
            try:
                fn()
            except Exception as e:  # keep releasing the rest
                print("bench: cleanup: %s" % e, file=sys.stderr)
        for p in list(self.procs):
            self.stop(p, timeout=10)
        for pid, name in list(self.pids):
            kill_pid(pid, name)
        self.pids.clear()
        # OVS and testpmd leave /var/run/dpdk/<prefix> behind (stratad
        # removes its own); every process using them is gone by now.
        for d in self.eal_dirs:
            shutil.rmtree(d, ignore_errors=True)
        self.eal_dirs.clear()


RES = Resources()


def kill_pid(pid, name, timeout=10.0):
    """SIGTERM then SIGKILL one process we started, by its PID."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not pid_alive(pid):
            return
        time.sleep(0.05)
    print("bench: %s (pid %d) ignored SIGTERM, killing" % (name, pid), file=sys.stderr)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def wait_until(pred, timeout, what, proc=None, log=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        if proc is not None and proc.poll() is not None:
            raise Failed("%s: process exited with %s%s" % (what, proc.returncode, tail(log)))
        time.sleep(0.05)
    raise Failed("%s: not within %.0f s%s" % (what, timeout, tail(log)))


def tail(log, n=8):
    if not log:
        return ""
    lines = read(log).strip().splitlines()[-n:]
    return "\n    " + "\n    ".join(lines) if lines else ""


def run(cmd, timeout=120, env=None, check=True):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, env=env)
    if check and r.returncode != 0:
        raise Failed("%s: exit %d: %s" % (" ".join(cmd[:4]), r.returncode, r.stdout.strip()[-800:]))
    return r.stdout


def free_hugepages_mb():
    free = size_kb = 0
    for line in read("/proc/meminfo").splitlines():
        if line.startswith("HugePages_Free:"):
            free = int(line.split()[1])
        elif line.startswith("Hugepagesize:"):
            size_kb = int(line.split()[1])
    return free * size_kb // 1024 if os.access("/dev/hugepages", os.W_OK) else 0


def tsc_mhz():
    for line in read("/proc/cpuinfo").splitlines():
        if line.startswith("cpu MHz"):
            return float(line.split(":")[1])
    return 0.0


def thread_ticks(pid):
    """{tid: utime + stime in clock ticks} of every thread of `pid`."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tids:
        stat = read("/proc/%d/task/%s/stat" % (pid, tid))
        if ")" not in stat:
            continue
        f = stat.rsplit(")", 1)[1].split()
        out[tid] = int(f[11]) + int(f[12])
    return out


def busiest_cpu_seconds(before, after):
    """CPU seconds of the thread that ran most between two thread_ticks()."""
    best = 0
    for tid, t in after.items():
        best = max(best, t - before.get(tid, 0))
    return best / os.sysconf("SC_CLK_TCK")


def per_core(r, ctx, packets, cpu_s, dt):
    """Adds the forwarding thread's own cycles per packet (its CPU time, not
    the wall clock: on a shared core the wall clock also counts the time
    other processes ran) and the rate one whole core would give."""
    r["cpu_share"] = cpu_s / dt if dt > 0 else 0
    if packets > 0 and cpu_s > 0:
        r["cpp"] = cpu_s * ctx.mhz * 1e6 / packets
        r["mpps_core"] = ctx.mhz / r["cpp"]
    return r


# ---------------------------------------------------------------------------
# Context
# ---------------------------------------------------------------------------

class Ctx:
    def __init__(self, args):
        self.quick = args.quick
        self.build = os.path.abspath(args.build_dir)
        self.bin = os.path.join(self.build, "bin")
        self.out = os.path.abspath(args.out or os.path.join(self.build, "bench-quick" if args.quick else "bench-results"))
        self.rounds = args.rounds or (1 if args.quick else 3)
        self.duration = args.duration or (1.5 if args.quick else 5.0)
        self.warmup = args.warmup if args.warmup is not None else (0.5 if args.quick else 2.0)
        self.tmp = tempfile.mkdtemp(prefix="strata-bench-")
        RES.cleanups.append(lambda: shutil.rmtree(self.tmp, ignore_errors=True))
        self.mhz = tsc_mhz()
        self.stratad = os.path.abspath(args.stratad) if args.stratad else os.path.join(self.bin, "stratad")
        self.seq = 0
        os.makedirs(self.out, exist_ok=True)
        self.log = open(os.path.join(self.out, "bench.log"), "w")
        self.cache = {}

    def note(self, msg):
        print(msg, flush=True)
        self.log.write(msg + "\n")
        self.log.flush()

    def mkdtemp(self, name):
        self.seq += 1
        d = os.path.join(self.tmp, "%s-%d" % (name, self.seq))
        os.makedirs(d)
        return d

    def prefix(self, name):
        self.seq += 1
        prefix = "bench%s%d_%d" % (name, os.getpid(), self.seq)
        RES.eal_dirs.append("/var/run/dpdk/" + prefix)
        return prefix

    def pcap(self, sc, flows=None, tags=None):
        flows = sc.flows if flows is None else flows
        tags = sc.frame_tags if tags is None else tags
        key = (flows, tuple(tags))
        if key not in self.cache:
            path = os.path.join(self.tmp, "frames-%d-%s.pcap" % (flows, stack_text(tags).replace("/", "_").replace(":", "-") or "untagged"))
            cmd = [sys.executable, os.path.join(HERE, "gen_pcap.py"), path, "--flows", str(flows)]
            if tags:
                cmd += ["--tags", stack_text(tags)]
            run(cmd)
            self.cache[key] = path
        return self.cache[key]


# ---------------------------------------------------------------------------
# Strata
# ---------------------------------------------------------------------------

def strata_config(path, ports, controllers=(), dcns=()):
    """ports: [(name, type, {opt: value}, mode)] with mode None (trunk) or an access stack;
    dcns: [(dcn, vnic port, [(container, tag VID, ofport)])], the containers trunks."""
    lines = ['bridges {', '  name: "br0"']
    if controllers:
        lines.append("  fail_mode: FAIL_MODE_SECURE")
        lines += ['  controllers: "%s"' % c for c in controllers]
    for name, ptype, opts, mode in ports:
        s = '  ports { name: "%s" type: "%s"' % (name, ptype)
        for k, v in opts.items():
            s += ' options { key: "%s" value: "%s" }' % (k, v)
        if mode:
            s += " access { stack {" + "".join(" tags { tpid: 0x%x vid: %d }" % t for t in mode) + " } }"
        s += " }"
        lines.append(s)
    lines.append("}")
    for dcn, vnic, containers in dcns:
        lines.append('dcns { name: "%s" bridge: "br0" vnic: "%s"' % (dcn, vnic))
        lines += ['  containers { name: "%s" tag { tpid: 0x8100 vid: %d } ofport: %d }' % c for c in containers]
        lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def parse_strata_dump(text):
    """The last complete SIGUSR1 report in stratad's output, or None."""
    start = text.rfind("\nports:\n")
    if start < 0:
        return None
    block = text[start + 1:]
    m = re.search(r"^megaflows \((\d+)\):\n", block, re.M)
    if not m:
        return None
    n_flows = int(m.group(1))
    after = block[m.end():].splitlines()
    if len([l for l in after if l.startswith("in_port=")]) < n_flows:
        return None
    d = {"megaflows": n_flows, "ports": {}, "pmd": None}
    lines = block[:m.start()].splitlines()
    i = 2  # "ports:", header
    while i < len(lines) and lines[i] != "pmds:":
        f = lines[i].split()
        if len(f) >= 11:
            d["ports"][f[1]] = {"rx": int(f[3]), "rx_drop": int(f[5]), "tx": int(f[6]), "tx_drop": int(f[8]),
                                "malformed": int(f[9]), "upcalls": int(f[10])}
        i += 1
    pm = re.search(r"pmd 0 \(cpu \d+, \d+ rxqs\): (\d+) packets, ([\d.]+) cycles/packet busy", block)
    lk = re.search(r"lookups: batch (\d+) emc (\d+) megaflow (\d+) miss (\d+)", block)
    st = re.search(r"cycles/packet by stage:([^;]*);", block)
    if pm and lk and st:
        stages = {}
        toks = st.group(1).split()
        for k in range(0, len(toks) - 1, 2):
            stages[toks[k]] = float(toks[k + 1])
        d["pmd"] = {"packets": int(pm.group(1)), "busy_cpp": float(pm.group(2)),
                    "batch": int(lk.group(1)), "emc": int(lk.group(2)), "megaflow": int(lk.group(3)),
                    "miss": int(lk.group(4)), "stages": stages}
    return d


def stratad_flags(ctx):
    if "flags" not in ctx.cache:
        ctx.cache["flags"] = subprocess.run([ctx.stratad, "--help"], stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT, text=True).stdout
    return ctx.cache["flags"]


class Stratad:
    def __init__(self, ctx, ports, mbufs=65535, memory=512, controllers=(), dcns=()):
        self.ctx = ctx
        self.dir = ctx.mkdtemp("strata")
        self.cfg = os.path.join(self.dir, "br.conf")
        self.log = os.path.join(self.dir, "stratad.out")
        self.mgmt = None
        strata_config(self.cfg, ports, controllers, dcns)
        cmd = [ctx.stratad, "--config", self.cfg, "--pmd-cores", str(PMD_CPU),
               "--pmd-busy-poll", "--file-prefix", ctx.prefix("s"), "--memory", str(memory),
               "--mbufs", str(mbufs), "--log-level", "info"]
        # Hermetic: no persisted db, a private management socket.
        flags = stratad_flags(ctx)
        if "--no-db" in flags:
            cmd.append("--no-db")
        if "--mgmt" in flags:
            self.mgmt = "unix:" + os.path.join(self.dir, "mgmt.sock")
            cmd += ["--mgmt", self.mgmt]
        self.out = open(self.log, "w")
        self.p = RES.popen(cmd, stdout=self.out, stderr=subprocess.STDOUT)
        self.dumps = 0
        try:
            wait_until(lambda: "running:" in read(self.log), 60, "stratad start", self.p, self.log)
        except Failed:
            RES.stop(self.p)
            self.out.close()
            raise
        if "no free hugepages" in read(self.log):
            ctx.note("    (stratad runs on 4 KiB pages: no free hugepages)")

    def dump(self, timeout=60):
        """Sends SIGUSR1; returns (report, time the signal was sent)."""
        self.dumps += 1
        t = time.monotonic()
        self.p.send_signal(signal.SIGUSR1)
        want = self.dumps

        def ready():
            text = read(self.log)
            return text.count("\nmegaflows (") >= want and parse_strata_dump(text) is not None
        wait_until(ready, timeout, "stratad report", self.p, self.log)
        return parse_strata_dump(read(self.log)), t

    def stop(self):
        RES.stop(self.p, timeout=30)
        self.out.close()
        rc = self.p.returncode
        if rc not in (0, None):
            raise Failed("stratad exited with %s%s" % (rc, tail(self.log)))


def strata_rate(ctx, sc):
    pcap = ctx.pcap(sc)
    # net_pcap's infinite_rx keeps every frame of the capture in an mbuf.
    mbufs = 32767 if sc.flows < 20000 else 131071
    memory = 64 + (mbufs + 1) * 2432 // (1 << 20)
    sd = Stratad(ctx, [("src", "pcap", {"rx": pcap, "infinite_rx": "1"}, sc.src_access),
                       ("sink", "null", {"no-rx": "1"}, None)], mbufs=mbufs, memory=memory)
    try:
        # Warm: every flow has its megaflow (NORMAL makes one per flow here)
        # and no frame missed since the last look (ports coming up
        # revalidate the first megaflows a moment after the start).
        end = time.monotonic() + (30 if ctx.quick else 120)
        misses = -1
        while True:
            d, _ = sd.dump()
            m = d["pmd"]["miss"] if d["pmd"] else 0
            if (d["megaflows"] >= sc.flows and m == misses) or time.monotonic() > end:
                break
            misses = m
            time.sleep(0.5 if sc.flows < 20000 else 1.0)
        time.sleep(ctx.warmup)
        c1 = thread_ticks(sd.p.pid)
        d1, t1 = sd.dump()
        time.sleep(ctx.duration)
        d2, t2 = sd.dump()
        c2 = thread_ticks(sd.p.pid)
    finally:
        sd.stop()
    dt = t2 - t1
    tx = d2["ports"]["sink"]["tx"] - d1["ports"]["sink"]["tx"]
    if tx <= 0:
        raise Failed("strata forwarded nothing in %.1f s%s" % (dt, tail(sd.log)))
    r = {"mpps": tx / dt / 1e6, "megaflows": d2["megaflows"]}
    per_core(r, ctx, tx, busiest_cpu_seconds(c1, c2), dt)
    return pmd_window(r, d1, d2)


def pmd_window(r, d1, d2):
    """Adds the PMD's per-stage cycles/packet and lookups between two reports."""
    p1, p2 = d1["pmd"], d2["pmd"]
    n = p2["packets"] - p1["packets"] if p1 and p2 else 0
    if n > 0:
        stages = {}
        for k, v in p2["stages"].items():
            stages[k] = (v * p2["packets"] - p1["stages"].get(k, 0) * p1["packets"]) / n
        r["stages"] = stages
        r["busy_cpp"] = (p2["busy_cpp"] * p2["packets"] - p1["busy_cpp"] * p1["packets"]) / n
        r["lookups"] = {k: p2[k] - p1[k] for k in ("batch", "emc", "megaflow", "miss")}
    if r.get("lookups", {}).get("miss", 0) > 0:
        r["note"] = "%d misses in the window" % r["lookups"]["miss"]
    return r


def strata_setup(ctx, sc):
    pcap = ctx.pcap(sc)
    prog = os.path.join(ctx.bin, "strata_flow_setup")
    log = os.path.join(ctx.mkdtemp("setup"), "out")
    with open(log, "w") as out:
        p = RES.popen([prog, "--pcap", pcap, "--flows", str(sc.flows), "--timeout", "60",
                       "--file-prefix", ctx.prefix("fs"), "--pmd-cpu", str(PMD_CPU)],
                      stdout=out, stderr=subprocess.STDOUT)
        try:
            p.wait(timeout=120)
        finally:
            RES.stop(p)
    vals = dict(l.split(None, 1) for l in read(log).splitlines() if re.match(r"^[a-z_]+ [\d.]+$", l))
    if p.returncode != 0 or "flows_per_second" not in vals:
        raise Failed("strata_flow_setup exited with %s%s" % (p.returncode, tail(log)))
    r = {"fps": float(vals["flows_per_second"]), "seconds": float(vals["seconds"]), "flows": int(vals["flows"]),
         "note": "%s upcalls, %s dropped at the upcall ring" % (vals["upcalls"], vals["upcall_dropped"])}
    cpu = float(vals.get("cpu_seconds", 0))
    if cpu > 0:
        r["cpu_s"] = cpu
        r["fps_cpu"] = r["flows"] / cpu
    return r


_STRATA_FEATURES = {}


def strata_feature(ctx, what):
    """Whether this stratad has vhost-user ports (a later issue): one probe per run."""
    if what not in _STRATA_FEATURES:
        d = ctx.mkdtemp("probe")
        try:
            Stratad(ctx, [("v0", what, {"path": os.path.join(d, "v0.sock")}, None)], mbufs=8191, memory=128).stop()
            _STRATA_FEATURES[what] = True
        except Failed:
            _STRATA_FEATURES[what] = False
    return _STRATA_FEATURES[what]


def strata_vhost(ctx, sc):
    if not strata_feature(ctx, "vhostuser"):
        raise Skip("Strata has no vhost-user port yet (issue 4)")
    d = ctx.mkdtemp("svhost")
    s0, s1 = os.path.join(d, "v0.sock"), os.path.join(d, "v1.sock")
    sd = Stratad(ctx, [("v0", "vhostuser", {"path": s0}, None), ("v1", "vhostuser", {"path": s1}, None)],
                 mbufs=16383, memory=192)
    try:
        wait_until(lambda: os.path.exists(s0) and os.path.exists(s1), 20, "stratad vhost-user sockets")
        return vhost_driver(ctx, s0, s1, sd.p.pid, stratad=sd)
    finally:
        sd.stop()


def free_tcp_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed_ofctl(cmd, env=None):
    """Runs ovs-ofctl; returns (wall seconds, its own user + system CPU
    seconds): the client's share, which no switch can take off the wall."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    run(cmd, timeout=600, env=env)
    secs = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return secs, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def strata_flowmods(ctx, sc):
    # ovs-ofctl reaches OVS's bridge over its Unix socket (br0.mgmt); Strata
    # gets the same transport through a punix: target, so both pay the same
    # per-message kernel cost (TCP loopback costs ovs-ofctl ~40% more
    # system time per flow_mod here).
    sd_dir = ctx.mkdtemp("strata-of")
    sock = os.path.join(sd_dir, "br0.mgmt")
    sd = Stratad(ctx, [("p1", "null", {"no-rx": "1"}, None), ("p2", "null", {"no-rx": "1"}, None)],
                 mbufs=8191, memory=128, controllers=["punix:" + sock])
    target = "unix:" + sock
    try:
        end = time.monotonic() + 20
        while not os.path.exists(sock):
            if time.monotonic() > end:
                raise Skip("stratad does not listen for OpenFlow on %s" % target)
            time.sleep(0.1)
        path = ovs_flows_file(ctx, sc)
        secs, client_cpu = timed_ofctl(["ovs-ofctl", "-O", "OpenFlow13"] + sc.ofctl_opts + ["add-flows", target, path])
        m = re.search(r"flow_count=(\d+)", run(["ovs-ofctl", "-O", "OpenFlow13", "dump-aggregate", target]))
        n = int(m.group(1)) if m else 0
    finally:
        sd.stop()
    if n != sc.flows:
        raise Failed("Strata holds %d flows after add-flows of %d" % (n, sc.flows))
    return {"seconds": secs, "fps": sc.flows / secs, "flows": n, "client_cpu": client_cpu}


# ---------------------------------------------------------------------------
# OVS-DPDK 3.1, from a private database and run directory
# ---------------------------------------------------------------------------

class Ovs:
    def __init__(self, ctx, socket_mem=512):
        if not os.path.exists(OVS_VSWITCHD):
            raise Skip("openvswitch-switch-dpdk is not installed")
        if free_hugepages_mb() < socket_mem + 64:
            raise Skip("OVS-DPDK needs %d MiB of free hugepages" % socket_mem)
        self.ctx = ctx
        self.dir = ctx.mkdtemp("ovs")
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_DBDIR=self.dir, OVS_LOGDIR=self.dir)
        self.db = "unix:%s/db.sock" % self.dir
        self.vswitchd_pid = None
        self.ovsdb_pid = None
        RES.cleanups.append(self.stop)
        d = self.dir
        run(["ovsdb-tool", "create", d + "/conf.db", OVS_SCHEMA])
        run(["ovsdb-server", d + "/conf.db", "--remote=punix:%s/db.sock" % d, "--pidfile=%s/ovsdb.pid" % d,
             "--unixctl=%s/ovsdb.ctl" % d, "--log-file=%s/ovsdb.log" % d, "--detach", "--no-chdir"], env=self.env)
        self.ovsdb_pid = int(read(d + "/ovsdb.pid"))
        RES.pids.append((self.ovsdb_pid, "ovsdb-server"))
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".", "other_config:dpdk-init=true",
                   "other_config:dpdk-socket-mem=%d" % socket_mem, "other_config:pmd-cpu-mask=0x%x" % (1 << PMD_CPU),
                   "other_config:vlan-limit=0",
                   "other_config:dpdk-extra=--no-pci --file-prefix=%s" % ctx.prefix("o"))
        run([OVS_VSWITCHD, self.db, "--pidfile=%s/vswitchd.pid" % d, "--unixctl=%s/vswitchd.ctl" % d,
             "--log-file=%s/vswitchd.log" % d, "--detach", "--no-chdir"], env=self.env, timeout=120)
        self.vswitchd_pid = int(read(d + "/vswitchd.pid"))
        RES.pids.append((self.vswitchd_pid, "ovs-vswitchd"))
        self.vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
        # ovs-ofctl talks to br0.mgmt, which comes a moment after add-br
        # (on a loaded machine, after the first ofctl call).
        wait_until(lambda: os.path.exists(os.path.join(d, "br0.mgmt")), 30, "OVS br0's OpenFlow socket")

    def vsctl(self, *args, timeout=120):
        return run(["ovs-vsctl", "--db=" + self.db, "--timeout=%d" % timeout] + list(args), env=self.env,
                   timeout=timeout + 10)

    def ofctl(self, *args, timeout=300):
        return run(["ovs-ofctl", "-O", "OpenFlow13"] + list(args), env=self.env, timeout=timeout)

    def appctl(self, *args):
        return run(["ovs-appctl", "-t", self.dir + "/vswitchd.ctl"] + list(args), env=self.env)

    def add_port(self, name, ofport, iftype, **opts):
        args = ["add-port", "br0", name, "--", "set", "Interface", name, "type=" + iftype,
                "ofport_request=%d" % ofport]
        args += ["options:%s=%s" % (k.replace("_", "-"), v) for k, v in opts.items()]
        self.vsctl(*args)

    def megaflows(self):
        m = re.search(r"flows: (\d+)", self.appctl("dpctl/show"))
        return int(m.group(1)) if m else 0

    def tx_packets(self, ofport):
        out = self.ofctl("dump-ports", "br0", str(ofport))
        m = re.search(r"tx pkts=(\d+)", out)
        return int(m.group(1)) if m else 0

    def stop(self):
        if self.vswitchd_pid is not None:
            if pid_alive(self.vswitchd_pid):
                subprocess.run(["ovs-appctl", "-t", self.dir + "/vswitchd.ctl", "exit", "--cleanup"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env, timeout=30)
                end = time.monotonic() + 20
                while pid_alive(self.vswitchd_pid) and time.monotonic() < end:
                    time.sleep(0.05)
            kill_pid(self.vswitchd_pid, "ovs-vswitchd")
            RES.pids[:] = [x for x in RES.pids if x[0] != self.vswitchd_pid]
            self.vswitchd_pid = None
        if self.ovsdb_pid is not None:
            kill_pid(self.ovsdb_pid, "ovsdb-server")
            RES.pids[:] = [x for x in RES.pids if x[0] != self.ovsdb_pid]
            self.ovsdb_pid = None
        if self.stop in RES.cleanups:
            RES.cleanups.remove(self.stop)


def mac(base, i):
    v = base + i
    return ":".join("%02x" % ((v >> s) & 0xFF) for s in range(40, -8, -8))


def ovs_flows_file(ctx, sc):
    """The OpenFlow rules equivalent to what Strata's NORMAL bridge installs."""
    path = os.path.join(ctx.tmp, "ovs-flows-%s-%d.txt" % (sc.sid, sc.flows))
    if os.path.exists(path):
        return path
    with open(path, "w") as f:
        if sc.sid == "a":
            f.write("in_port=1,actions=output:2\n")
        elif sc.sid == "b":
            # push_vlan adds a new outermost tag: inner 8100:200 first.
            act = "push_vlan:0x8100,set_field:%d->vlan_vid,push_vlan:0x88a8,set_field:%d->vlan_vid,output:2" % (
                0x1000 | 200, 0x1000 | 100)
            for i in range(sc.flows):
                f.write("in_port=1,dl_dst=%s,actions=%s\n" % (mac(0x020100000000, i), act))
        elif sc.sid in ("c", "g", "l"):
            for i in range(sc.flows):
                f.write("in_port=1,dl_dst=%s,actions=output:2\n" % mac(0x020100000000, i))
    return path


def ovs_rate(ctx, sc):
    if sc.sid == "d":
        raise Skip("OVS parses and pushes at most 2 tags: an 8-tag stack cannot be expressed")
    pcap = ctx.pcap(sc)
    o = Ovs(ctx, socket_mem=512)
    try:
        o.ofctl("del-flows", "br0")
        o.ofctl("add-flows", "br0", ovs_flows_file(ctx, sc))
        o.add_port("sink", 2, "dpdk", dpdk_devargs="net_null0,no-rx=1")
        o.add_port("src", 1, "dpdk", dpdk_devargs="net_pcap0,rx_pcap=%s,infinite_rx=1,tx_pcap=/dev/null" % pcap)
        end = time.monotonic() + (30 if ctx.quick else 120)
        while o.megaflows() < sc.flows and time.monotonic() < end:
            time.sleep(0.2)
        time.sleep(ctx.warmup)
        c1 = thread_ticks(o.vswitchd_pid)
        a = time.monotonic()
        tx1 = o.tx_packets(2)
        t1 = (a + time.monotonic()) / 2
        o.appctl("dpif-netdev/pmd-stats-clear")
        time.sleep(ctx.duration)
        a = time.monotonic()
        tx2 = o.tx_packets(2)
        t2 = (a + time.monotonic()) / 2
        c2 = thread_ticks(o.vswitchd_pid)
        stats = o.appctl("dpif-netdev/pmd-stats-show")
        flows = o.megaflows()
    finally:
        o.stop()
    if tx2 <= tx1:
        raise Failed("OVS forwarded nothing")
    r = {"mpps": (tx2 - tx1) / (t2 - t1) / 1e6, "megaflows": flows}
    per_core(r, ctx, tx2 - tx1, busiest_cpu_seconds(c1, c2), t2 - t1)
    m = re.search(r"avg processing cycles per packet: ([\d.]+)", stats)
    if m:
        r["busy_cpp"] = float(m.group(1))
    hits = {}
    for k, pat in (("emc", "emc hits"), ("smc", "smc hits"), ("megaflow", "megaflow hits"),
                   ("miss", "miss with success upcall")):
        m = re.search(pat + r": (\d+)", stats)
        if m:
            hits[k] = int(m.group(1))
    r["lookups"] = hits
    return r


def ovs_setup(ctx, sc):
    pcap = ctx.pcap(sc)
    o = Ovs(ctx, socket_mem=512)
    try:
        # The bridge's default flow is NORMAL, Strata's pipeline.
        o.add_port("sink", 2, "dpdk", dpdk_devargs="net_null0,no-rx=1")
        t0 = time.monotonic()
        o.add_port("src", 1, "dpdk", dpdk_devargs="net_pcap0,rx_pcap=%s,infinite_rx=1,tx_pcap=/dev/null" % pcap)
        t_start = time.monotonic()
        c1 = thread_ticks(o.vswitchd_pid)
        last, last_t, c_last = 0, t_start, c1
        end = t_start + (30 if ctx.quick else 90)
        while time.monotonic() < end:
            n = o.megaflows()
            now = time.monotonic()
            if n > last:
                last, last_t, c_last = n, now, thread_ticks(o.vswitchd_pid)
            if n >= sc.flows or now - last_t > 10:
                break
            time.sleep(0.02)
    finally:
        o.stop()
    secs = last_t - t_start
    if last == 0 or secs <= 0:
        raise Failed("OVS installed no megaflow")
    # CPU time of every thread of the switch (OVS handles a userspace
    # datapath's upcalls on the PMD thread itself; revalidators and the
    # main thread do the rest), as for Strata.
    cpu = sum(t - c1.get(tid, 0) for tid, t in c_last.items()) / os.sysconf("SC_CLK_TCK")
    r = {"fps": last / secs, "seconds": secs, "flows": last,
         "note": "add-port itself took %.2f s" % (t_start - t0)}
    if cpu > 0:
        r["cpu_s"] = cpu
        r["fps_cpu"] = last / cpu
    if last < sc.flows:
        r["note"] += "; reached only %d of %d megaflows" % (last, sc.flows)
    return r


def ovs_vhost(ctx, sc):
    o = Ovs(ctx, socket_mem=512)
    try:
        o.ofctl("del-flows", "br0")
        o.ofctl("add-flow", "br0", "in_port=1,actions=output:2")
        o.ofctl("add-flow", "br0", "in_port=2,actions=output:1")
        o.add_port("vhost0", 1, "dpdkvhostuser")
        o.add_port("vhost1", 2, "dpdkvhostuser")
        return vhost_driver(ctx, os.path.join(o.dir, "vhost0"), os.path.join(o.dir, "vhost1"), o.vswitchd_pid)
    finally:
        o.stop()


def ovs_flowmods(ctx, sc):
    o = Ovs(ctx, socket_mem=256)
    try:
        path = ovs_flows_file(ctx, sc)
        o.ofctl("del-flows", "br0")
        # The same two ports as Strata's bridge, so the rules name real ports.
        o.add_port("p1", 1, "dpdk", dpdk_devargs="net_null0,no-rx=1")
        o.add_port("p2", 2, "dpdk", dpdk_devargs="net_null1,no-rx=1")
        secs, client_cpu = timed_ofctl(["ovs-ofctl", "-O", "OpenFlow13"] + sc.ofctl_opts + ["add-flows", "br0", path],
                                       env=o.env)
        m = re.search(r"flow_count=(\d+)", o.ofctl("dump-aggregate", "br0"))
        n = int(m.group(1)) if m else 0
    finally:
        o.stop()
    if n != sc.flows:
        raise Failed("OVS holds %d flows after add-flows of %d" % (n, sc.flows))
    return {"seconds": secs, "fps": sc.flows / secs, "flows": n, "client_cpu": client_cpu}


# ---------------------------------------------------------------------------
# Through a controller (j, k): strata_controller_bench is the controller;
# the switch connects to it and replays one frame per flow from a pcap port
# ---------------------------------------------------------------------------

class Controller:
    """strata_controller_bench listening on a free port (start it before the switch)."""

    def __init__(self, ctx, sc):
        self.port = free_tcp_port()
        self.log = os.path.join(ctx.mkdtemp("controller"), "out")
        cmd = [os.path.join(ctx.bin, "strata_controller_bench"), "--listen", str(self.port), "--timeout", "120"]
        if sc.kind == "pktin":
            cmd += ["--mode", "packet-in", "--warmup", str(ctx.warmup), "--duration", str(ctx.duration)]
        else:
            cmd += ["--mode", "flow-setup", "--flows", str(sc.flows), "--out-port", "2"]
        self.out = open(self.log, "w")
        self.p = RES.popen(cmd, stdout=self.out, stderr=subprocess.STDOUT)
        wait_until(lambda: "listening" in read(self.log), 20, "controller start", self.p, self.log)

    def result(self, what):
        """Waits for the controller to finish; its `key value` lines."""
        try:
            self.p.wait(timeout=180)
        except subprocess.TimeoutExpired:
            pass
        RES.stop(self.p)
        self.out.close()
        vals = dict(l.split(None, 1) for l in read(self.log).splitlines() if re.match(r"^[a-z_]+ [\d.]+$", l))
        if self.p.returncode != 0:
            raise Failed("the controller measuring %s exited with %s%s" % (what, self.p.returncode, tail(self.log)))
        return vals


def controller_result(sc, vals, c1, c2):
    """fps = packet-ins/s (j) or flows/s (k); with the switch's CPU-seconds in the window."""
    if sc.kind == "pktin":
        r = {"fps": float(vals["packet_ins_per_second"]), "flows": int(vals["packet_ins"]),
             "seconds": float(vals["seconds"])}
    else:
        r = {"fps": float(vals["flows_per_second"]), "flows": int(vals["flows"]),
             "seconds": float(vals["seconds"]), "note": "%s packet-ins" % vals.get("packet_ins", "?")}
    # The CPU is read from the handshake's end to the controller's exit: per
    # CPU-second of the switch, count everything the controller saw then.
    total = int(vals.get("total_packet_ins", r["flows"])) if sc.kind == "pktin" else r["flows"]
    cpu = sum(t - c1.get(tid, 0) for tid, t in c2.items()) / os.sysconf("SC_CLK_TCK")
    if cpu > 0:
        r["cpu_s"] = cpu
        r["fps_cpu"] = total / cpu
    return r


def strata_controller(ctx, sc):
    pcap = ctx.pcap(sc)
    c = Controller(ctx, sc)
    try:
        sd = Stratad(ctx, [("src", "pcap", {"rx": pcap, "infinite_rx": "1"}, None),
                           ("sink", "null", {"no-rx": "1"}, None)],
                     mbufs=32767, memory=160, controllers=["tcp:127.0.0.1:%d" % c.port])
    except Failed:
        RES.stop(c.p)
        raise
    try:
        wait_until(lambda: "ready" in read(c.log), 30, "strata's OpenFlow handshake", c.p, c.log)
        c1 = thread_ticks(sd.p.pid)
        vals = c.result("strata")
        c2 = thread_ticks(sd.p.pid)
    finally:
        sd.stop()
    return controller_result(sc, vals, c1, c2)


def ovs_controller(ctx, sc):
    pcap = ctx.pcap(sc)
    o = Ovs(ctx, socket_mem=512)
    try:
        c = Controller(ctx, sc)
        # Out of band: no hidden in-band flows for the controller's address.
        o.vsctl("set-fail-mode", "br0", "secure", "--", "set-controller", "br0", "tcp:127.0.0.1:%d" % c.port,
                "--", "set", "controller", "br0", "connection-mode=out-of-band")
        o.add_port("sink", 2, "dpdk", dpdk_devargs="net_null0,no-rx=1")
        o.add_port("src", 1, "dpdk", dpdk_devargs="net_pcap0,rx_pcap=%s,infinite_rx=1,tx_pcap=/dev/null" % pcap)
        wait_until(lambda: "ready" in read(c.log), 60, "OVS's OpenFlow handshake", c.p, c.log)
        c1 = thread_ticks(o.vswitchd_pid)
        vals = c.result("ovs")
        c2 = thread_ticks(o.vswitchd_pid)
    finally:
        o.stop()
    return controller_result(sc, vals, c1, c2)


# ---------------------------------------------------------------------------
# testpmd io-forward: the limit of one core with the same source and sink
# ---------------------------------------------------------------------------

class Testpmd:
    """testpmd in interactive mode, driven through its stdin: `show port
    stats all` at the two ends of the window gives exact counters."""

    def __init__(self, ctx, name, vdevs, lcores, extra_eal=(), start="start", mbufs=32768, extra_app=()):
        self.dir = ctx.mkdtemp("testpmd-" + name)
        self.nports = len(vdevs)
        self.log = os.path.join(self.dir, "out")
        # stdbuf: testpmd's printf output must reach the log at once, not at exit.
        memory = 64 + mbufs * 2432 // (1 << 20)
        cmd = ["stdbuf", "-o0", TESTPMD, "--lcores", lcores, "--file-prefix", ctx.prefix(name), "--no-pci",
               "--in-memory", "-m", str(memory)] + list(extra_eal)
        for v in vdevs:
            cmd += ["--vdev", v]
        cmd += ["--", "-i", "--forward-mode=io", "--nb-cores=1", "--total-num-mbufs=%d" % mbufs] + list(extra_app)
        self.out = open(self.log, "w")
        self.p = RES.popen(cmd, stdin=subprocess.PIPE, stdout=self.out, stderr=subprocess.STDOUT, text=True)
        self.shows = 0
        try:
            wait_until(lambda: "testpmd>" in read(self.log), 60, "testpmd %s start" % name, self.p, self.log)
            self.send(start)
            wait_until(lambda: "packet forwarding" in read(self.log), 30, "testpmd %s forwarding" % name, self.p, self.log)
        except Failed:
            self.stop()
            raise

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def stats(self):
        """({port: (rx, tx)}, time the command was sent)."""
        self.shows += 1
        want = self.shows
        t = time.monotonic()
        self.send("show port stats all")

        def ready():
            text = read(self.log)
            return text.count("NIC statistics for port") >= self.nports * want and text.rstrip().endswith("testpmd>")
        wait_until(ready, 20, "testpmd stats", self.p, self.log)
        text = read(self.log)
        blocks = text.split("NIC statistics for port ")[1:][-self.nports:]
        ports = {}
        for b in blocks:
            port = int(b.split()[0])
            rx = re.search(r"RX-packets:\s+(\d+)", b)
            tx = re.search(r"TX-packets:\s+(\d+)", b)
            ports[port] = (int(rx.group(1)) if rx else 0, int(tx.group(1)) if tx else 0)
        return ports, t

    def stop(self):
        if self.p.poll() is None:
            try:
                self.send("quit")
                self.p.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                pass
        RES.stop(self.p, sig=signal.SIGINT)
        self.out.close()


def measure_testpmd(ctx, t, count):
    """Runs the window on a started Testpmd; count(ports) = packets forwarded so far."""
    time.sleep(ctx.warmup)
    c1 = thread_ticks(t.p.pid)
    s1, t1 = t.stats()
    time.sleep(ctx.duration)
    s2, t2 = t.stats()
    c2 = thread_ticks(t.p.pid)
    n = count(s2) - count(s1)
    return n, t2 - t1, c1, c2


def testpmd_rate(ctx, sc):
    if shutil.which(TESTPMD) is None:
        raise Skip("dpdk-testpmd is not installed")
    pcap = ctx.pcap(sc)
    t = Testpmd(ctx, "t", ["net_pcap0,rx_pcap=%s,infinite_rx=1,tx_pcap=/dev/null" % pcap, "net_null0,no-rx=1"],
                "0@0,1@%d" % PMD_CPU, mbufs=32768 if sc.flows < 20000 else 131072)
    try:
        n, dt, c1, c2 = measure_testpmd(ctx, t, lambda s: s[1][1])
    finally:
        t.stop()
    if n <= 0:
        raise Failed("testpmd forwarded nothing%s" % tail(t.log))
    return per_core({"mpps": n / dt / 1e6}, ctx, n, busiest_cpu_seconds(c1, c2), dt)


def vhost_driver(ctx, sock0, sock1, switch_pid, stratad=None):
    """One testpmd with two virtio-user ports looping frames through a switch
    (whose forwarding thread's CPU time is read from `switch_pid`); with
    `stratad`, its PMD's per-stage cycles over the window too."""
    # Forwarding on CPU 0: the switch's one core is CPU 1.
    t = Testpmd(ctx, "d", ["net_virtio_user0,path=%s,queues=1" % sock0, "net_virtio_user1,path=%s,queues=1" % sock1],
                "0@%d,1@0" % PMD_CPU, extra_eal=["--single-file-segments"], start="start tx_first",
                mbufs=16384)
    try:
        time.sleep(ctx.warmup)
        d1 = stratad.dump()[0] if stratad else None
        c1 = thread_ticks(switch_pid)
        s1, t1 = t.stats()
        time.sleep(ctx.duration)
        s2, t2 = t.stats()
        c2 = thread_ticks(switch_pid)
        d2 = stratad.dump()[0] if stratad else None
    finally:
        t.stop()
    n = (s2[0][0] + s2[1][0]) - (s1[0][0] + s1[1][0])
    if n <= 0:
        raise Failed("no frames came back to the virtio-user driver%s" % tail(t.log))
    r = per_core({"mpps": n / (t2 - t1) / 1e6}, ctx, n, busiest_cpu_seconds(c1, c2), t2 - t1)
    return pmd_window(r, d1, d2) if stratad else r


def testpmd_vhost(ctx, sc):
    if shutil.which(TESTPMD) is None:
        raise Skip("dpdk-testpmd is not installed")
    d = ctx.mkdtemp("tvhost")
    s0, s1 = os.path.join(d, "v0.sock"), os.path.join(d, "v1.sock")
    t = Testpmd(ctx, "v", ["net_vhost0,iface=%s,queues=1" % s0, "net_vhost1,iface=%s,queues=1" % s1],
                "0@0,1@%d" % PMD_CPU, mbufs=16384)
    try:
        return vhost_driver(ctx, s0, s1, t.p.pid)
    finally:
        t.stop()


# ---------------------------------------------------------------------------
# Container to container (h, i): a DCN's one VNIC carries containers c1 and
# c2, told apart by their tags; c1's frames come in with 8100:10, hairpin
# through the switch and go back out of the VNIC with 8100:20
# ---------------------------------------------------------------------------

C1_TAG, C2_TAG = 10, 20   # container tags on the VNIC (TPID 0x8100)
VNIC_OFPORT, C1_OFPORT, C2_OFPORT = 1, 2, 3


class Veth:
    """A veth pair in the root namespace: `vnic` is the switch's port, `dcn`
    the DCN side where the generator sends c1's frames. Deleted at the end of
    the run, also on failure."""

    def __init__(self, ctx):
        ctx.seq += 1
        base = "sbh%d_%d" % (os.getpid() % 100000, ctx.seq)
        self.vnic, self.dcn = base + "v", base + "d"
        run(["ip", "link", "add", self.vnic, "type", "veth", "peer", "name", self.dcn])
        RES.cleanups.append(self.close)
        for i in (self.vnic, self.dcn):
            # No IPv6 chatter from the kernel: only the generator's frames.
            run(["sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % i])
            run(["ip", "link", "set", i, "up"])

    def close(self):
        subprocess.run(["ip", "link", "del", self.vnic], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if self.close in RES.cleanups:
            RES.cleanups.remove(self.close)


def hairpin_vnic(ctx, sc, where):
    """The VNIC of one run: (the switch's side, the generator's vdev and EAL
    flags, what to close at the end). af_xdp: a veth, the generator on its
    other end through net_af_xdp too (it offered 0.6-1.0 Mpps where
    net_af_packet offered 0.5). virtio: a vhost-user socket at `where`
    (served by the switch), the generator a virtio-user port on it."""
    if sc.vnic == "afxdp":
        veth = Veth(ctx)
        return veth.vnic, "net_af_xdp0,iface=%s" % veth.dcn, (), veth.close
    return where, "net_virtio_user0,path=%s,queues=1" % where, ("--single-file-segments",), lambda: None


def hairpin_driver(ctx, gen_vdev, gen_eal, counter, switch_pid):
    """The DCN side: one testpmd io-forwarding c1's frames (one 64-byte frame
    tagged 8100:10 replayed forever by a pcap port) into the VNIC, and what
    comes back to /dev/null. `counter()` gives (frames the switch sent out of
    the VNIC with c2's tag, time read, the switch's report or None)."""
    pcap = ctx.pcap(None, flows=1, tags=[(0x8100, C1_TAG)])
    # Forwarding on CPU 0: the switch's one core is CPU 1.
    t = Testpmd(ctx, "g", ["net_pcap0,rx_pcap=%s,infinite_rx=1,tx_pcap=/dev/null" % pcap, gen_vdev],
                "0@%d,1@0" % PMD_CPU, extra_eal=gen_eal, mbufs=8192)
    # One frame and one flow: nothing to warm but the first upcall, so the
    # CI run keeps these short.
    warmup, duration = (min(ctx.warmup, 0.3), min(ctx.duration, 0.5)) if ctx.quick else (ctx.warmup, ctx.duration)
    try:
        # The path is up once frames come back (a vhost-user device comes
        # up a moment after the generator; later still on a loaded machine).
        wait_until(lambda: t.stats()[0][1][0] > 0, 30, "the first frames back to the generator", t.p, t.log)
        time.sleep(warmup)
        c1 = thread_ticks(switch_pid)
        g1, _ = t.stats()
        n1, t1, d1 = counter()
        time.sleep(duration)
        n2, t2, d2 = counter()
        g2, _ = t.stats()
        c2 = thread_ticks(switch_pid)
    finally:
        t.stop()
    dt, n = t2 - t1, n2 - n1
    if n <= 0:
        raise Failed("no frame of c1 came back as c2's in %.1f s (the generator sent %d)%s" % (
            dt, g2[1][1] - g1[1][1], tail(t.log)))
    r = {"mpps": n / dt / 1e6,
         "note": "generator offered %.2f Mpps, got %.2f Mpps back" % (
             (g2[1][1] - g1[1][1]) / dt / 1e6, (g2[1][0] - g1[1][0]) / dt / 1e6)}
    per_core(r, ctx, n, busiest_cpu_seconds(c1, c2), dt)
    if d1 and d2:
        w = pmd_window({}, d1, d2)
        if "note" in w:
            r["note"] += "; " + w.pop("note")
        r.update(w)
    return r


def strata_hairpin(ctx, sc):
    if sc.vnic == "virtio" and not strata_feature(ctx, "vhostuser"):
        raise Skip("Strata has no vhost-user port yet (issue 4)")
    d = ctx.mkdtemp("shairpin")
    vnic, gen_vdev, gen_eal, close = hairpin_vnic(ctx, sc, os.path.join(d, "vnic.sock"))
    try:
        port = ("vnic", "afxdp", {"iface": vnic}, None) if sc.vnic == "afxdp" else \
            ("vnic", "vhostuser", {"path": vnic}, None)
        sd = Stratad(ctx, [port], mbufs=16383, memory=192,
                     dcns=[("dcn", "vnic", [("c1", C1_TAG, C1_OFPORT), ("c2", C2_TAG, C2_OFPORT)])])
        try:
            # c1's port to c2's: a flow, as OVS's side has (NORMAL would
            # flood c2's unknown address to c2 alone, the same path).
            if sd.mgmt is None:
                raise Skip("stratad has no management API to add the flow")
            run([os.path.join(ctx.bin, "stratactl"), "--mgmt", sd.mgmt, "add-flow", "br0",
                 "priority=100,in_port=%d,actions=output:%d" % (C1_OFPORT, C2_OFPORT)])

            def counter():
                rep, t = sd.dump()
                return rep["ports"]["c2"]["tx"], t, rep
            return hairpin_driver(ctx, gen_vdev, gen_eal, counter, sd.p.pid)
        finally:
            sd.stop()
    finally:
        close()


def ovs_hairpin(ctx, sc):
    o = Ovs(ctx, socket_mem=512)
    close = lambda: None  # noqa: E731
    try:
        vnic, gen_vdev, gen_eal, close = hairpin_vnic(ctx, sc, os.path.join(o.dir, "vnic"))
        o.ofctl("del-flows", "br0")
        # The OVS way to give each container on one VNIC a VLAN of its own:
        # match c1's VLAN, pop it, push c2's, back out of the port it came in.
        for a, b in ((C1_TAG, C2_TAG), (C2_TAG, C1_TAG)):
            o.ofctl("add-flow", "br0", "in_port=%d,dl_vlan=%d,actions=pop_vlan,push_vlan:0x8100,"
                    "set_field:%d->vlan_vid,in_port" % (VNIC_OFPORT, a, 0x1000 | b))
        if sc.vnic == "afxdp":
            # DPDK's net_af_xdp, the driver of Strata's afxdp port.
            o.add_port("vnic", VNIC_OFPORT, "dpdk", dpdk_devargs="net_af_xdp0,iface=%s" % vnic)
        else:
            o.add_port("vnic", VNIC_OFPORT, "dpdkvhostuser")

        def counter():
            a = time.monotonic()
            if sc.vnic == "afxdp":
                n = o.tx_packets(VNIC_OFPORT)
            else:
                # OVS 3.1 has no packet counters for a vhost-user port
                # (dump-ports says '?', dpctl/show "could not retrieve
                # stats"): the hairpin megaflow's own count instead.
                n = sum(int(m) for m in re.findall(r"vlan\(vid=%d,.*packets:(\d+)" % C1_TAG,
                                                   o.appctl("dpctl/dump-flows")))
            return n, (a + time.monotonic()) / 2, None
        return hairpin_driver(ctx, gen_vdev, gen_eal, counter, o.vswitchd_pid)
    finally:
        o.stop()
        close()


def testpmd_hairpin(ctx, sc):
    """The limit: testpmd io-forwarding the VNIC's frames back out of it, tags untouched."""
    if shutil.which(TESTPMD) is None:
        raise Skip("dpdk-testpmd is not installed")
    d = ctx.mkdtemp("thairpin")
    vnic, gen_vdev, gen_eal, close = hairpin_vnic(ctx, sc, os.path.join(d, "vnic.sock"))
    try:
        vdev = "net_af_xdp0,iface=%s" % vnic if sc.vnic == "afxdp" else "net_vhost0,iface=%s,queues=1" % vnic
        t = Testpmd(ctx, "h", [vdev], "0@0,1@%d" % PMD_CPU, mbufs=16384, extra_app=["--port-topology=loop"])
        try:
            def counter():
                ports, at = t.stats()
                return ports[0][1], at, None
            return hairpin_driver(ctx, gen_vdev, gen_eal, counter, t.p.pid)
        finally:
            t.stop()
    finally:
        close()


DISPATCH = {
    ("rate", "strata"): strata_rate, ("rate", "ovs"): ovs_rate, ("rate", "testpmd"): testpmd_rate,
    ("setup", "strata"): strata_setup, ("setup", "ovs"): ovs_setup,
    ("vhost", "strata"): strata_vhost, ("vhost", "ovs"): ovs_vhost, ("vhost", "testpmd"): testpmd_vhost,
    ("flowmods", "strata"): strata_flowmods, ("flowmods", "ovs"): ovs_flowmods,
    ("hairpin", "strata"): strata_hairpin, ("hairpin", "ovs"): ovs_hairpin, ("hairpin", "testpmd"): testpmd_hairpin,
    ("pktin", "strata"): strata_controller, ("pktin", "ovs"): ovs_controller,
    ("ctlsetup", "strata"): strata_controller, ("ctlsetup", "ovs"): ovs_controller,
}


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def med(runs, key):
    vals = [r[key] for r in runs if key in r]
    return statistics.median(vals) if vals else None


def fmt(v, spec="%.2f"):
    return spec % v if v is not None else "-"


def report(ctx, results, memory):
    """results[sid][system] = list of run dicts, or a string (skip / failure reason)."""
    L = []
    L.append("| scenario | Strata Mpps | OVS Mpps | testpmd Mpps | Strata c/p | OVS c/p | testpmd c/p | Strata/OVS | Strata/testpmd | target | met |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    notes = []
    rate = {}
    percore = {}
    plotv = {}
    for sc in SCENARIOS:
        if sc.sid not in results:
            continue
        row = results[sc.sid]
        vals, cpps = {}, {}
        for sys_ in SYSTEMS:
            x = row.get(sys_)
            if isinstance(x, list) and x:
                if sc.kind in ("rate", "vhost", "hairpin"):
                    vals[sys_] = med(x, "mpps")
                    cpps[sys_] = med(x, "cpp")
                    plotv.setdefault(sc.sid, {})[sys_] = med(x, "mpps_core")
                else:
                    vals[sys_] = med(x, "fps")
            elif isinstance(x, str):
                notes.append("(%s) %s: %s" % (sc.sid, sys_, x))
        rate[sc.sid] = vals
        s, o, t = vals.get("strata"), vals.get("ovs"), vals.get("testpmd")
        met = "-"
        if sc.kind in ("rate", "vhost", "hairpin"):
            cs, co, ct = cpps.get("strata"), cpps.get("ovs"), cpps.get("testpmd")
            # Ratios of per-core rates (inverse c/p): on a shared core the
            # wall-clock rates also measure how much CPU each process got.
            so = co / cs if cs and co else None
            st = ct / cs if cs and ct else None
            raw_so = s / o if s and o else None
            raw_st = s / t if s and t else None
            percore[sc.sid] = cs
            if sc.sid == "a" and so and st:
                met = "yes" if so >= 1.5 and st >= 0.6 else "no"
            elif sc.sid in ("b", "c") and so:
                met = "yes" if so >= 2 else "no"
            elif sc.sid == "d" and cs and percore.get("b"):
                ratio_b = percore["b"] / cs
                met = ("yes" if ratio_b >= 0.8 else "no") + " (%.2fx b)" % ratio_b
            elif sc.sid == "f" and so:
                met = "yes" if so >= 1.5 else "no"
            L.append("| (%s) %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                sc.sid, sc.title, fmt(s), fmt(o), fmt(t), fmt(cs, "%.0f"), fmt(co, "%.0f"), fmt(ct, "%.0f"),
                fmt(so, "%.2fx") + (" (raw %s)" % fmt(raw_so, "%.2fx") if raw_so else ""),
                fmt(st, "%.2fx") + (" (raw %s)" % fmt(raw_st, "%.2fx") if raw_st else ""), sc.target, met))
        elif sc.kind == "setup":
            cs = med(row["strata"], "fps_cpu") if isinstance(row.get("strata"), list) else None
            co = med(row["ovs"], "fps_cpu") if isinstance(row.get("ovs"), list) else None
            so = cs / co if cs and co else None
            raw_so = s / o if s and o else None
            if so:
                met = "yes" if so >= 10 else "no"
            L.append("| (%s) %s | %s flows/s (%s per CPU-s) | %s flows/s (%s per CPU-s) | n/a | | | | %s | | %s | %s |" % (
                sc.sid, sc.title, fmt(s, "%.0f"), fmt(cs, "%.0f"), fmt(o, "%.0f"), fmt(co, "%.0f"),
                fmt(so, "%.2fx") + (" (raw %s)" % fmt(raw_so, "%.2fx") if raw_so else ""), sc.target, met))
        elif sc.kind == "flowmods":
            so = s / o if s and o else None
            if so and sc.sid == "g":
                met = "yes" if so >= 3 else "no"
            ccs = med(row["strata"], "client_cpu") if isinstance(row.get("strata"), list) else None
            cco = med(row["ovs"], "client_cpu") if isinstance(row.get("ovs"), list) else None
            L.append("| (%s) %s | %s flow_mods/s (ovs-ofctl's own CPU %s s) | %s flow_mods/s (ovs-ofctl's own CPU %s s) | n/a | | | | %s | | %s | %s |" % (
                sc.sid, sc.title, fmt(s, "%.0f"), fmt(ccs), fmt(o, "%.0f"), fmt(cco), fmt(so, "%.2fx"), sc.target, met))
        elif sc.kind in ("pktin", "ctlsetup"):
            unit = "packet-ins/s" if sc.kind == "pktin" else "flows/s"
            cs = med(row["strata"], "fps_cpu") if isinstance(row.get("strata"), list) else None
            co = med(row["ovs"], "fps_cpu") if isinstance(row.get("ovs"), list) else None
            so = s / o if s and o else None
            L.append("| (%s) %s | %s %s (%s per switch CPU-s) | %s %s (%s per switch CPU-s) | n/a | | | | %s | | %s | - |" % (
                sc.sid, sc.title, fmt(s, "%.0f"), unit, fmt(cs, "%.0f"), fmt(o, "%.0f"), unit, fmt(co, "%.0f"),
                fmt(so, "%.2fx"), sc.target))
    if memory:
        c = memory.get("classifier_bytes_per_megaflow")
        L.append("| memory per megaflow at %s megaflows | %s B (classifier); %s B heap; %s B heap with action lists | | | | | | | | <= 128 B | %s |" % (
            memory.get("megaflows", "?"), fmt(c, "%.1f"), fmt(memory.get("heap_bytes_per_megaflow"), "%.1f"),
            fmt(memory.get("heap_bytes_per_megaflow_with_actions"), "%.1f"),
            ("yes" if c is not None and c <= 128 else "no")))
    table = "\n".join(L)

    # Per-stage cycles of each Strata scenario (median run by rate).
    S = ["| scenario | rx | parse | lookup | actions | tx | busy total | lookups in the window (batch / emc / megaflow / miss) |",
         "|---|---|---|---|---|---|---|---|"]
    for sc in SCENARIOS:
        runs = results.get(sc.sid, {}).get("strata")
        if not isinstance(runs, list) or not runs or "stages" not in runs[0]:
            continue
        runs = sorted(runs, key=lambda r: r["mpps"])
        r = runs[len(runs) // 2]
        st = r["stages"]
        lk = r.get("lookups", {})
        S.append("| (%s) | %s | %s | %s | %s | %s | %s | %s / %s / %s / %s |" % (
            sc.sid, *(fmt(st.get(k), "%.1f") for k in ("rx", "parse", "lookup", "actions", "tx")),
            fmt(r.get("busy_cpp"), "%.1f"), lk.get("batch"), lk.get("emc"), lk.get("megaflow"), lk.get("miss")))
    stages = "\n".join(S)

    # Every run, for the record.
    R = ["| scenario | system | round | result |", "|---|---|---|---|"]
    for sc in SCENARIOS:
        for sys_ in SYSTEMS:
            x = results.get(sc.sid, {}).get(sys_)
            if not isinstance(x, list):
                continue
            for i, r in enumerate(x):
                if "mpps" in r:
                    v = "%.2f Mpps, %.0f c/p, forwarding thread on CPU %.0f%% of the window" % (
                        r["mpps"], r.get("cpp", 0), 100 * r.get("cpu_share", 0))
                    if "busy_cpp" in r:
                        v += ", own count %.0f busy cycles/packet" % r["busy_cpp"]
                else:
                    v = "%.0f /s (%d in %.2f s)" % (r["fps"], r["flows"], r["seconds"])
                    if "cpu_s" in r:
                        v += ", %.2f CPU-s (all threads), %.0f per CPU-s" % (r["cpu_s"], r["fps_cpu"])
                if r.get("note"):
                    v += "; " + r["note"]
                R.append("| (%s) | %s | %d | %s |" % (sc.sid, sys_, i + 1, v))
    runs = "\n".join(R)
    return table, stages, runs, notes, plotv


def plot(ctx, rate):
    data = os.path.join(ctx.out, "mpps.dat")
    with open(data, "w") as f:
        f.write("scenario strata ovs testpmd\n")
        for sc in SCENARIOS:
            if sc.kind not in ("rate", "vhost", "hairpin") or sc.sid not in rate:
                continue
            v = rate[sc.sid]
            f.write("(%s) %s %s %s\n" % (sc.sid, *("%.3f" % v[k] if v.get(k) else "?" for k in SYSTEMS)))
    if shutil.which("gnuplot") is None:
        return None
    svg = os.path.join(ctx.out, "mpps.svg")
    script = os.path.join(ctx.out, "mpps.gp")
    with open(script, "w") as f:
        f.write("""set terminal svg size 760,420 font 'sans,12'
set output '%s'
set title 'One forwarding core, 64-byte frames (%s)'
set ylabel 'Mpps per core (TSC / cycles per packet)'
set datafile missing '?'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key top right
set grid ytics
set yrange [0:*]
plot '%s' using 2:xtic(1) title 'Strata' lc rgb '#1f77b4', \\
     '' using 3 title 'OVS-DPDK 3.1' lc rgb '#ff7f0e', \\
     '' using 4 title 'testpmd io-fwd (limit)' lc rgb '#7f7f7f'
""" % (svg, "quick CI run" if ctx.quick else "median of %d rounds" % ctx.rounds, data))
    subprocess.run(["gnuplot", script], check=False)
    return svg if os.path.exists(svg) else None


def memory_run(ctx):
    prog = os.path.join(ctx.bin, "strata_megaflow_memory")
    n = 100000 if ctx.quick else 1000000
    out = run([prog, "--flows", str(n)], timeout=600)
    vals = {}
    for line in out.splitlines():
        k, _, v = line.partition(" ")
        try:
            vals[k] = float(v) if "." in v else int(v)
        except ValueError:
            pass
    return vals


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description="Strata vs OVS-DPDK vs testpmd packet-rate benchmark")
    ap.add_argument("--quick", action="store_true", help="the CI version: short runs, fewer flows, one round")
    ap.add_argument("--build-dir", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--out", help="where the table, plot and log go (default BUILD/bench-results)")
    ap.add_argument("--rounds", type=int, help="runs per system and scenario (default 3; quick 1)")
    ap.add_argument("--duration", type=float, help="measured seconds per run (default 5; quick 1.5)")
    ap.add_argument("--warmup", type=float, help="seconds before measuring (default 2; quick 0.5)")
    ap.add_argument("--scenarios", default="".join(sc.sid for sc in SCENARIOS), help="subset, e.g. abc")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help="subset, e.g. strata,ovs")
    ap.add_argument("--no-memory", action="store_true", help="skip the megaflow memory measurement")
    ap.add_argument("--stratad", help="this stratad binary instead of BUILD/bin/stratad (A/B of two builds)")
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    atexit.register(RES.release_all)
    if os.geteuid() != 0:
        print("bench: needs root (DPDK, hugepages)", file=sys.stderr)
        return 2
    ctx = Ctx(args)
    for prog in ("stratad", "strata_flow_setup", "strata_megaflow_memory", "strata_controller_bench"):
        if not os.path.exists(os.path.join(ctx.bin, prog)):
            print("bench: %s/%s is missing: build first" % (ctx.bin, prog), file=sys.stderr)
            return 2
    systems = [s for s in args.systems.split(",") if s]
    chosen = [sc for sc in SCENARIOS if sc.sid in args.scenarios]
    for sc in chosen:
        sc.flows = sc.quick_flows if ctx.quick else sc.full_flows

    started = time.monotonic()
    ctx.note("bench: %s run, %d round(s), %.1f s windows, %.1f s warm-up; %.0f MHz TSC; load %s" % (
        "quick" if ctx.quick else "full", ctx.rounds, ctx.duration, ctx.warmup, ctx.mhz,
        read("/proc/loadavg").split()[:3]))
    results = {}
    failures = []
    for sc in chosen:
        t_sc = time.monotonic()
        ctx.note("(%s) %s" % (sc.sid, sc.title))
        row = results.setdefault(sc.sid, {})
        for rnd in range(ctx.rounds):
            for sys_ in systems:
                fn = DISPATCH.get((sc.kind, sys_))
                if fn is None:
                    row[sys_] = "n/a"
                    continue
                if ctx.quick and sc.quick_systems is not None and sys_ not in sc.quick_systems:
                    row[sys_] = "not run: the CI run measures %s only here" % ", ".join(sc.quick_systems)
                    continue
                if isinstance(row.get(sys_), str):
                    continue  # skipped or failed before: do not retry every round
                try:
                    r = fn(ctx, sc)
                except Skip as e:
                    row[sys_] = "not run: %s" % e
                    ctx.note("    %-8s skipped: %s" % (sys_, e))
                    continue
                except (Failed, subprocess.TimeoutExpired, OSError) as e:
                    row[sys_] = "FAILED: %s" % e
                    failures.append("(%s) %s: %s" % (sc.sid, sys_, e))
                    ctx.note("    %-8s FAILED: %s" % (sys_, e))
                    continue
                row.setdefault(sys_, []).append(r)
                if "mpps" in r:
                    ctx.note("    %-8s round %d: %6.2f Mpps, %4.0f c/p (%.1f Mpps per core, CPU %3.0f%%)%s%s" % (
                        sys_, rnd + 1, r["mpps"], r.get("cpp", 0), r.get("mpps_core", 0), 100 * r.get("cpu_share", 0),
                        "  (own count %.0f busy c/p)" % r["busy_cpp"] if "busy_cpp" in r else "",
                        "  [%s]" % r["note"] if r.get("note") else ""))
                else:
                    ctx.note("    %-8s round %d: %.0f per second (%d in %.2f s%s)%s" % (
                        sys_, rnd + 1, r["fps"], r["flows"], r["seconds"],
                        ", %.0f per CPU-s" % r["fps_cpu"] if "fps_cpu" in r else "",
                        "  [%s]" % r["note"] if r.get("note") else ""))
        ctx.note("    (%.0f s)" % (time.monotonic() - t_sc))

    memory = None
    if not args.no_memory:
        try:
            memory = memory_run(ctx)
            ctx.note("memory: %s" % memory)
        except (Failed, subprocess.TimeoutExpired) as e:
            failures.append("memory: %s" % e)
            ctx.note("memory FAILED: %s" % e)

    table, stages, runs, notes, rate = report(ctx, results, memory)
    svg = plot(ctx, rate)
    elapsed = time.monotonic() - started
    text = ["## Results (%s)" % ("quick CI run: fewer flows, short windows, NOT for quoting" if ctx.quick else
                                "median of %d rounds, %.0f s windows" % (ctx.rounds, ctx.duration)),
            "", "TSC %.0f MHz. Mpps: frames out of the sink per wall-clock second. c/p: cycles per packet of the forwarding thread, from its CPU time (so time other processes took on the shared core is not counted); ratios are of per-core rates (TSC / c/p), raw wall-clock ratios in parentheses. Load average at the end: %s; took %.0f s." % (
                ctx.mhz, " ".join(read("/proc/loadavg").split()[:3]), elapsed),
            "", table, ""]
    if notes:
        text += ["Not measured:", ""] + ["- " + n for n in notes] + [""]
    text += ["### Strata per-stage cycles/packet (pmd-stats, measured window)", "", stages, "",
             "### Every run", "", runs, ""]
    if svg:
        text.append("Plot: %s" % svg)
    md = os.path.join(ctx.out, "results.md")
    with open(md, "w") as f:
        f.write("\n".join(text) + "\n")
    print("\n".join(text))
    if failures:
        print("\nbench: %d run(s) FAILED:\n  %s" % (len(failures), "\n  ".join(failures)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    rc = 1
    try:
        rc = main()
    finally:
        RES.release_all()
    sys.exit(rc)
