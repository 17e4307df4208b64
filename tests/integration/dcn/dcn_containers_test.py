#!/usr/bin/python3
"""Container DCNs end to end: two namespace DCNs, each reached through one
veth (an afpacket VNIC), with containers multiplexed over it by their
container tags. The host kernel has no 8021q, so the containers' frames are
made with scapy inside the DCN namespace (the tag is what the in-DCN agent
would add) and captured there with tshark.

Checks, on a real stratad:
  - tenancy: a container's broadcast reaches the containers of its tenant in
    the other DCN and in its own (hairpin through the switch, with the
    receiver's tag), never another tenant's, never its sender;
  - unicast after learning goes to one container only;
  - an unknown container tag and an untagged frame are counted on the VNIC
    (unknown_container_tag) and dropped;
  - per-container counters through OpenFlow (ovs-ofctl dump-ports counts one
    container's frames only), an OpenFlow flow on a container's in_port,
    PORT_STATUS add/delete to a connected controller;
  - containers added and removed while others exchange traffic: no loss;
  - bad input through stratactl (duplicate tag, unknown DCN, VID out of
    range, VNIC removal) is refused with the field named, state unchanged;
  - everything survives a stratad restart (the db).

Run as root: dcn_containers_test.py BUILD_DIR
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mgmt"))
import harness  # noqa: E402
from harness import check, finish  # noqa: E402

from scapy.all import rdpcap  # noqa: E402

TAG = f"dc{os.getpid() % 100000}"
DCNS = ("A", "B")
OFCTL = ["ovs-ofctl", "-O", "OpenFlow13"]

# name: (dcn, vid, tpid, tenant stack, MAC)
CONTAINERS = {
    "c1": ("A", 10, 0x8100, "88a8:100", "02:00:00:00:0a:01"),
    "c2": ("A", 20, 0x8100, "88a8:100", "02:00:00:00:0a:02"),
    "c3": ("A", 30, 0x8100, "88a8:200", "02:00:00:00:0a:03"),
    "c4": ("B", 10, 0x8100, "88a8:100", "02:00:00:00:0b:04"),   # same VID as c1: another DCN
    "c5": ("B", 40, 0x88a8, "88a8:200", "02:00:00:00:0b:05"),   # an S-tag as container tag
}

SENDER = r'''
import sys, time
from scapy.all import conf
conf.verb = 0
iface, frames_hex, count, gap = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), float(sys.argv[4])
s = conf.L2socket(iface=iface)
for i in range(count):
    for f in frames_hex:
        s.send(bytes.fromhex(f))
    if gap:
        time.sleep(gap)
s.close()
'''


def sh(*cmd, check_rc=True):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=check_rc)


def ns(d):
    return f"{TAG}-{d}"


def host_if(d):
    return f"{TAG}v{d}"


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


def frame(dst, src, tags, marker):
    """Raw bytes: dst, src, [(tpid, vid)] outermost first, IPv4 type, payload with marker."""
    b = mac_bytes(dst) + mac_bytes(src)
    for tpid, vid in tags:
        b += tpid.to_bytes(2, "big") + vid.to_bytes(2, "big")
    payload = marker.encode()
    return b + b"\x08\x00" + payload + bytes(max(0, 46 - len(payload)))


def from_container(name, dst, marker):
    d, vid, tpid, _, mac = CONTAINERS[name]
    return frame(dst, mac, [(tpid, vid)], marker)


def stack_of(raw):
    tags, off = [], 12
    while int.from_bytes(raw[off:off + 2], "big") in (0x88A8, 0x8100, 0x9100, 0x9200, 0x9300):
        tags.append((int.from_bytes(raw[off:off + 2], "big"), int.from_bytes(raw[off + 2:off + 4], "big") & 0xFFF))
        off += 4
    return tags


class Dcns:
    """The namespaces, veths, captures and the stratad of the test; close() undoes all."""

    def __init__(self, work):
        self.work = work
        self.made = []
        self.caps = {}
        self.tsharks = []
        self.sender = work.path("sender.py")
        with open(self.sender, "w") as f:
            f.write(SENDER)

    def setup(self):
        for d in DCNS:
            sh("ip", "netns", "add", ns(d))
            self.made.append(d)
            sh("ip", "link", "add", host_if(d), "type", "veth", "peer", "name", "eth0", "netns", ns(d))
            sh("sysctl", "-qw", f"net.ipv6.conf.{host_if(d)}.disable_ipv6=1")
            sh("ip", "link", "set", host_if(d), "up")
            sh("ip", "netns", "exec", ns(d), "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
            sh("ip", "-n", ns(d), "link", "set", "eth0", "up")

    def start_captures(self, phase):
        self.caps[phase] = {}
        procs = []
        for d in DCNS:
            path = self.work.path(f"{phase}-{d}.pcap")
            self.caps[phase][d] = path
            p = subprocess.Popen(["ip", "netns", "exec", ns(d), "tshark", "-q", "-i", "eth0", "-F", "pcap", "-w", path],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.work.procs.append(p)
            procs.append(p)
        deadline = time.time() + 20
        while time.time() < deadline and not all(os.path.exists(c) and os.path.getsize(c) > 0
                                                 for c in self.caps[phase].values()):
            time.sleep(0.1)
        time.sleep(0.3)
        self.tsharks = procs

    def stop_captures(self, phase):
        time.sleep(0.8)
        for p in self.tsharks:
            p.send_signal(signal.SIGINT)
        for p in self.tsharks:
            p.wait(timeout=20)
        self.tsharks = []
        return {d: [bytes(pkt) for pkt in rdpcap(path)] for d, path in self.caps[phase].items()}

    def send(self, d, frames, count=1, gap=0.0, wait=True):
        argv = ["ip", "netns", "exec", ns(d), "/usr/bin/python3", self.sender, "eth0",
                ",".join(f.hex() for f in frames), str(count), str(gap)]
        if wait:
            subprocess.run(argv, check=True)
            return None
        p = subprocess.Popen(argv)
        self.work.procs.append(p)
        return p

    def close(self):
        for p in self.tsharks:
            if p.poll() is None:
                p.kill()
        for d in self.made:
            subprocess.run(["ip", "link", "del", host_if(d)], capture_output=True)
            subprocess.run(["ip", "netns", "del", ns(d)], capture_output=True)


def seen(captured, d, marker):
    """Stacks of the frames in DCN d's capture that carry `marker`."""
    return sorted(stack_of(f) for f in captured[d] if marker.encode() in f)


