"""Shared pieces of the strata-dcn-agent integration tests.

A "namespace DCN" is a network namespace standing in for a VM: one veth,
whose DCN end is its NIC (eth0) and whose host end is a port of a real
stratad. The agent runs in the DCN's network namespace (nsenter --net,
never `ip netns exec`: see container-dcn/agent/README.md) and makes the
containers' namespaces, sdcn-<dcn>-<container>.

Every name carries the test's PID. Whatever happens, Work.close() kills
the processes it started (by PID), deletes every namespace and interface
it made (and every sdcn-<dcn>- namespace of its DCNs), and removes its
work directory. Run with /usr/bin/python3.
"""
import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("STRATA_BUILD_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "build")
SOURCE = os.environ.get("STRATA_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
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


def run(argv, timeout=30, **kw):
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, **kw)


def netns_names():
    try:
        return sorted(os.listdir("/run/netns"))
    except FileNotFoundError:
        return []


class Work:
    """A private directory and what the test made; close() undoes all."""

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix=f"strata-{name}-")
        self.tag = f"a{os.getpid() % 100000}"
        self.procs = []      # Popen objects, killed by PID
        self.netns = []      # namespaces made directly
        self.links = []      # root-namespace interfaces made directly
        self.dcns = []       # DCN names: their sdcn-<dcn>- namespaces go too
        self.serial = 0
        atexit.register(self.close)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: sys.exit(130))

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def prefix(self):
        self.serial += 1
        return f"{self.tag}x{self.serial}"

    def spawn(self, argv, log_name):
        log = open(self.path(log_name), "a")
        p = subprocess.Popen([str(a) for a in argv], stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        self.procs = []
        for dcn in self.dcns:
            for ns in netns_names():
                if ns.startswith(f"sdcn-{dcn}-"):
                    run(["ip", "netns", "del", ns])
            # The agent removes it with the DCN's last container; not if a
            # test stopped half-way.
            for d in ("/run/lock", "/tmp"):
                try:
                    os.unlink(f"{d}/strata-dcn-agent.{dcn}.lock")
                except FileNotFoundError:
                    pass
        for ns in self.netns:
            run(["ip", "netns", "del", ns])
        for link in self.links:
            run(["ip", "link", "del", link])
        self.netns, self.links, self.dcns = [], [], []
        shutil.rmtree(self.dir, ignore_errors=True)


class NamespaceDcn:
    """A namespace with one veth: eth0 inside, `host_if` outside (a switch port)."""

    def __init__(self, work, short):
        self.work = work
        self.name = f"{work.tag}{short}"       # DCN name (stratad's and the agent's)
        self.ns = f"{work.tag}-{short}"        # the DCN's own namespace
        self.host_if = f"{work.tag}{short}v"   # its veth's host end
        work.dcns.append(self.name)
        work.netns.append(self.ns)
        work.links.append(self.host_if)
        subprocess.run(["ip", "netns", "add", self.ns], check=True)
        subprocess.run(["ip", "link", "add", self.host_if, "type", "veth", "peer", "name", "eth0", "netns", self.ns],
                       check=True)
        subprocess.run(["ip", "link", "set", self.host_if, "up"], check=True)
        subprocess.run(["ip", "-n", self.ns, "link", "set", "eth0", "up"], check=True)
        # The DCN's own kernel stays quiet on the wire (no IPv6 chatter).
        subprocess.run(["ip", "netns", "exec", self.ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
                       check=True)

    def agent_argv(self, *args):
        return ["nsenter", f"--net=/run/netns/{self.ns}", AGENT] + [str(a) for a in args]

    def agent(self, *args, timeout=60):
        """Runs the agent in the DCN; returns CompletedProcess."""
        return run(self.agent_argv(*args), timeout=timeout)

    def container_ns(self, container):
        return f"sdcn-{self.name}-{container}"

    def containers(self):
        """Namespaces the agent made for this DCN."""
        return [ns[len(f"sdcn-{self.name}-"):] for ns in netns_names() if ns.startswith(f"sdcn-{self.name}-")]

    def ping(self, container, ip, count=2):
        r = run(["ip", "netns", "exec", self.container_ns(container), "ping", "-c", count, "-i", "0.2", "-W", "1", ip],
                timeout=30)
        return r.returncode == 0

    def links_here(self):
        return run(["ip", "-n", self.ns, "-o", "link", "show"]).stdout

    def tc_filters(self):
        return run(["tc", "-n", self.ns, "filter", "show", "dev", "eth0", "ingress"]).stdout


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
