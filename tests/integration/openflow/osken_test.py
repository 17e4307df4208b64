#!/usr/bin/python3
"""os-ken 2.5 (osken-manager) runs a simple_switch_13-style learning switch
(learning_switch_app.py) against Strata: stratad connects to it (tcp:), the
app installs a table-miss entry, learns from PACKET_INs, installs flows and
sends PACKET_OUTs. Three namespaces ping each other through Strata; the
learned flows show in ovs-ofctl dump-flows (over a second, passive, ptcp
connection) and carry the traffic afterwards.
"""
import itertools
import os
import re
import time

from harness import Failed, Host, Stratad, Workdir, check, finish, free_port, log, main_of, start


def main():
    work = Workdir()
    hosts = [Host("h%d" % i, "10.0.0.%d" % i) for i in (1, 2, 3)]
    ctl_port = free_port()
    app = os.path.join(os.path.dirname(os.path.abspath(__file__)), "learning_switch_app.py")
    osken = start(["/usr/bin/python3", "/usr/bin/osken-manager", "--ofp-listen-host", "127.0.0.1",
                   "--ofp-tcp-listen-port", str(ctl_port), app], work.file("osken.log"))
    ports = "".join(h.port_config(h.name, "ofport: %d" % (i + 1)) for i, h in enumerate(hosts))
    # A second target for ovs-ofctl: the bridge listens as well as connects.
    listen = free_port()
    sw = Stratad(work, ports, controllers=["tcp:127.0.0.1:%d" % ctl_port, "ptcp:%d" % listen])
    deadline = time.time() + 40
    while time.time() < deadline:
        if "table-miss entry installed" in open(work.file("osken.log")).read():
            break
        if osken.poll() is not None:
            raise Failed("osken-manager exited: " + open(work.file("osken.log")).read())
        time.sleep(0.2)
    else:
        raise Failed("os-ken never configured the switch:\n" + open(work.file("osken.log")).read() + sw.log())
    time.sleep(0.5)
    check("priority=0 actions=CONTROLLER:65535" in sw.ofctl("dump-flows").stdout, "the app's table-miss entry is installed")

    log("pings through the learning switch")
    for a, b in itertools.permutations(hosts, 2):
        check(a.ping(b.ip, count=2), "%s pings %s" % (a.name, b.name))

    dump = sw.ofctl("dump-flows").stdout
    log(dump)
    learned = re.findall(r"priority=1,in_port=\S+,dl_src=\S+,dl_dst=\S+ actions=output:\S+", dump)
    check(len(learned) >= 6, "dump-flows shows the learned flows (%d)" % len(learned))
    for a, b in itertools.permutations(hosts, 2):
        check(re.search(r"dl_src=%s,dl_dst=%s actions=output:\d" % (a.mac, b.mac), dump) is not None,
              "a learned flow %s -> %s" % (a.name, b.name))
    # The learned flows carry the traffic now: their counters grow.
    before = sum(int(m) for m in re.findall(r"n_packets=(\d+), n_bytes=\d+, priority=1,", dump))
    hosts[0].ping(hosts[1].ip, count=3)
    after = sum(int(m) for m in re.findall(r"n_packets=(\d+), n_bytes=\d+, priority=1,", sw.ofctl("dump-flows").stdout))
    check(after >= before + 6, "learned flows count the new pings (%d -> %d)" % (before, after))
    check("learned flow" in open(work.file("osken.log")).read(), "the app logged what it learned")
    check(sw.alive(), "stratad is still running")
    finish()


if __name__ == "__main__":
    main_of(main)