def port_stats(sd, port):
    for p in sd.ctl_json("port-stats", "br0")["ports"]:
        if p["port"] == port:
            return p
    return None


def ofctl(of_port, *args):
    return subprocess.run(OFCTL + [args[0], f"tcp:127.0.0.1:{of_port}"] + [str(a) for a in args[1:]],
                          capture_output=True, text=True, timeout=30)


def dump_port(of_port, ofport):
    """(rx_packets, tx_packets) of one port via OpenFlow."""
    out = ofctl(of_port, "dump-ports", ofport).stdout
    rx = re.search(r"rx pkts=(\d+)", out)
    tx = re.search(r"tx pkts=(\d+)", out)
    return (int(rx.group(1)) if rx else -1, int(tx.group(1)) if tx else -1, out)


def main():
    work = harness.Work("dcn")
    env = Dcns(work)
    try:
        return run(work, env)
    finally:
        env.close()
        work.close()


def run(work, env):
    env.setup()
    of_port = harness.free_tcp_port()
    sd = harness.Stratad(work, "sd")
    if not check(sd.start(), "stratad starts"):
        return finish("dcn_containers")

    def ctl_ok(*args):
        r = sd.ctl(*args)
        if r.returncode != 0:
            raise RuntimeError(f"stratactl {' '.join(map(str, args))}: {r.stderr.strip()}")
        return r

    # br0 is secure with one NORMAL entry: OpenFlow decides always, so a
    # connected ovs-ofctl changes nothing.
    ctl_ok("add-br", "br0", "--fail-mode", "secure")
    ctl_ok("set-controller", "br0", f"ptcp:{of_port}:127.0.0.1")
    for d in DCNS:
        ctl_ok("add-port", "br0", f"vnic{d}", "--type", "afpacket", "--opt", f"iface={host_if(d)}")
        ctl_ok("dcn-add", "br0", f"dcn{d}", "--vnic", f"vnic{d}")
    for name, (d, vid, tpid, stack, mac) in CONTAINERS.items():
        ctl_ok("container-add", f"dcn{d}", name, "--tag", vid, "--tpid", f"{tpid:04x}", "--access", stack,
               "--mac", mac)
    r = ofctl(of_port, "add-flow", "priority=0,actions=NORMAL")
    check(r.returncode == 0, "ovs-ofctl add-flow priority=0,actions=NORMAL", r.stderr)

    ports = {p["port"]["name"]: p for p in sd.ctl_json("list-ports", "br0")["ports"]}
    ofport = {n: p["port"]["ofport"] for n, p in ports.items()}
    check(all(ports[n]["port"]["type"] == "container" and ports[n]["dcn"] == f"dcn{CONTAINERS[n][0]}"
              for n in CONTAINERS), "list-ports shows every container as a port of type container with its DCN")
    check(ports["vnicA"]["dcn"] == "dcnA" and not ports["vnicA"].get("container_tag"),
          "list-ports marks vnicA as the VNIC of dcnA")
    check(len(set(ofport.values())) == len(ofport), f"every port has its own OpenFlow number: {ofport}")
    show = sd.ctl("show").stdout
    check("dcn dcnA" in show and "container c5" in show and "tag: 88a8:40" in show,
          "show lists the DCNs with their containers", show)
    desc = ofctl(of_port, "dump-ports-desc").stdout
    check(all(f"{ofport[n]}({n})" in desc for n in CONTAINERS), "OpenFlow dump-ports-desc lists the container ports",
          desc)

    # --- tenancy: broadcasts, hairpin, unicast --------------------------------------------------
    env.start_captures("tenancy")
    env.send("A", [from_container("c1", "ff:ff:ff:ff:ff:ff", "bcast-c1")])
    env.send("B", [from_container("c5", "ff:ff:ff:ff:ff:ff", "bcast-c5")])
    time.sleep(0.3)
    # c4 answers c1 by unicast (c1 was learned from its broadcast); c2 likewise, inside dcnA.
    env.send("B", [from_container("c4", CONTAINERS["c1"][4], "ucast-c4")])
    env.send("A", [from_container("c2", CONTAINERS["c1"][4], "ucast-c2")])
    cap = env.stop_captures("tenancy")
    print("  dcnA saw", {m: seen(cap, "A", m) for m in ("bcast-c1", "bcast-c5", "ucast-c4", "ucast-c2")})
    print("  dcnB saw", {m: seen(cap, "B", m) for m in ("bcast-c1", "bcast-c5", "ucast-c4", "ucast-c2")})
    # In dcnA's capture the sender's own frame shows too (outgoing), with its own tag.
    check(seen(cap, "A", "bcast-c1") == [[(0x8100, 10)], [(0x8100, 20)]],
          "c1's broadcast reaches c2 in its own DCN (hairpin, tag 20), not c3 (other tenant), not back to c1")
    check(seen(cap, "B", "bcast-c1") == [[(0x8100, 10)]],
          "c1's broadcast reaches c4 in dcnB (its tag 10 there), not c5 (other tenant)")
    check(seen(cap, "A", "bcast-c5") == [[(0x8100, 30)]], "c5's broadcast (tenant 2) reaches c3 only in dcnA")
    check(seen(cap, "B", "bcast-c5") == [[(0x88A8, 40)]], "... and nothing in dcnB but its own frame")
    check(seen(cap, "A", "ucast-c4") == [[(0x8100, 10)]], "c4's unicast to c1 reaches c1 only")
    check(seen(cap, "A", "ucast-c2") == [[(0x8100, 10)], [(0x8100, 20)]],
          "c2's unicast to c1 hairpins to c1 only (c2's own frame plus one copy tagged 10)")

    # --- unknown tags -----------------------------------------------------------------------------
    before = port_stats(sd, "vnicA")
    env.start_captures("unknown")
    env.send("A", [frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:0a:99", [(0x8100, 99)], "unknown-99"),
                   frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:0a:99", [], "unknown-none"),
                   frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:0a:99", [(0x88a8, 10)], "unknown-tpid")])
    cap = env.stop_captures("unknown")
    after = port_stats(sd, "vnicA")
    check(int(after.get("unknown_container_tag", 0)) - int(before.get("unknown_container_tag", 0)) == 3,
          f"3 frames with no container's tag counted on vnicA: {before.get('unknown_container_tag')} -> "
          f"{after.get('unknown_container_tag')}")
    check(not seen(cap, "B", "unknown") and len([f for f in cap["A"] if b"unknown" in f]) == 3,
          "... and delivered nowhere")

    # --- per-container counters, an OpenFlow flow on a container's port, PORT_STATUS ---------------
    c1_before = dump_port(of_port, ofport["c1"])
    c2_before = dump_port(of_port, ofport["c2"])
    env.send("A", [from_container("c1", CONTAINERS["c4"][4], "count-c1")], count=7)
    time.sleep(0.5)
    c1_after = dump_port(of_port, ofport["c1"])
    c2_after = dump_port(of_port, ofport["c2"])
    check(c1_after[0] - c1_before[0] == 7, f"dump-ports of c1 counts its 7 frames: rx {c1_before[0]} -> {c1_after[0]}",
          c1_after[2])
    check(c2_after[0] == c2_before[0], "dump-ports of c2 counts none of c1's frames", c2_after[2])
    c4_tx = dump_port(of_port, ofport["c4"])
    check(c4_tx[1] >= 7, f"dump-ports of c4 counts the frames sent to it (tx {c4_tx[1]})", c4_tx[2])

    r = ofctl(of_port, "add-flow", f"priority=100,in_port={ofport['c2']},actions=drop")
    check(r.returncode == 0, "OpenFlow flow on c2's in_port added", r.stderr)
    env.start_captures("flow")
    env.send("A", [from_container("c2", "ff:ff:ff:ff:ff:ff", "flow-c2"),
                   from_container("c1", "ff:ff:ff:ff:ff:ff", "flow-c1")])
    cap = env.stop_captures("flow")
    check(not seen(cap, "B", "flow-c2") and seen(cap, "A", "flow-c2") == [[(0x8100, 20)]],
          "the flow in_port=c2 drops c2's frames (only c2's own frame is seen)")
    check(seen(cap, "B", "flow-c1") == [[(0x8100, 10)]], "... while c1's still reach c4")
    flows = ofctl(of_port, "dump-flows").stdout
    m = re.search(rf"n_packets=(\d+).*in_port={ofport['c2']}|in_port={ofport['c2']}.*n_packets=(\d+)", flows)
    check(m is not None and int(m.group(1) or m.group(2)) >= 1, "the flow counted c2's frame", flows)
    ofctl(of_port, "del-flows", f"in_port={ofport['c2']}")

    monitor_out = work.path("monitor.txt")
    with open(monitor_out, "w") as mo:
        monitor = subprocess.Popen(OFCTL + [f"--unixctl={work.path('ofctl.ctl')}", "monitor",
                                            f"tcp:127.0.0.1:{of_port}"], stdout=mo,
                                   stderr=subprocess.STDOUT)
    work.procs.append(monitor)
    time.sleep(1.0)

    # --- containers come and go while others talk -----------------------------------------------
    env.start_captures("churn")
    stream = env.send("A", [from_container("c1", CONTAINERS["c4"][4], "stream-c1")], count=150, gap=0.01, wait=False)
    for i in range(3):
        ctl_ok("container-add", "dcnA", f"x{i}", "--tag", 100 + i, "--access", "88a8:100")
        ctl_ok("container-add", "dcnB", f"y{i}", "--tag", 100 + i, "--access", "88a8:100")
    for i in range(3):
        ctl_ok("container-del", "dcnA", f"x{i}")
        ctl_ok("container-del", "dcnB", f"y{i}")
    stream.wait(timeout=60)
    cap = env.stop_captures("churn")
    got = seen(cap, "B", "stream-c1")
    check(len(got) == 150 and all(s == [(0x8100, 10)] for s in got),
          f"c1 -> c4: {len(got)} of 150 frames arrived while 6 containers came and went")
    monitor.send_signal(signal.SIGTERM)
    monitor.wait(timeout=10)
    mon = open(monitor_out).read()
    # ovs-ofctl 3.1 prints the reasons as "ADD:" and "DEL:".
    check("PORT_STATUS" in mon and "ADD:" in mon and "DEL:" in mon and "(x0)" in mon,
          "a connected controller got PORT_STATUS ADD and DELETE for the containers' ports", mon[-2000:])

    # --- bad input ----------------------------------------------------------------------------
    config_before = sd.config_now()

    def refused(args, code_text, field_text, what):
        r = sd.ctl(*args)
        ok = r.returncode != 0 and field_text in r.stderr
        check(ok, f"{what}: refused ({r.stderr.strip()})")

    refused(("container-add", "dcnA", "dup", "--tag", 10), "ALREADY_EXISTS",
            "container.tag.vid: DCN 'dcnA' already uses tag 10", "duplicate tag in a DCN")
    refused(("container-add", "dcnZ", "z1", "--tag", 11), "NOT_FOUND", "dcn: no DCN 'dcnZ'", "unknown DCN")
    refused(("container-add", "dcnA", "z1", "--tag", 4095), "INVALID_ARGUMENT",
            "container.tag.vid: 4095 is out of range 1..4094", "VID out of range")
    refused(("container-add", "dcnA", "c4", "--tag", 11), "ALREADY_EXISTS", "container.name: port 'c4'",
            "a container name taken in another DCN")
    refused(("del-port", "br0", "vnicA"), "FAILED_PRECONDITION", "port: port 'vnicA' is the VNIC of DCN 'dcnA'",
            "removing a VNIC that has containers")
    refused(("dcn-add", "br0", "dcnC", "--vnic", "vnicA"), "ALREADY_EXISTS", "dcn.vnic: port 'vnicA' is already",
            "a second DCN on a VNIC")
    refused(("container-del", "dcnB", "c1"), "NOT_FOUND", "container: container 'c1' is in DCN 'dcnA'",
            "removing a container from the wrong DCN")
    check(harness.canonical_json(sd.config_now()) == harness.canonical_json(config_before),
          "after the refusals the configuration is unchanged")

    # --- persistence ----------------------------------------------------------------------------
    dcns_before = sd.ctl_json("dcn-list")
    check(sd.stop() == 0, "stratad stops on SIGTERM")
    check(sd.start(), "stratad restarts from its db")
    dcns_after = sd.ctl_json("dcn-list")
    strip = lambda r: [{k: v for k, v in d.items() if k != "vnic_link_up"} for d in r.get("dcns", [])]  # noqa: E731
    check(harness.canonical_json(strip(dcns_after)) == harness.canonical_json(strip(dcns_before)),
          "after the restart dcn-list is the same (containers, tags, OpenFlow numbers)")
    ofctl(of_port, "add-flow", "priority=0,actions=NORMAL")  # flows are not persisted (like OpenFlow's)
    env.start_captures("restart")
    env.send("A", [from_container("c1", "ff:ff:ff:ff:ff:ff", "again-c1")])
    cap = env.stop_captures("restart")
    check(seen(cap, "A", "again-c1") == [[(0x8100, 10)], [(0x8100, 20)]] and
          seen(cap, "B", "again-c1") == [[(0x8100, 10)]],
          "after the restart c1's broadcast again reaches c2 and c4 only")

    # --- removal --------------------------------------------------------------------------------
    ctl_ok("dcn-del", "dcnB")
    names = [p["port"]["name"] for p in sd.ctl_json("list-ports", "br0")["ports"]]
    check("c4" not in names and "c5" not in names and "vnicB" in names,
          f"dcn-del removes the DCN's containers and leaves its VNIC: {names}")
    ctl_ok("del-port", "br0", "vnicB")  # a plain port again
    check(sd.stop() == 0, "stratad stops cleanly")
    return finish("dcn_containers")


if __name__ == "__main__":
    sys.exit(main())
