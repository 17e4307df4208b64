#!/usr/bin/python3
"""ovs-ofctl 3.1 drives Strata unchanged (OpenFlow 1.3 over ptcp):
show, dump-ports-desc, add-flow, add-flows (10k flows, dump-flows returns
exactly them), mod-flows, del-flows (loose and --strict), dump-flows with a
filter, dump-aggregate, dump-ports, dump-tables, packet-out, add-group /
dump-groups / del-groups, mod-port down/up.

Ports are DPDK null devices (a pure sink that counts what it is sent), so
the control plane is tested without namespaces; traffic_test.py forwards
real frames.
"""
import os
import re
import stat
import time

from harness import OFCTL, Stratad, Workdir, check, finish, flows_of, free_port, log, main_of, run

NULL = ' type: "null" options { key: "no-rx" value: "1" }'
# A broadcast ARP request, as packet-out data.
ARP = ("ffffffffffff" "020000000001" "0806" "0001080006040001" "020000000001" "0a000001" "000000000000" "0a000002")


def tx_packets(sw, port):
    out = sw.ofctl("dump-ports", str(port)).stdout
    m = re.search(r"tx pkts=(\d+)", out)
    return int(m.group(1)) if m else -1


def ten_thousand_flows(path):
    lines = []
    for i in range(10000):
        t = i % 4
        p = 100 + i
        kind = i % 6
        if kind == 0:
            lines.append("table=%d,priority=%d,in_port=%d,dl_vlan=%d,actions=pop_vlan,output:2" % (t, p, i % 3 + 1, i % 4000 + 1))
        elif kind == 1:
            lines.append("table=%d,priority=%d,tcp,nw_src=10.%d.%d.0/24,tp_dst=%d,actions=output:1"
                         % (t, p, (i >> 8) & 255, i & 255, i % 60000 + 1))
        elif kind == 2:
            lines.append("table=%d,priority=%d,dl_dst=02:00:00:%02x:%02x:00,"
                         "actions=push_vlan:0x88a8,set_field:%d->vlan_vid,output:3" % (t, p, (i >> 8) & 255, i & 255, 4096 + i % 4000))
        elif kind == 3:
            lines.append("table=%d,priority=%d,udp,udp_src=%d,actions=goto_table:%d" % (t, p, i % 60000 + 1, t + 1))
        elif kind == 4:
            lines.append("table=%d,priority=%d,arp,arp_tpa=10.1.%d.%d,actions=CONTROLLER:128" % (t, p, (i >> 8) & 255, i & 255))
        else:
            lines.append("table=%d,priority=%d,cookie=0x%x,ipv6,ipv6_src=2001:db8:%x::/48,"
                         "actions=write_actions(output:2),write_metadata:0x%x/0xffff" % (t, p, i, i, i & 0xffff))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return lines


