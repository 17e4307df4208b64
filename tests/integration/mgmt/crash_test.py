#!/usr/bin/env python3
"""Crash consistency: an acknowledged change survives `kill -9`.

1. Configure (bridges, null/ring/tap ports, tag modes, a controller),
   kill -9, restart with the same command line: the configuration is the
   last acknowledged one, and the running switch matches it.
2. In a loop, a writer issues changes while stratad is killed at a random
   moment; after the restart the configuration must be the last
   acknowledged one, or that plus the one change in flight when the
   daemon died (it may have reached the disk before the reply).
3. A `vhostuserclient` port (stratad connects to the VMM's socket; the VMM
   is testpmd's virtio-user in server mode, returning every frame with its
   MACs swapped): after `kill -9` and a restart the port reconnects to the
   VMM that kept running, and frames from a tap port round-trip again.
"""
import difflib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stratad, Work, canonical_json, check, finish  # noqa: E402

ROUNDS = int(os.environ.get("STRATA_CRASH_ROUNDS", "8"))


def model_of(config):
    """What the configuration says, reduced to what the writer changes."""
    out = {}
    for b in config.get("bridges", []):
        out[b["name"]] = (sorted(p["name"] for p in b.get("ports", [])), list(b.get("controllers", [])))
    return canonical_json(out)


def part_one(work):
    seed = work.path("seed.conf")
    with open(seed, "w") as f:
        f.write('bridges { name: "br0" ports { name: "s1" type: "null" options { key: "no-rx" value: "1" } } }\n')
    d = Stratad(work, "one", config=seed)
    if not check(d.start(), "stratad starts from --config"):
        return
    tap = f"{work.tag}c"[:15]
    for args in (["add-port", "br0", "a1", "--type", "null", "--opt", "no-rx=1", "--access", "88a8:100/8100:200"],
                 ["add-port", "br0", "r1", "--type", "ring", "--trunk", "88a8:100,88a8:101", "--ofport", "9"],
                 ["add-port", "br0", "t1", "--type", "tap", "--opt", f"iface={tap}"],
                 ["add-br", "br1", "--fail-mode", "secure"],
                 ["add-port", "br1", "b1", "--type", "null", "--opt", "no-rx=1"],
                 ["set-controller", "br1", "ptcp:16999"],
                 ["del-port", "br0", "s1"]):
        r = d.ctl(*args)
        check(r.returncode == 0, "configure: " + " ".join(args), r.stderr)
    acked = d.config_now()
    show_before = d.ctl_json("show")
    d.kill9()
    check(True, "kill -9 after the last acknowledgement")
    # The same command line, --config included: the db wins, it is what
    # the --config seeded.
    if not check(d.start(), "stratad restarts from the same db"):
        return
    check(canonical_json(d.config_now()) == canonical_json(acked), "the restored configuration is the acknowledged one")
    after = d.ctl_json("show")
    # A tap's MAC is new each time it is made, and datapath port numbers
    # are the datapath's own (handed out afresh at start, like OVS's odp
    # port numbers): neither is configuration.
    for s in (show_before, after):
        for b in s["bridges"]:
            for p in b["ports"]:
                for volatile in ("mac", "link_up", "dp_port"):
                    p.pop(volatile, None)
    check(canonical_json(after) == canonical_json(show_before), "the running switch is as before the crash (show)",
          "".join(difflib.unified_diff(canonical_json(show_before).splitlines(True),
                                       canonical_json(after).splitlines(True), "before", "after")))
    check(subprocess.run(["ip", "link", "show", tap], capture_output=True).returncode == 0,
          "the tap port's interface exists again")
    check(d.stop() == 0, "clean stop")


