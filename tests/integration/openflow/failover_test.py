#!/usr/bin/python3
"""Controller failover. An os-ken learning switch controls Strata; h1 and
h2 talk, so their flows are learned; h3 has never been seen. Then the
controller is killed:
  secure:     the learned flows keep forwarding (h1 <-> h2), misses are
              dropped (h1 cannot reach h3: nobody answers the table miss);
  standalone: NORMAL takes over (h1 reaches h3 without a controller).
Restarting the controller restores control: stratad reconnects by itself
(exponential backoff) and the app's table-miss entry and learning work again.
"""
import os
import re
import time

from harness import Failed, Host, Stratad, Workdir, check, finish, free_port, log, main_of, start

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "learning_switch_app.py")


def start_osken(work, port, name):
    p = start(["/usr/bin/python3", "/usr/bin/osken-manager", "--ofp-listen-host", "127.0.0.1",
               "--ofp-tcp-listen-port", str(port), APP], work.file(name))
    return p


def wait_configured(work, name, proc, timeout=40):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if "table-miss entry installed" in open(work.file(name)).read():
            return True
        if proc.poll() is not None:
            raise Failed("osken-manager exited: " + open(work.file(name)).read())
        time.sleep(0.2)
    return False


def wait_log(sw, pattern, count, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if len(re.findall(pattern, sw.log())) >= count:
            return True
        time.sleep(0.1)
    return False


def scenario(work, hosts, mode, n):
    h1, h2, h3 = hosts
    log("== fail mode %s" % mode)
    ctl = free_port()
    osken = start_osken(work, ctl, "osken-%s-1.log" % mode)
    ports = "".join(h.port_config(h.name, "ofport: %d" % (i + 1)) for i, h in enumerate(hosts))
    sw = Stratad(work, ports, fail_mode="FAIL_MODE_" + mode.upper(), controllers=["tcp:127.0.0.1:%d" % ctl],
                 name="stratad%d" % n)
    check(wait_configured(work, "osken-%s-1.log" % mode, osken), "%s: os-ken configured the switch" % mode)
    check(h1.ping(h2.ip, count=2) and h2.ping(h1.ip, count=2), "%s: h1 <-> h2 through the controller" % mode)
    for h in hosts:
        h.exec(["ip", "neigh", "flush", "all"], check_rc=False)
    h1.exec(["ping", "-c", "1", "-W", "1", h2.ip], check_rc=False)  # relearn ARP for h1/h2 only

    log("kill the controller")
    osken.stop()
    check(wait_log(sw, r"OpenFlow connection .* closed", 1), "%s: stratad saw the controller go" % mode)
    time.sleep(0.5)
    check(h1.ping(h2.ip, count=3), "%s: learned flows (or NORMAL) still carry h1 -> h2" % mode)
    reached_h3 = h1.ping(h3.ip, count=2)
    if mode == "secure":
        check(not reached_h3, "secure: a miss (h1 -> h3, never learned) is dropped without a controller")
    else:
        check(reached_h3, "standalone: NORMAL takes over, h1 reaches h3 without a controller")

    log("restart the controller on the same port")
    osken2 = start_osken(work, ctl, "osken-%s-2.log" % mode)
    check(wait_configured(work, "osken-%s-2.log" % mode, osken2, timeout=60),
          "%s: stratad reconnected and the controller configured it again" % mode)
    time.sleep(0.5)
    check(h1.ping(h3.ip, count=2) and h3.ping(h2.ip, count=2), "%s: under control again, h1 -> h3 and h3 -> h2" % mode)
    learned = open(work.file("osken-%s-2.log" % mode)).read().count("learned flow")
    check(learned >= 2, "%s: the restarted controller learned flows (%d)" % (mode, learned))
    osken2.stop()
    sw.proc.stop()
    check(sw.proc.returncode == 0, "%s: stratad stopped cleanly" % mode)


def main():
    work = Workdir()
    hosts = [Host("h%d" % i, "10.0.0.%d" % i) for i in (1, 2, 3)]
    scenario(work, hosts, "secure", 1)
    for h in hosts:
        h.exec(["ip", "neigh", "flush", "all"], check_rc=False)
    scenario(work, hosts, "standalone", 2)
    finish()


if __name__ == "__main__":
    main_of(main)