def main():
    work = Workdir()
    ports = "".join('  ports { name: "p%d" ofport: %d%s }\n' % (i, i, NULL) for i in (1, 2, 3))
    mgmt = work.file("br0.mgmt")
    sw = Stratad(work, ports, controllers=["ptcp:%d" % free_port(), "punix:" + mgmt])

    log("show / dump-ports-desc")
    show = sw.ofctl("show").stdout
    check("n_tables:255" in show and "dpid:" in show, "show: features reply with 255 tables")
    check(all("(p%d)" % i in show for i in (1, 2, 3)), "show: lists p1, p2, p3")
    desc = sw.ofctl("dump-ports-desc").stdout
    check(len(re.findall(r"^\s*\d+\(p\d\):", desc, re.M)) == 3, "dump-ports-desc: three ports")

    log("add-flow / dump-flows")
    sw.ofctl("add-flow", "table=0,priority=7,in_port=1,dl_vlan=100,actions=pop_vlan,goto_table:1")
    dump = sw.ofctl("dump-flows").stdout
    check("priority=7,in_port=1,dl_vlan=100 actions=pop_vlan,goto_table:1" in dump, "add-flow shows in dump-flows")
    sw.ofctl("del-flows")
    check(len(flows_of(sw.ofctl("dump-flows").stdout)) == 0, "del-flows without a match empties every table")

    log("add-flows with 10000 flows")
    path = work.file("flows.txt")
    lines = ten_thousand_flows(path)
    t0 = time.time()
    sw.ofctl("add-flows", path, timeout=300)
    elapsed = time.time() - t0
    log("  add-flows of %d flows took %.2f s" % (len(lines), elapsed))
    dumped = flows_of(sw.ofctl("dump-flows", timeout=300).stdout)
    check(len(dumped) == 10000, "dump-flows returns 10000 flows (got %d)" % len(dumped))
    diff = sw.ofctl("diff-flows", path, check_rc=False, timeout=300)
    check(diff.returncode == 0 and diff.stdout.strip() == "",
          "diff-flows FILE switch: exactly the flows of the file (%s)" % diff.stdout[:300])
    agg = sw.ofctl("dump-aggregate").stdout
    check("flow_count=10000" in agg, "dump-aggregate: flow_count=10000")
    tables = sw.ofctl("dump-tables").stdout
    # ovs-ofctl folds tables with equal counters into "tables 1...3: ditto".
    check(re.search(r"table 0:\s+active=2500,", tables) and re.search(r"tables 1\.\.\.3: ditto", tables)
          and re.search(r"table 4:\s+active=0,", tables), "dump-tables: 2500 flows in each of tables 0-3, none after")

    log("dump-flows with a filter")
    arp2 = flows_of(sw.ofctl("dump-flows", "table=2,arp").stdout)
    want = {l for l in lines if l.startswith("table=2,") and ",arp," in l}
    check(len(arp2) == len(want) and all("arp" in l and "table=2" in l for l in arp2),
          "dump-flows table=2,arp: only table 2's ARP flows (%d of %d)" % (len(arp2), len(want)))

    log("mod-flows / del-flows --strict / del-flows")
    sw.ofctl("mod-flows", "table=0,in_port=1,actions=output:3")
    changed = flows_of(sw.ofctl("dump-flows", "table=0,in_port=1").stdout)
    check(len(changed) > 0 and all(l.endswith("actions=output:3") for l in changed),
          "mod-flows changed every table-0 in_port=1 flow (%d)" % len(changed))
    untouched = flows_of(sw.ofctl("dump-flows", "table=0,in_port=2").stdout)
    check(all("output:3" not in l for l in untouched), "mod-flows left in_port=2 flows alone")
    victim = lines[6]  # table=2,priority=106,in_port=1,dl_vlan=7
    spec = victim.split(",actions=")[0]
    sw.ofctl("del-flows", spec.replace("priority=106", "priority=999"), opts=["--strict"])
    check(len(flows_of(sw.ofctl("dump-flows").stdout)) == 10000, "del-flows --strict with another priority removes nothing")
    sw.ofctl("del-flows", spec, opts=["--strict"])
    check(len(flows_of(sw.ofctl("dump-flows").stdout)) == 9999, "del-flows --strict removes exactly one flow")
    sw.ofctl("del-flows", "table=1,tcp")
    left = flows_of(sw.ofctl("dump-flows", "table=1").stdout)
    check(left and not any("tcp" in l for l in left), "del-flows table=1,tcp removes table 1's TCP flows only")
    sw.ofctl("del-flows")
    check("flow_count=0" in sw.ofctl("dump-aggregate").stdout, "del-flows: everything gone")

    log("packet-out / dump-ports")
    before = tx_packets(sw, 2)
    sw.ofctl("packet-out", "in_port=controller,packet=%s,actions=output:2" % ARP)
    sw.ofctl("packet-out", "in_port=1,packet=%s,actions=output:2,output:3" % ARP)
    time.sleep(0.5)
    check(tx_packets(sw, 2) == before + 2, "packet-out: port 2 sent both frames")
    check(tx_packets(sw, 3) >= 1, "packet-out: port 3 sent one")
    bad = sw.ofctl("packet-out", "in_port=9,packet=%s,actions=output:2" % ARP, check_rc=False)
    check(bad.returncode != 0 and "OFPBRC_BAD_PORT" in bad.stderr + bad.stdout, "packet-out from a missing port: BAD_PORT")

    log("add-group / dump-groups / del-groups")
    sw.ofctl("add-group", "group_id=1,type=select,bucket=weight:10,output:1,bucket=weight:5,output:2")
    sw.ofctl("add-group", "group_id=2,type=all,bucket=output:1,bucket=push_vlan:0x8100,set_field:4196->vlan_vid,output:2")
    sw.ofctl("add-group", "group_id=3,type=fast_failover,bucket=watch_port:1,output:1,bucket=watch_port:2,output:2")
    sw.ofctl("add-group", "group_id=4,type=indirect,bucket=output:3")
    groups = sw.ofctl("dump-groups").stdout
    check(all("group_id=%d,type=%s" % g in groups for g in ((1, "select"), (2, "all"), (3, "ff"), (4, "indirect"))),
          "dump-groups shows the four groups with their types")
    check("bucket=weight:10,actions=output:1" in groups, "dump-groups keeps bucket weights")
    dup = sw.ofctl("add-group", "group_id=1,type=all,bucket=output:1", check_rc=False)
    check("OFPGMFC_GROUP_EXISTS" in dup.stderr + dup.stdout, "add-group of an existing id: GROUP_EXISTS")
    sw.ofctl("add-flow", "priority=5,in_port=1,actions=group:4")
    before = tx_packets(sw, 3)
    sw.ofctl("packet-out", "in_port=1,packet=%s,actions=group:4" % ARP)
    time.sleep(0.5)
    check(tx_packets(sw, 3) == before + 1, "packet-out through indirect group 4 reached port 3")
    stats = sw.ofctl("dump-group-stats").stdout
    check(re.search(r"group_id=4,duration=[0-9.]+s,ref_count=1,packet_count=1", stats) is not None,
          "dump-group-stats: group 4 used by one flow, one packet")
    sw.ofctl("del-groups", "group_id=4")
    check("group_id=4" not in sw.ofctl("dump-groups").stdout, "del-groups removed group 4")
    check("group:4" not in sw.ofctl("dump-flows").stdout, "... and the flow that used it")

    log("mod-port down / up")
    sw.ofctl("mod-port", "p2", "down")
    desc = sw.ofctl("dump-ports-desc").stdout
    p2 = desc[desc.index("(p2)"):].split("\n")
    check("PORT_DOWN" in p2[1], "mod-port p2 down: config PORT_DOWN")
    before = tx_packets(sw, 2)
    sw.ofctl("packet-out", "in_port=controller,packet=%s,actions=output:2" % ARP)
    time.sleep(0.5)
    check(tx_packets(sw, 2) == before, "a down port sends nothing")
    sw.ofctl("mod-port", "p2", "up")
    desc = sw.ofctl("dump-ports-desc").stdout
    p2 = desc[desc.index("(p2)"):].split("\n")
    check("PORT_DOWN" not in p2[1], "mod-port p2 up: config clear")
    sw.ofctl("packet-out", "in_port=controller,packet=%s,actions=output:2" % ARP)
    time.sleep(0.5)
    check(tx_packets(sw, 2) == before + 1, "an up port sends again")

    log("punix: ovs-ofctl over a Unix socket, as to OVS's br0.mgmt")
    check(stat.S_ISSOCK(os.stat(mgmt).st_mode) and stat.S_IMODE(os.stat(mgmt).st_mode) == 0o600,
          "punix: an owner-only (0600) socket at the configured path")
    unix_show = run(OFCTL + ["show", "unix:" + mgmt]).stdout
    check("n_tables:255" in unix_show and "(p1)" in unix_show, "punix: show answers over the Unix socket")
    unix_agg = run(OFCTL + ["dump-aggregate", "unix:" + mgmt]).stdout
    check("flow_count=" in unix_agg, "punix: dump-aggregate over the Unix socket")

    check(sw.alive(), "stratad is still running")
    sw.proc.stop()
    check(not os.path.exists(mgmt), "punix: the socket file is removed when stratad stops")
    finish()


if __name__ == "__main__":
    main_of(main)
