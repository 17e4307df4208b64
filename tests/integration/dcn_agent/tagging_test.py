"""strata-dcn-agent's eBPF tagging through a real stratad, from the command
line: two namespace DCNs whose NICs are afxdp trunk ports of one bridge
(carrying every stack: the container tag is the tenant here), three
containers each.

- containers with the same tag ping across DCNs, with the same IPs reused
  under another tag; different tags do not reach each other;
- tshark on a DCN's NIC sees ICMP only inside the container tags;
- the agent killed at any point of a creation leaves nothing a `sync`
  does not clean up, and a repeated add converges without duplicates;
- del-container removes the namespace, the veth and (last) the NIC filter;
- bad input: one line naming the option, exit 2 (usage) or 1.
usage: tagging_test.py BUILD_DIR"""
import os
import re
import signal
import subprocess
import sys
import time

from harness import Capture, NamespaceDcn, Stratad, Work, check, finish, netns_names, run


def sd_links(dcn):
    return len(re.findall(r"^\d+: sd[0-9a-f]{12}@", dcn.links_here(), re.M))


def sv_links(dcn):
    return len(re.findall(r"^\d+: sv[0-9a-f]{12}", dcn.links_here(), re.M))


def listed(dcn):
    r = dcn.agent("list", "--dcn", dcn.name)
    return [l.split()[0] for l in r.stdout.splitlines()[1:] if l.strip()]


