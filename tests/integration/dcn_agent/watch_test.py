"""strata-dcn-agent end to end: stratad's container DCNs (stratactl
dcn-add / container-add) made real by agents in `watch` mode, in two
namespace DCNs whose NICs are afxdp VNIC ports, with a trunk to a third
namespace for the tenant stacks.

DCN 1: a1 (tag 10, tenant A 88a8:100, 10.1.0.1), b1 (tag 11, tenant B
88a8:200, 10.1.0.1: the same IP), a2 (tag 12, tenant A, 10.1.0.2).
DCN 2: a3 (tag 10, tenant A, 10.1.0.3), b2 (tag 11, tenant B, 10.1.0.3),
c1 (tag 12, tenant C 88a8:300, 10.1.0.2).

- containers of one tenant ping within a DCN (through the switch) and
  across DCNs; other tenants' containers, with the same IPs, do not answer;
- tshark on DCN 1's NIC sees the container tags, on the trunk the tenant
  stacks;
- an agent killed while stratad's containers change converges when it is
  back (container-del removes the namespace; a new container appears);
- dcn-del removes all of a DCN's namespaces; SIGTERM stops the agent.
usage: watch_test.py BUILD_DIR"""
import os
import re
import signal
import subprocess
import sys
import time

from harness import Capture, NamespaceDcn, Stratad, Work, check, finish, netns_names, run


def pings_soon(dcn, container, ip):
    """A ping that may first have to wait for the agent to finish: the
    namespaces appear before the eBPF maps are reloaded with them."""
    return wait_for(lambda: dcn.ping(container, ip), timeout=10)


def wait_for(cond, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.2)
    return cond()


class WatchingAgent:
    def __init__(self, work, dcn, stratad):
        self.work, self.dcn, self.stratad = work, dcn, stratad
        self.log = work.path(f"agent-{dcn.name}.log")
        self.proc = None

    def start(self):
        self.proc = self.work.spawn(self.dcn.agent_argv("watch", "--mgmt", self.stratad.mgmt, "--dcn", self.dcn.name,
                                                        "--nic", "eth0", "--resync", "2"),
                                    os.path.basename(self.log))

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def text(self):
        with open(self.log) as f:
            return f.read()


