#!/usr/bin/python3
"""Tag modes through real namespaces: access stacks of any depth and TPID,
trunks with allowed (wildcard) stacks, customer tags tunnelled through an
access port, inadmissible stacks dropped. Frames are sent with scapy and
captured inside each namespace; the test checks the raw tag bytes and
tshark confirms the stacks.

Run as root: tag_modes_test.py BUILD_DIR
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

from scapy.all import Ether, Raw, rdpcap, sendp, conf  # noqa: E402

conf.verb = 0
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("STRATA_BUILD_DIR", "build")
TAG = f"tm{os.getpid()}"
PORTS = {
    # name: config of the port's tag mode (text format)
    "acc3": "access { stack { tags { tpid: 0x9100 vid: 5 } tags { tpid: 0x8100 vid: 7 } tags { tpid: 0x8100 vid: 9 } } }",
    "trk": "trunk { allowed { tags { tpid: 0x88a8 vid: 100 } tags { tpid: 0x8100 any_vid: true } } "
           "allowed { tags { tpid: 0x9100 vid: 5 } } }",
    "trk300": "trunk { allowed { tags { tpid: 0x88a8 vid: 100 } tags { tpid: 0x8100 vid: 300 } } }",
    "acc300": "access { stack { tags { tpid: 0x88a8 vid: 100 } tags { tpid: 0x8100 vid: 300 } } }",
}
failures = []


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def ns(name):
    return f"{TAG}-{name}"


def check(cond, what):
    print(("  ok    " if cond else "  FAIL  ") + what, flush=True)
    if not cond:
        failures.append(what)


def frame(src, stack, payload=b"strata-tag-modes"):
    """Raw bytes: broadcast dst, src MAC, tags [(tpid, vid)], IPv4 type, payload."""
    b = bytes.fromhex("ffffffffffff") + bytes.fromhex(src.replace(":", ""))
    for tpid, vid in stack:
        b += tpid.to_bytes(2, "big") + vid.to_bytes(2, "big")
    return b + b"\x08\x00" + payload + bytes(46 - len(payload))


def stack_of(raw):
    """Tags of a captured frame, outermost first, parsed from the bytes."""
    tags, off = [], 12
    while int.from_bytes(raw[off:off + 2], "big") in (0x88A8, 0x8100, 0x9100, 0x9200, 0x9300):
        tags.append((int.from_bytes(raw[off:off + 2], "big"), int.from_bytes(raw[off + 2:off + 4], "big") & 0xFFF))
        off += 4
    return tags


def main():
    work = tempfile.mkdtemp(prefix="strata-tagmodes.")
    procs = []
    made = []
    try:
        for p in PORTS:
            run("ip", "netns", "add", ns(p))
            made.append(p)
            run("ip", "link", "add", f"{TAG}{p}"[:15], "type", "veth", "peer", "name", "eth0", "netns", ns(p))
            run("ip", "link", "set", f"{TAG}{p}"[:15], "up")
            run("ip", "-n", ns(p), "link", "set", "eth0", "up")
            run("ip", "netns", "exec", ns(p), "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        conf_path = os.path.join(work, "strata.conf")
        with open(conf_path, "w") as f:
            f.write('bridges { name: "br0"\n')
            for p, mode in PORTS.items():
                iface = f"{TAG}{p}"[:15]
                f.write(f'  ports {{ name: "{p}" type: "afpacket" options {{ key: "iface" value: "{iface}" }} {mode} }}\n')
            f.write("}\n")
        log = open(os.path.join(work, "stratad.log"), "w")
        help_text = subprocess.run([f"{BUILD}/bin/stratad", "--help"], capture_output=True, text=True).stdout
        private = []  # never the machine's default config db and socket
        if "--db" in help_text:
            private += ["--db", os.path.join(work, "conf.db")]
        if "--mgmt" in help_text:
            private += ["--mgmt", "unix:" + os.path.join(work, "mgmt.sock")]
        stratad = subprocess.Popen([f"{BUILD}/bin/stratad", *private, "--config", conf_path, "--file-prefix", TAG,
                                    "--memory", "256", "--mbufs", "8191"], stdout=log, stderr=subprocess.STDOUT)
        procs.append(stratad)
        for _ in range(100):
            if "running:" in open(log.name).read() or stratad.poll() is not None:
                break
            time.sleep(0.1)
        assert "running:" in open(log.name).read(), open(log.name).read()

        caps = {}
        for p in PORTS:
            caps[p] = os.path.join(work, f"{p}.pcap")
            procs.append(subprocess.Popen(["ip", "netns", "exec", ns(p), "tshark", "-q", "-i", "eth0", "-F", "pcap",
                                           "-w", caps[p]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(200):
            if all(os.path.exists(c) and os.path.getsize(c) > 0 for c in caps.values()):
                break
            time.sleep(0.1)

        def send(port, raw):
            subprocess.run(["ip", "netns", "exec", ns(port), "/usr/bin/python3", "-c",
                            "import sys; from scapy.all import sendp, conf; conf.verb=0; "
                            f"sendp(bytes.fromhex('{raw.hex()}'), iface='eth0')"], check=True)

        # 1. 3-tag access stack with a 0x9100 outer TPID reaches the trunk allowing 9100:5.
        send("acc3", frame("02:00:00:00:03:01", []))
        # 2. On the trunk, 88a8:100/8100:300 reaches acc300 (popped) and trk300 (kept).
        send("trk", frame("02:00:00:00:0f:02", [(0x88A8, 100), (0x8100, 300)]))
        # 3. Admitted by the wildcard (8100:*), but nobody else carries 8100:999: dropped.
        send("trk", frame("02:00:00:00:0f:03", [(0x88A8, 100), (0x8100, 999)]))
        # 4. Not admitted by the trunk at all.
        send("trk", frame("02:00:00:00:0f:04", [(0x88A8, 555)]))
        # 5. A customer tag inside the tenant's stack tunnels through acc300.
        send("trk300", frame("02:00:00:00:0e:05", [(0x88A8, 100), (0x8100, 300), (0x8100, 42)]))
        time.sleep(1.5)
        for p in procs[1:]:
            p.send_signal(signal.SIGINT)
        for p in procs[1:]:
            p.wait(timeout=10)

        seen = {p: [(pkt[Ether].src, stack_of(bytes(pkt))) for pkt in rdpcap(caps[p])] for p in PORTS}
        for p, frames in seen.items():
            print(f"  {p:7} saw {frames}")

        def got(port, src):
            return [s for m, s in seen[port] if m == src]

        print("checks:")
        check(got("trk", "02:00:00:00:03:01") == [[(0x9100, 5), (0x8100, 7), (0x8100, 9)]],
              "3-tag 9100:5/8100:7/8100:9 access stack appears whole on the trunk")
        check(not got("trk300", "02:00:00:00:03:01") and not got("acc300", "02:00:00:00:03:01"),
              "that tenant reaches no port outside its domain")
        check(got("acc300", "02:00:00:00:0f:02") == [[]], "88a8:100/8100:300 from the trunk leaves acc300 untagged")
        check(got("trk300", "02:00:00:00:0f:02") == [[(0x88A8, 100), (0x8100, 300)]],
              "... and trk300 with the stack kept")
        check(not got("acc3", "02:00:00:00:0f:02"), "... and never reaches the 9100 tenant")
        check(all(not got(p, "02:00:00:00:0f:03") for p in PORTS if p != "trk"),
              "8100:999 (admitted by the wildcard) reaches no port that does not carry it")
        check(all(not got(p, "02:00:00:00:0f:04") for p in PORTS if p != "trk"),
              "88a8:555 (not in the trunk's allowed stacks) is dropped")
        check(got("acc300", "02:00:00:00:0e:05") == [[(0x8100, 42)]],
              "a customer tag inside the tenant stack tunnels through the access port")
        check(got("trk", "02:00:00:00:0e:05") == [[(0x88A8, 100), (0x8100, 300), (0x8100, 42)]],
              "... and crosses the other trunk whole")

        # tshark's own dissector agrees on the stacks (0x9100 decoded as VLAN).
        out = subprocess.run(["tshark", "-r", caps["trk"], "-d", "ethertype==0x9100,vlan", "-T", "fields",
                              "-e", "eth.src", "-e", "vlan.id", "-e", "ieee8021ad.id"],
                             capture_output=True, text=True).stdout
        rows = {line.split("\t")[0]: line.split("\t")[1:] for line in out.splitlines() if line}
        check(rows.get("02:00:00:00:03:01", [""])[0] == "5,7,9", "tshark: 9100:5/8100:7/8100:9 on the trunk")
        check(rows.get("02:00:00:00:0e:05", ["", ""])[1] == "100" and
              rows.get("02:00:00:00:0e:05", [""])[0] == "300,42", "tshark: 88a8:100/8100:300/8100:42 on the trunk")

        stratad.send_signal(signal.SIGTERM)
        check(stratad.wait(timeout=20) == 0, "stratad exits 0 on SIGTERM")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for p in made:
            subprocess.run(["ip", "link", "del", f"{TAG}{p}"[:15]], stderr=subprocess.DEVNULL)
            subprocess.run(["ip", "netns", "del", ns(p)], stderr=subprocess.DEVNULL)
        subprocess.run(["rm", "-rf", work])
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
