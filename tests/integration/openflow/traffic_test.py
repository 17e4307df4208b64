#!/usr/bin/python3
"""Flows programmed with ovs-ofctl forward real frames between namespaces,
pushing and popping a 2-tag stack, as tshark sees on the wire.

  h1 10.0.0.1 (untagged) --port 1--[stratad]--port 2-- trunk: a userspace
  host 10.0.0.9 that lives behind 88a8:100/8100:200 (scapy) answers ARP and
  ping only with that exact stack.

  table 0  in_port=1          push 8100:200, push 88a8:100, output:2
  table 0  in_port=2,vid 100  pop, goto table 1   (table 1 sees the inner tag)
  table 1  vid 200            pop, output:1

Then the stack is changed with mod-flows: the next frames carry the new
stack (no stale megaflow survives the flow_mod and its barrier), and the
trunk host no longer answers.
"""
import os
import subprocess
import time

from harness import Failed, Host, SOURCE, Stratad, TAG, Workdir, check, finish, log, main_of, start


def saw(pcap, display_filter):
    r = subprocess.run(["tshark", "-r", pcap, "-Y", display_filter], capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.strip() != ""


def capture(host, work, name):
    path = work.file(name + ".pcapng")
    p = start(["ip", "netns", "exec", host.ns, "tshark", "-q", "-l", "-i", "eth0", "-w", path], work.file(name + ".tshark.log"))
    return p, path


def main():
    work = Workdir()
    h1 = Host("h1", "10.0.0.1")
    trunk = Host("trk")
    sw = Stratad(work, h1.port_config("h1", "ofport: 1") + trunk.port_config("trk", "ofport: 2"))

    responder = start(["ip", "netns", "exec", trunk.ns, "/usr/bin/python3", "-u",
                       os.path.join(SOURCE, "scripts/demo/trunk_host.py"), "eth0", "10.0.0.9", "02:5a:00:00:00:09",
                       "88a8:100/8100:200"], work.file("trunk.log"))
    cap_trunk, trunk_pcap = capture(trunk, work, "trunk")
    cap_h1, h1_pcap = capture(h1, work, "h1")
    deadline = time.time() + 30
    while time.time() < deadline:
        ready = "ready" in open(work.file("trunk.log")).read()
        ready = ready and os.path.exists(trunk_pcap) and os.path.getsize(trunk_pcap) > 0
        ready = ready and os.path.exists(h1_pcap) and os.path.getsize(h1_pcap) > 0
        if ready:
            break
        time.sleep(0.1)
    else:
        raise Failed("trunk host or captures did not start: " + open(work.file("trunk.log")).read())

    log("program the stacks with ovs-ofctl")
    sw.ofctl("add-flow", "table=0,priority=10,in_port=1,actions=push_vlan:0x8100,set_field:4296->vlan_vid,"
                         "push_vlan:0x88a8,set_field:4196->vlan_vid,output:2")
    sw.ofctl("add-flow", "table=0,priority=10,in_port=2,dl_vlan=100,actions=pop_vlan,goto_table:1")
    sw.ofctl("add-flow", "table=1,priority=10,dl_vlan=200,actions=pop_vlan,output:1")

    log("traffic")
    check(h1.ping("10.0.0.9", count=3), "h1 pings the host behind 88a8:100/8100:200")
    dump = sw.ofctl("dump-flows").stdout
    log(dump)
    counts = [int(x) for x in __import__("re").findall(r"n_packets=(\d+)", dump)]
    check(len(counts) == 3 and min(counts) >= 3, "every flow counted the frames it forwarded %s" % counts)

    log("change the stack: 88a8:101 instead of 88a8:100")
    sw.ofctl("mod-flows", "table=0,in_port=1,actions=push_vlan:0x8100,set_field:4296->vlan_vid,"
                          "push_vlan:0x88a8,set_field:4197->vlan_vid,output:2")
    changed_at = time.time()
    check(not h1.ping("10.0.0.9", count=2), "after mod-flows the trunk host (stack 88a8:100) no longer answers")
    time.sleep(1)
    for p in (cap_trunk, cap_h1):
        p.stop()
    # What the wire carried.
    mac1 = h1.mac
    check(saw(trunk_pcap, "ieee8021ad.id == 100 && vlan.id == 200 && eth.src == %s && icmp.type == 8" % mac1),
          "tshark on the trunk: h1's echo requests carried 88a8:100/8100:200")
    check(saw(trunk_pcap, "ieee8021ad.id == 100 && vlan.id == 200 && eth.dst == %s && icmp.type == 0" % mac1),
          "tshark on the trunk: the replies came back with the same stack")
    check(saw(h1_pcap, "icmp.type == 0 && !vlan && !ieee8021ad"), "tshark on h1: replies arrive untagged")
    check(not saw(h1_pcap, "vlan || ieee8021ad"), "h1 never sees a tag")
    check(saw(trunk_pcap, "ieee8021ad.id == 101 && vlan.id == 200 && eth.src == %s" % mac1),
          "after mod-flows the frames carry 88a8:101/8100:200")
    r = subprocess.run(["tshark", "-r", trunk_pcap, "-Y", "ieee8021ad.id == 100 && eth.src == %s" % mac1,
                        "-T", "fields", "-e", "frame.time_epoch"], capture_output=True, text=True)
    late = [float(t) for t in r.stdout.split() if float(t) > changed_at]
    check(not late, "no frame with the old stack after mod-flows returned (%d late)" % len(late))
    check(sw.alive(), "stratad is still running")
    del responder
    finish()


if __name__ == "__main__":
    main_of(main)