class Writer(threading.Thread):
    """Issues changes until told to stop; records what was acknowledged."""

    def __init__(self, d, rnd, round_no):
        super().__init__(daemon=True)
        self.d, self.rnd, self.round = d, rnd, round_no
        self.acked = None       # the model after the last acknowledged change
        self.inflight = None    # the model if the change being sent lands
        self.stop_flag = False
        self.count = 0

    def run(self):
        state = json.loads(self.acked)
        n = 0
        while not self.stop_flag:
            n += 1
            name = f"r{self.round}p{n}"
            bridges = sorted(state)
            op = self.rnd.choice(["add-port", "add-port", "del-port", "add-br", "del-br", "set-controller"])
            nxt = json.loads(json.dumps(state))
            if op == "add-port" and bridges:
                b = self.rnd.choice(bridges)
                args = ["add-port", b, name, "--type", self.rnd.choice(["null", "ring"])]
                if args[-1] == "null":
                    args += ["--opt", "no-rx=1"]
                nxt[b][0] = sorted(nxt[b][0] + [name])
            elif op == "del-port" and any(state[b][0] for b in bridges):
                b = self.rnd.choice([b for b in bridges if state[b][0]])
                p = self.rnd.choice(state[b][0])
                args = ["del-port", b, p]
                nxt[b][0].remove(p)
            elif op == "add-br" and len(bridges) < 4:
                args = ["add-br", f"b{self.round}x{n}"]
                nxt[args[1]] = [[], []]
            elif op == "del-br" and len(bridges) > 1:
                b = self.rnd.choice(bridges)
                args = ["del-br", b]
                del nxt[b]
            elif op == "set-controller" and bridges:
                b = self.rnd.choice(bridges)
                args = ["set-controller", b, f"tcp:127.0.0.{1 + n % 200}:6653"]
                nxt[b][1] = [args[2]]
            else:
                continue
            self.inflight = canonical_json(nxt)
            r = self.d.ctl(*args, timeout=10)
            if r.returncode != 0:
                return  # the daemon died under us (or refused): stop here
            self.acked = self.inflight
            self.inflight = None
            state = nxt
            self.count += 1


def part_two(work):
    d = Stratad(work, "loop")
    if not check(d.start(), "loop: stratad starts"):
        return
    for args in (["add-br", "br0"], ["add-port", "br0", "base", "--type", "null", "--opt", "no-rx=1"]):
        d.ctl(*args)
    rnd = random.Random(int(os.environ.get("STRATA_CRASH_SEED", "7")))
    total = 0
    for rnd_no in range(ROUNDS):
        w = Writer(d, rnd, rnd_no)
        w.acked = model_of(d.config_now())
        w.start()
        time.sleep(rnd.uniform(0.2, 1.2))
        d.kill9()
        w.stop_flag = True
        w.join(timeout=30)
        if not d.start():
            check(False, f"round {rnd_no}: stratad restarts after kill -9", d.log_text()[-2000:])
            return
        got = model_of(d.config_now())
        ok = got == w.acked or (w.inflight is not None and got == w.inflight)
        check(ok, f"round {rnd_no}: after {w.count} acknowledged change(s) and kill -9, the db holds the last "
                  f"acknowledged configuration" + (" (or the one in flight)" if w.inflight else ""),
              f"got {got}\nacked {w.acked}\ninflight {w.inflight}")
        # The running switch agrees with the db it restored.
        show = d.ctl_json("show")
        running = {b["name"]: (sorted(p["port"]["name"] for p in b["ports"]), b["controllers"]) for b in show["bridges"]}
        check(canonical_json(running) == got, f"round {rnd_no}: the running switch matches the db")
        total += w.count
    check(total > 0, f"{total} changes were acknowledged across {ROUNDS} crashes")
    check(d.stop() == 0, "clean stop at the end")


HOST_A = bytes.fromhex("02000000000a")  # behind the tap port
HOST_B = bytes.fromhex("02000000000b")  # "in the VM": testpmd swaps it back to A
ETH_P_ALL = 0x0003
ETH_P_TEST = 0x88b5                     # IEEE local experimental ethertype
PACKET_OUTGOING = 4


class Vmm:
    """testpmd with one virtio-user port in server mode: the VMM side of a
    vhostuserclient port. macswap returns each frame with its MACs swapped."""

    def __init__(self, work, sock):
        self.prefix = work.prefix()
        self.log = work.path("vmm.log")
        argv = ["dpdk-testpmd", "--no-pci", "--no-huge", "-m", "512",
                f"--file-prefix={self.prefix}", "--lcores=0@0,1@0",
                f"--vdev=net_virtio_user0,path={sock},queues=1,server=1", "--log-level=error", "--",
                "--forward-mode=macswap", "--auto-start", "--total-num-mbufs=4096", "--nb-cores=1",
                "--rxq=1", "--txq=1"]
        # stdin stays open: testpmd without a terminal exits at its EOF.
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
        work.procs.append(self.proc)


