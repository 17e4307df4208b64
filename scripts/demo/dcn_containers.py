"""make demo, part 2: a container DCN on a running stratad.

A network namespace stands in for a VM (the DCN); its one veth is an afxdp
port of the bridge (the VNIC). Three containers live in it, each its own
switch port multiplexed over the VNIC by a container tag:

    c1  tag 8100:10  tenant A (88a8:100/8100:200)  10.0.0.11
    c2  tag 8100:20  tenant A (88a8:100/8100:200)  10.0.0.12
    c3  tag 8100:30  tenant B (88a8:101/8100:200)  10.0.0.13

stratactl declares them (dcn-add, container-add with each tenant's access
stack); strata-dcn-agent, run inside the DCN, makes each container's
namespace and the eBPF tagging (a veth per container, TC programs pushing
and popping its tag). Then every container pings every other: within a
tenant the frames hairpin through the switch, across tenants nothing
answers. Prints the result as a table and exits 1 when an expectation
fails. Whatever happens (also SIGINT/SIGTERM) it removes what it made:
the DCN, its containers' namespaces, veths and the VNIC port.

usage: dcn_containers.py BUILD_DIR MGMT_ADDR BRIDGE   (as root, /usr/bin/python3)
"""
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from namespace_dcn import NamespaceDcn, Work, run  # noqa: E402

TENANTS = {"A": "88a8:100/8100:200", "B": "88a8:101/8100:200"}
# name: (container tag VID, tenant, address)
CONTAINERS = {"c1": (10, "A", "10.0.0.11"), "c2": (20, "A", "10.0.0.12"), "c3": (30, "B", "10.0.0.13")}


def say(text):
    print(f"\n\033[1m== {text}\033[0m", flush=True)


def indent(text):
    return "\n".join("  " + line for line in text.rstrip().splitlines())


class Demo:
    def __init__(self, build, mgmt, bridge):
        self.stratactl = os.path.join(build, "bin", "stratactl")
        self.agent = os.path.join(build, "bin", "strata-dcn-agent")
        self.mgmt, self.bridge = mgmt, bridge
        self.failures = 0
        self.dcn = None       # the NamespaceDcn, once made
        self.vnic = None      # the VNIC port, once asked for

    def ctl(self, *args, show=True):
        r = run([self.stratactl, "--mgmt", self.mgmt] + list(args))
        if r.returncode != 0:
            raise RuntimeError(f"stratactl {' '.join(map(str, args))}: {r.stderr.strip()}")
        if show and r.stdout.strip():
            print(indent(r.stdout))
        return r.stdout

    def expect(self, ok, what):
        print(f"  {'ok   ' if ok else 'WRONG'} {what}")
        if not ok:
            self.failures += 1

    def main(self, work):
        say("a container DCN: one namespace, one veth (an afxdp VNIC), three containers")
        dcn = self.dcn = NamespaceDcn(work, "dcn", self.agent)
        print(f"  DCN {dcn.name}: namespace {dcn.ns}, NIC eth0 <-> {dcn.host_if} on the switch")
        self.vnic = "vnic"
        self.ctl("add-port", self.bridge, self.vnic, "--type", "afxdp", "--opt", f"iface={dcn.host_if}")
        self.ctl("dcn-add", self.bridge, dcn.name, "--vnic", self.vnic)
        for name, (vid, tenant, addr) in CONTAINERS.items():
            self.ctl("container-add", dcn.name, name, "--tag", vid, "--access", TENANTS[tenant],
                     "--address", f"{addr}/24")
            print(f"  stratactl container-add {dcn.name} {name} --tag {vid} --access {TENANTS[tenant]}"
                  f"   (tenant {tenant}, {addr})")
        say("the switch: each container is a port of its own (stratactl list-ports)")
        self.ctl("list-ports", self.bridge)

        # --mechanism ebpf: what a DCN without 8021q uses (this host's kernel);
        # a kernel with it would pick VLAN subinterfaces by itself.
        say("strata-dcn-agent in the DCN makes the containers (eBPF: a veth each, TC programs push/pop the tag)")
        r = dcn.agent("sync", "--mgmt", self.mgmt, "--dcn", dcn.name, "--nic", "eth0", "--mechanism", "ebpf")
        print(indent(r.stdout + r.stderr))
        self.expect(r.returncode == 0 and sorted(dcn.containers()) == sorted(CONTAINERS),
                    "the agent made three namespaces: " + ", ".join(dcn.container_ns(c) for c in sorted(CONTAINERS)))
        if r.returncode != 0:
            return

        say("pings between the containers (through the switch: VNIC in, tag popped, tag pushed, VNIC out)")
        names = list(CONTAINERS)
        header = "  from \\ to      " + "".join(f"{f'{n} ({CONTAINERS[n][1]})':<12}" for n in names)
        rows = []
        for src in names:
            cells = []
            for dst in names:
                if src == dst:
                    cells.append("-")
                    continue
                want = CONTAINERS[src][1] == CONTAINERS[dst][1]
                # A passing ping may retry (count 3); a failing one waits 1 s.
                got = dcn.ping(src, CONTAINERS[dst][2], count=3 if want else 1)
                cells.append(("pass" if got else "fail") + ("" if got == want else " (WRONG)"))
                if got != want:
                    self.failures += 1
            rows.append(f"  {f'{src} ({CONTAINERS[src][1]})':<16}" + "".join(f"{c:<12}" for c in cells))
        print(header)
        print("\n".join(rows))
        print("  (same tenant: pass; tenant A and B: fail, their frames never meet)")

        say("per-container counters on the switch (stratactl port-stats)")
        stats = self.ctl("port-stats", self.bridge, show=False).splitlines()
        keep = stats[:1] + [l for l in stats[1:] if l.split()[:1] and l.split()[0] in
                                         (*CONTAINERS, self.vnic)]
        print(indent("\n".join(keep)))
        r = dcn.agent("list", "--dcn", dcn.name, "--nic", "eth0")
        print(indent(r.stdout))


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    build, mgmt, bridge = sys.argv[1:]
    work = Work("demo-dcn")
    demo = Demo(build, mgmt, bridge)
    caught = []

    def on_signal(sig, _frame):
        caught.append(sig)
        raise SystemExit(128 + sig)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    try:
        demo.main(work)
    except SystemExit:
        pass  # a signal: clean up below, then die of it
    except Exception as e:  # reported as a failed expectation, then cleaned up
        print(f"  WRONG {type(e).__name__}: {e}")
        demo.failures += 1
    finally:
        # The switch forgets the DCN before its veth goes (Work.close);
        # a signal now waits for that (stratactl gives up after 5 s).
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        if demo.dcn:
            run([demo.stratactl, "--mgmt", mgmt, "--timeout", 5, "dcn-del", demo.dcn.name], timeout=10)
        if demo.vnic:
            run([demo.stratactl, "--mgmt", mgmt, "--timeout", 5, "del-port", bridge, demo.vnic], timeout=10)
        work.close()
    if caught:
        # Die of the signal, so that the shell running the demo sees Ctrl-C
        # and stops too (an exit status would read as "handled").
        signal.signal(caught[0], signal.SIG_DFL)
        os.kill(os.getpid(), caught[0])
    left = [ns for ns in os.listdir("/run/netns") if ns.startswith(f"sdcn-{work.tag}")] \
        if os.path.isdir("/run/netns") else []
    demo.expect(not left, "cleanup: no container namespace left")
    return 1 if demo.failures else 0


if __name__ == "__main__":
    sys.exit(main())
