"""Shared pieces of the strata-dcn-agent integration tests.

A "namespace DCN" is a network namespace standing in for a VM: one veth,
whose DCN end is its NIC (eth0) and whose host end is a port of a real
stratad. `Work` and `NamespaceDcn` live in scripts/lib/namespace_dcn.py,
shared with `make demo`; this module adds what only the tests need
(checks, a stratad, tshark captures).

Every name carries the test's PID. Whatever happens, Work.close() kills
the processes it started (by PID), deletes every namespace and interface
it made (and every sdcn-<dcn>- namespace of its DCNs), and removes its
work directory. Run with /usr/bin/python3.
"""
import os
import signal
import sys
import time

BUILD = os.environ.get("STRATA_BUILD_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "build")
SOURCE = os.environ.get("STRATA_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(SOURCE, "scripts", "lib"))
import namespace_dcn  # noqa: E402
from namespace_dcn import Work, netns_names, run  # noqa: E402,F401  (re-exported to the tests)

STRATAD = os.path.join(BUILD, "bin", "stratad")
STRATACTL = os.path.join(BUILD, "bin", "stratactl")
AGENT = os.path.join(BUILD, "bin", "strata-dcn-agent")

_failures = []


def check(cond, what, detail=""):
    """Records one expectation; prints it either way."""
    if cond:
        print(f"  ok    {what}", flush=True)
    else:
        print(f"  FAIL  {what}", flush=True)
        if detail:
            for line in str(detail).rstrip().splitlines():
                print(f"        {line}")
        _failures.append(what)
    return cond


def finish(name):
    if _failures:
        print(f"{name}: {len(_failures)} check(s) failed: " + "; ".join(_failures))
        return 1
    print(f"{name}: every check held")
    return 0


class NamespaceDcn(namespace_dcn.NamespaceDcn):
    """A namespace DCN whose agent is this build's strata-dcn-agent."""

    def __init__(self, work, short):
        super().__init__(work, short, AGENT)


class Stratad:
    """One stratad with its own db, socket and file prefix."""

    def __init__(self, work, name="s"):
        self.work = work
        self.db = work.path(f"{name}.db")
        self.mgmt = f"unix:{work.path(name + '.sock')}"
        self.log = work.path(f"{name}.log")
        self.proc = None

    def start(self, config_text, timeout=40):
        conf = self.work.path("stratad.conf")
        with open(conf, "w") as f:
            f.write(config_text)
        argv = [STRATAD, "--db", self.db, "--mgmt", self.mgmt, "--file-prefix", self.work.prefix(),
                "--memory", "256", "--mbufs", "8191", "--config", conf]
        self.proc = self.work.spawn(argv, os.path.basename(self.log))
        deadline = time.time() + timeout
        while time.time() < deadline:
            if "running:" in self.log_text() or self.proc.poll() is not None:
                break
            time.sleep(0.1)
        ok = self.proc.poll() is None and "running:" in self.log_text()
        if not ok:
            print(self.log_text())
        return ok

    def log_text(self):
        try:
            with open(self.log) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def ctl(self, *args, timeout=30):
        return run([STRATACTL, "--mgmt", self.mgmt] + [str(a) for a in args], timeout=timeout)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


class Capture:
    """tshark inside a namespace, to a file; stop() ends it and returns the path."""

    def __init__(self, work, ns, iface, name):
        self.file = work.path(f"{name}.pcapng")
        self.proc = work.spawn(["ip", "netns", "exec", ns, "tshark", "-q", "-i", iface, "-w", self.file],
                               f"{name}.tshark.log")
        deadline = time.time() + 15
        while time.time() < deadline and not (os.path.exists(self.file) and os.path.getsize(self.file) > 0):
            time.sleep(0.1)

    def stop(self):
        time.sleep(0.3)
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=20)
        return self.file

    def lines(self, display_filter, fields=None):
        argv = ["tshark", "-r", self.file, "-Y", display_filter]
        if fields:
            argv += ["-T", "fields"] + sum([["-e", f] for f in fields], [])
        return [l for l in run(argv).stdout.splitlines() if l.strip()]