def wait_for(fn, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    return fn()


def port_status(d, name):
    for b in d.ctl_json("show")["bridges"]:
        for p in b["ports"]:
            if p["port"]["name"] == name:
                return p
    return None


def carrier(iface):
    try:
        with open(f"/sys/class/net/{iface}/carrier") as f:
            return f.read().strip() == "1"
    except OSError:
        return False


def round_trip(iface, n, wait=5.0):
    """Sends n frames A->B out of the tap's interface, 10 at a time, and
    counts those that come back B->A with their payload (the VMM swapped
    their MACs); returns the count."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    try:
        s.bind((iface, 0))
        s.settimeout(0.05)
        want = {f"strata-crash-{i}".encode() for i in range(n)}
        got = set()
        hdr = HOST_B + HOST_A + ETH_P_TEST.to_bytes(2, "big")
        for i in range(n):
            s.send((hdr + f"strata-crash-{i}".encode()).ljust(60, b"\0"))
            if i % 10 == 9:
                time.sleep(0.01)
        deadline = time.time() + wait
        while time.time() < deadline and got != want:
            try:
                frame, addr = s.recvfrom(2048)
            except socket.timeout:
                continue
            if addr[2] == PACKET_OUTGOING or frame[:6] != HOST_A or frame[6:12] != HOST_B:
                continue
            got.add(frame[14:].rstrip(b"\0"))
        return len(got & want)
    finally:
        s.close()


def part_three(work):
    if not shutil.which("dpdk-testpmd"):
        check(False, "vhostuserclient: dpdk-testpmd is installed (scripts/install-deps.sh)")
        return
    sock = work.path("vmm.sock")
    vmm = Vmm(work, sock)
    try:
        if not check(wait_for(lambda: os.path.exists(sock), 20), "vhostuserclient: the VMM serves its socket",
                     open(vmm.log).read()):
            return
        d = Stratad(work, "vhc")
        if not check(d.start(), "vhostuserclient: stratad starts"):
            return
        tap = f"{work.tag}v"[:15]
        for args in (["add-br", "br0"],
                     ["add-port", "br0", "vm", "--type", "vhostuserclient", "--opt", f"path={sock}"],
                     ["add-port", "br0", "host", "--type", "tap", "--opt", f"iface={tap}"]):
            r = d.ctl(*args)
            check(r.returncode == 0, "vhostuserclient: " + " ".join(args), r.stderr)

        def connected_and_forwarding(when):
            up = wait_for(lambda: (port_status(d, "vm") or {}).get("link_up"), 30)
            if not check(up, f"vhostuserclient {when}: the port is connected to the VMM (link up)",
                         d.log_text()[-1500:]):
                return
            subprocess.run(["ip", "link", "set", "dev", tap, "up"], check=True)
            # The kernel drops what is sent on a tap before its carrier is on
            # (the switch's PMD has the queue open).
            check(wait_for(lambda: carrier(tap), 10), f"vhostuserclient {when}: the tap's carrier is on")
            # As a VMM's virtio-net does, testpmd takes a moment after the
            # handshake before it forwards: wait for the first echo.
            check(wait_for(lambda: round_trip(tap, 1, 0.2) == 1, 15),
                  f"vhostuserclient {when}: a first frame makes the round trip")
            n = round_trip(tap, 100)
            check(n == 100, f"vhostuserclient {when}: 100 frames tap -> VMM -> tap ({n} came back)",
                  d.ctl("port-stats", "br0").stdout)

        connected_and_forwarding("before the crash")
        d.kill9()
        check(vmm.proc.poll() is None, "vhostuserclient: the VMM outlives the switch's kill -9")
        if not check(d.start(), "vhostuserclient: stratad restarts from the db"):
            return
        connected_and_forwarding("after kill -9 and restart")
        check(d.stop() == 0, "vhostuserclient: clean stop")
    finally:
        if vmm.proc.poll() is None:
            vmm.proc.kill()
        vmm.proc.wait(timeout=20)


def main():
    with Work("crash") as work:
        part_one(work)
        part_two(work)
        part_three(work)
    return finish("mgmt_crash")


if __name__ == "__main__":
    sys.exit(main())