def main():
    work = Work("dcn-agent-tagging")
    d1 = NamespaceDcn(work, "d1")
    d2 = NamespaceDcn(work, "d2")

    print("bad input")
    r = d1.agent("add-container", "c1", "--tag", "5000", "--nic", "eth0", "--dcn", d1.name)
    check(r.returncode == 2 and "--tag: 5000 is out of range 1..4094" in r.stderr, "VID out of range: exit 2", r.stderr)
    r = d1.agent("add-container", "c1", "--tag", "7", "--tpid", "0x9100", "--nic", "eth0", "--dcn", d1.name)
    check(r.returncode == 2 and "--tpid: 0x9100" in r.stderr, "a TPID the kernel cannot push: exit 2", r.stderr)
    r = d1.agent("add-container", "c1", "--tag", "7", "--addr", "10.1.0.1", "--nic", "eth0", "--dcn", d1.name)
    check(r.returncode == 2 and "--addr: '10.1.0.1' has no /PREFIX" in r.stderr, "address without prefix: exit 2",
          r.stderr)
    r = d1.agent("add-container", "c1", "--tag", "7", "--dcn", d1.name)
    check(r.returncode == 2 and "--nic" in r.stderr, "missing --nic: exit 2", r.stderr)
    r = d1.agent("add-container", "c1", "--tag", "7", "--nic", "nope0", "--dcn", d1.name)
    check(r.returncode == 1 and "interface 'nope0' does not exist" in r.stderr, "unknown NIC: exit 1", r.stderr)
    r = run(["ip", "netns", "exec", d1.ns, d1.agent_argv()[2], "add-container", "c1", "--tag", "7", "--nic", "eth0",
             "--dcn", d1.name])
    check(r.returncode == 1 and "ip netns exec?" in r.stderr, "under `ip netns exec`: refuses, says why", r.stderr)
    if not os.path.exists("/proc/net/vlan") and not os.path.exists("/sys/module/8021q"):
        r = d1.agent("add-container", "c1", "--tag", "7", "--nic", "eth0", "--dcn", d1.name, "--mechanism", "vlan")
        check(r.returncode == 1 and "type vlan" in r.stderr and "Unknown device type" in r.stderr,
              "no 8021q here: --mechanism vlan fails, quoting the kernel", r.stderr)
        check(sv_links(d1) == 0, "and leaves no VLAN staging interface", d1.links_here())
    check(d1.containers() == [], "no namespace made by any of them", d1.containers())
    r = d1.agent("frobnicate")
    check(r.returncode == 2 and "unknown command" in r.stderr, "unknown command: exit 2", r.stderr)
    for cmd in ("add-container", "del-container", "list", "sync", "watch"):
        r = d1.agent(cmd, "--help")
        check(r.returncode == 0 and f"usage: strata-dcn-agent {cmd}" in r.stdout, f"{cmd} --help", r.stderr)

    print("stratad with the two DCN NICs as afxdp trunks")
    s = Stratad(work)
    conf = f'''bridges {{ name: "br0"
  ports {{ name: "dcn1" type: "afxdp" options {{ key: "iface" value: "{d1.host_if}" }} }}
  ports {{ name: "dcn2" type: "afxdp" options {{ key: "iface" value: "{d2.host_if}" }} }}
}}'''
    if not check(s.start(conf), "stratad runs"):
        return finish("dcn_agent_tagging")

    print("three containers per DCN from the command line")
    # Tag = tenant on a plain trunk. 10.1.0.2 is used twice, under tags
    # 8100:10 and 88a8:20.
    plan = [(d1, "c1", 10, "8100", "10.1.0.1/24"), (d1, "c2", 20, "88a8", "10.1.0.1/24"),
            (d1, "c3", 30, "8100", "10.1.0.3/24"), (d2, "c1", 10, "8100", "10.1.0.2/24"),
            (d2, "c2", 20, "88a8", "10.1.0.2/24"), (d2, "c3", 40, "8100", "10.1.0.4/24")]
    for dcn, name, vid, tpid, addr in plan:
        r = dcn.agent("add-container", name, "--tag", vid, "--tpid", tpid, "--addr", addr, "--nic", "eth0",
                      "--dcn", dcn.name, "--mechanism", "ebpf")
        check(r.returncode == 0 and f"created {name} {tpid}:{vid} ebpf" in r.stdout,
              f"{dcn.name}: add-container {name} --tag {vid} --tpid {tpid}", r.stderr + r.stdout)
    r = d1.agent("add-container", "c4", "--tag", "20", "--nic", "eth0", "--dcn", d1.name)
    check(r.returncode == 1 and "--tag: 20 is already the tag of container 'c2'" in r.stderr,
          "a tag already used in the DCN: exit 1 naming the container", r.stderr)
    check(listed(d1) == ["c1", "c2", "c3"], "list shows d1's three containers", listed(d1))
    check(sd_links(d1) == 3 and d1.tc_filters().count("handle 0xdc") == 1,
          "d1 has three DCN-side veth ends and one NIC filter", d1.links_here() + d1.tc_filters())

    print("traffic")
    cap = Capture(work, d1.ns, "eth0", "d1nic")
    check(d1.ping("c1", "10.1.0.2"), "d1/c1 (tag 10) pings d2/c1 (tag 10)")
    check(d1.ping("c2", "10.1.0.2"), "d1/c2 (88a8:20) pings d2/c2 (88a8:20), the same IP under another tag")
    check(not d1.ping("c3", "10.1.0.4", count=1), "d1/c3 (tag 30) cannot reach d2/c3 (tag 40)")
    check(not d1.ping("c1", "10.1.0.4", count=1), "d1/c1 (tag 10) cannot reach d2/c3 (tag 40)")
    cap.stop()
    reqs = cap.lines("icmp.type == 8 && vlan", ["vlan.id", "ip.src", "ip.dst"])
    check(any(l.split() == ["10", "10.1.0.1", "10.1.0.2"] for l in reqs),
          "tshark on d1's NIC: echo requests inside 8100:10", "\n".join(reqs))
    reqs = cap.lines("icmp.type == 8 && ieee8021ad", ["ieee8021ad.id", "ip.src", "ip.dst"])
    check(any(l.split() == ["20", "10.1.0.1", "10.1.0.2"] for l in reqs),
          "and inside 88a8:20", "\n".join(reqs))
    replies = set(cap.lines("icmp.type == 0 && vlan", ["vlan.id"])) | \
        {"ad" + x for x in cap.lines("icmp.type == 0 && ieee8021ad", ["ieee8021ad.id"])}
    check(replies == {"10", "ad20"}, "echo replies come back inside 8100:10 and 88a8:20 only", replies)
    untagged = cap.lines("(icmp || arp) && !vlan && !ieee8021ad")
    check(untagged == [], "no untagged ICMP or ARP on the NIC", "\n".join(untagged[:5]))
    r = d1.agent("list", "--dcn", d1.name, "--nic", "eth0")
    m = re.search(r"to containers (\d+), from containers (\d+)", r.stdout)
    check(m and int(m.group(1)) > 0 and int(m.group(2)) > 0, "list --nic: the eBPF counters moved", r.stdout)

    print("the agent killed in the middle of a creation")
    for i, delay in enumerate([0.005, 0.02, 0.04, 0.07, 0.1, 0.15]):
        p = subprocess.Popen(d1.agent_argv("add-container", f"k{i}", "--tag", 100 + i, "--addr", f"10.9.0.{i + 1}/24",
                                           "--nic", "eth0", "--dcn", d1.name),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
    r = d1.agent("sync", "--nic", "eth0", "--dcn", d1.name)
    check(r.returncode == 0, "sync after the kills", r.stderr)
    complete = listed(d1)
    check(sorted(d1.containers()) == sorted(complete),
          "every namespace left has its record (interrupted ones removed)", f"{d1.containers()} vs {complete}")
    check(sd_links(d1) == len(complete) and sv_links(d1) == 0, "no veth or VLAN interface without its container",
          d1.links_here())
    for i in range(6):
        r = d1.agent("add-container", f"k{i}", "--tag", 100 + i, "--addr", f"10.9.0.{i + 1}/24", "--nic", "eth0",
                     "--dcn", d1.name)
        check(r.returncode == 0, f"add-container k{i} again", r.stderr)
    check(sorted(d1.containers()) == sorted(["c1", "c2", "c3"] + [f"k{i}" for i in range(6)]) and sd_links(d1) == 9,
          "nine containers, once each", d1.containers())
    check(d1.tc_filters().count("handle 0xdc") == 1, "still one filter on the NIC", d1.tc_filters())
    r = d1.agent("add-container", "k0", "--tag", 100, "--addr", "10.9.0.1/24", "--nic", "eth0", "--dcn", d1.name)
    check(r.returncode == 0 and r.stdout == "", "adding an existing container unchanged does nothing", r.stdout)
    check(d1.ping("c1", "10.1.0.2"), "traffic of the others went on")

    print("del-container")
    for i in range(6):
        d1.agent("del-container", f"k{i}", "--nic", "eth0", "--dcn", d1.name)
    r = d1.agent("del-container", "c3", "--nic", "eth0", "--dcn", d1.name)
    check(r.returncode == 0 and f"removed sdcn-{d1.name}-c3" in r.stdout, "del-container c3", r.stderr)
    check(sorted(d1.containers()) == ["c1", "c2"] and sd_links(d1) == 2,
          "its namespace and veth are gone, the others stay", d1.links_here())
    r = d1.agent("del-container", "c3", "--nic", "eth0", "--dcn", d1.name)
    check(r.returncode == 1 and "has no such container" in r.stderr, "deleting it again: exit 1", r.stderr)
    check(d1.ping("c2", "10.1.0.2"), "d1/c2 still pings d2/c2")
    for name in ("c1", "c2"):
        d1.agent("del-container", name, "--nic", "eth0", "--dcn", d1.name)
    check(d1.containers() == [] and sd_links(d1) == 0 and "from_nic" not in d1.tc_filters(),
          "the last del-container leaves no namespace, veth or NIC filter", d1.links_here() + d1.tc_filters())
    check(not os.path.exists(f"/run/lock/strata-dcn-agent.{d1.name}.lock"), "nor the DCN's lock file")
    check(s.proc.poll() is None, "stratad still runs")
    work.close()
    check(not any(ns.startswith(f"sdcn-{work.tag}") for ns in netns_names()), "cleanup leaves no namespace")
    return finish("dcn_agent_tagging")


if __name__ == "__main__":
    sys.exit(main())