def main():
    work = Work("dcn-agent-watch")
    d1 = NamespaceDcn(work, "d1")
    d2 = NamespaceDcn(work, "d2")
    trk_ns, trk_if = f"{work.tag}-trk", f"{work.tag}trk"
    work.netns.append(trk_ns)
    work.links.append(trk_if)
    subprocess.run(["ip", "netns", "add", trk_ns], check=True)
    subprocess.run(["ip", "link", "add", trk_if, "type", "veth", "peer", "name", "eth0", "netns", trk_ns], check=True)
    subprocess.run(["ip", "link", "set", trk_if, "up"], check=True)
    subprocess.run(["ip", "-n", trk_ns, "link", "set", "eth0", "up"], check=True)

    s = Stratad(work)
    conf = f'''bridges {{ name: "br0"
  ports {{ name: "vnic1" type: "afxdp" options {{ key: "iface" value: "{d1.host_if}" }} }}
  ports {{ name: "vnic2" type: "afxdp" options {{ key: "iface" value: "{d2.host_if}" }} }}
  ports {{ name: "trunk" type: "afxdp" options {{ key: "iface" value: "{trk_if}" }} }}
}}'''
    if not check(s.start(conf), "stratad runs with two VNICs and a trunk"):
        return finish("dcn_agent_watch")
    for dcn, vnic in ((d1, "vnic1"), (d2, "vnic2")):
        r = s.ctl("dcn-add", "br0", dcn.name, "--vnic", vnic)
        check(r.returncode == 0, f"stratactl dcn-add {dcn.name} --vnic {vnic}", r.stderr)
    A, B, C = "88a8:100", "88a8:200", "88a8:300"
    containers = [(d1, "a1", 10, A, "10.1.0.1/24"), (d1, "b1", 11, B, "10.1.0.1/24"), (d1, "a2", 12, A, "10.1.0.2/24"),
                  (d2, "a3", 10, A, "10.1.0.3/24"), (d2, "b2", 11, B, "10.1.0.3/24"), (d2, "c1", 12, C, "10.1.0.2/24")]
    # Container names are port names: unique in the switch, so prefixed.
    cname = lambda n: f"{work.tag}{n}"
    for dcn, name, vid, stack, addr in containers:
        r = s.ctl("container-add", dcn.name, cname(name), "--tag", vid, "--access", stack, "--address", addr)
        check(r.returncode == 0, f"stratactl container-add {dcn.name} {name} --tag {vid} --access {stack}", r.stderr)

    print("sync --mgmt: once, from stratad")
    r = d2.agent("sync", "--mgmt", s.mgmt, "--dcn", d2.name, "--nic", "eth0")
    check(r.returncode == 0 and r.stdout.count("created ") == 3, "sync --mgmt makes DCN 2's three containers",
          r.stdout + r.stderr)
    r = d2.agent("sync", "--mgmt", s.mgmt, "--dcn", f"{work.tag}nodcn", "--nic", "eth0")
    check(r.returncode == 1 and "nodcn" in r.stderr, "sync --mgmt of a DCN stratad does not have: exit 1", r.stderr)
    r = d2.agent("sync", "--mgmt", "unix:" + work.path("nothing.sock"), "--dcn", d2.name, "--nic", "eth0")
    check(r.returncode == 1 and "cannot reach stratad" in r.stderr, "sync --mgmt to no stratad: exit 1", r.stderr)
    check(len(d2.containers()) == 3, "and neither changed anything")

    print("agents watch their DCNs")
    agents = {d1.name: WatchingAgent(work, d1, s), d2.name: WatchingAgent(work, d2, s)}
    for a in agents.values():
        a.start()
    want1 = sorted(cname(n) for n in ("a1", "b1", "a2"))
    want2 = sorted(cname(n) for n in ("a3", "b2", "c1"))
    check(wait_for(lambda: sorted(d1.containers()) == want1 and sorted(d2.containers()) == want2),
          "each agent made its DCN's three containers", f"{d1.containers()} {d2.containers()}\n" +
          agents[d1.name].text())

    print("traffic")
    nic = Capture(work, d1.ns, "eth0", "d1nic")
    trunk = Capture(work, trk_ns, "eth0", "trunk")
    ns = lambda dcn, n: (dcn, cname(n))
    check(pings_soon(d1, cname("a1"), "10.1.0.2"), "a1 pings a2 in the same DCN (tenant A)")
    check(d1.ping(cname("a1"), "10.1.0.3"), "a1 pings a3 in the other DCN (tenant A)")
    check(d1.ping(cname("b1"), "10.1.0.3"), "b1 pings b2 in the other DCN (tenant B, same IPs as A)")
    check(not d1.ping(cname("b1"), "10.1.0.2", count=1), "b1 cannot reach 10.1.0.2 (a2 and c1 are other tenants)")
    check(not d2.ping(cname("c1"), "10.1.0.1", count=1), "c1 (tenant C) cannot reach a1 or b1")
    check(not d2.ping(cname("c1"), "10.1.0.3", count=1), "c1 cannot reach a3 or b2 in its own DCN")
    nic.stop()
    trunk.stop()
    tags = set(nic.lines("icmp", ["vlan.id"]))
    check(tags == {"10", "11", "12"}, "tshark on DCN 1's NIC: ICMP inside container tags 10, 11, 12", tags)
    check(nic.lines("(icmp || arp) && !vlan") == [], "no untagged ICMP or ARP on DCN 1's NIC")
    stacks = set(trunk.lines("arp", ["ieee8021ad.id"]))
    check({"100", "200"} <= stacks and stacks <= {"100", "200", "300"},
          "tshark on the trunk: ARP floods inside the tenant stacks 88a8:100 and 88a8:200", stacks)

    print("an agent killed while stratad changes")
    agents[d1.name].kill9()
    r = s.ctl("container-del", d1.name, cname("a2"))
    check(r.returncode == 0, "container-del a2 while DCN 1's agent is down", r.stderr)
    r = s.ctl("container-add", d1.name, cname("a4"), "--tag", 13, "--access", A, "--address", "10.1.0.4/24")
    check(r.returncode == 0, "container-add a4 while it is down", r.stderr)
    check(sorted(d1.containers()) == want1, "nothing changes in DCN 1 without its agent")
    agents[d1.name].start()
    want1b = sorted(cname(n) for n in ("a1", "b1", "a4"))
    check(wait_for(lambda: sorted(d1.containers()) == want1b), "restarted, it removes a2 and makes a4",
          f"{d1.containers()}\n" + agents[d1.name].text())
    check(pings_soon(d1, cname("a4"), "10.1.0.3"), "a4 pings a3 across DCNs")
    check(d1.ping(cname("a1"), "10.1.0.4"), "a1 pings a4 in its DCN")

    print("an agent killed in the middle of converging")
    agents[d1.name].kill9()
    extra = [cname(f"k{i}") for i in range(4)]
    for i, name in enumerate(extra):
        r = s.ctl("container-add", d1.name, name, "--tag", 20 + i, "--access", A, "--address", f"10.1.0.{20 + i}/24")
        check(r.returncode == 0, f"container-add {name}", r.stderr)
    agents[d1.name].start()
    time.sleep(0.4)  # partway through making four containers
    agents[d1.name].kill9()
    agents[d1.name].start()
    want1c = sorted(want1b + extra)
    check(wait_for(lambda: sorted(d1.containers()) == want1c and
                   len(re.findall(r"^\d+: sd[0-9a-f]{12}@", d1.links_here(), re.M)) == len(want1c)),
          "restarted, it converges: seven containers, one veth each, nothing else",
          f"{d1.containers()}\n{d1.links_here()}\n" + agents[d1.name].text())
    check(pings_soon(d1, extra[3], "10.1.0.3"), "the last of them pings a3")

    print("dcn-del and stopping")
    r = s.ctl("dcn-del", d2.name)
    check(r.returncode == 0, "stratactl dcn-del DCN 2", r.stderr)
    check(wait_for(lambda: d2.containers() == []), "DCN 2's agent removes all its namespaces",
          agents[d2.name].text())
    check(wait_for(lambda: "from_nic" not in d2.tc_filters()), "and its NIC filter")
    for a in agents.values():
        a.proc.send_signal(signal.SIGTERM)
    check(all(a.proc.wait(timeout=15) == 0 for a in agents.values()), "SIGTERM: the agents exit 0")
    check("stopped" in agents[d1.name].text(), "and say so")
    check(sorted(d1.containers()) == want1c, "DCN 1's containers outlive its agent")
    check(d1.ping(cname("a1"), "10.1.0.4"), "and still forward (the TC filters stay)")
    check(s.proc.poll() is None, "stratad still runs")
    work.close()
    check(not any(ns.startswith(f"sdcn-{work.tag}") for ns in netns_names()), "cleanup leaves no namespace")
    return finish("dcn_agent_watch")


if __name__ == "__main__":
    sys.exit(main())
