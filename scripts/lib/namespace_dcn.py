"""Namespace DCNs: a network namespace standing in for a VM, with one veth
whose DCN end is its NIC (eth0) and whose host end becomes a port of
stratad (the DCN's VNIC). strata-dcn-agent runs in the DCN's network
namespace (nsenter --net, never `ip netns exec`: see
container-dcn/agent/README.md) and makes the containers' namespaces,
sdcn-<dcn>-<container>.

Shared by `make demo` (scripts/demo/dcn_containers.py) and the
strata-dcn-agent integration tests (tests/integration/dcn_agent/); `Work`
also by the management-API tests (tests/integration/mgmt/).

Every name carries the caller's PID. Whatever happens (an exception,
SIGINT, SIGTERM), Work.close() kills the processes it started (by PID),
deletes every namespace and interface it made (and every sdcn-<dcn>-
namespace and agent lock file of its DCNs), the EAL runtime directories
of the DPDK file prefixes it handed out, and removes its work directory. Run with /usr/bin/python3 (Debian's, standard library only).
"""
import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile


def run(argv, timeout=30, **kw):
    """Runs argv (items made strings); returns the CompletedProcess, text output captured."""
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, **kw)


def netns_names():
    """The namespaces iproute2 knows (/run/netns)."""
    try:
        return sorted(os.listdir("/run/netns"))
    except FileNotFoundError:
        return []


class Work:
    """A private directory and what the caller made; close() undoes all.
    `letter` starts every name made from `tag` (tests of one suite share one)."""

    def __init__(self, name, letter="a"):
        self.dir = tempfile.mkdtemp(prefix=f"strata-{name}-")
        self.tag = f"{letter}{os.getpid() % 100000}"
        self.procs = []      # Popen objects, killed by PID
        self.netns = []      # namespaces made directly
        self.links = []      # root-namespace interfaces made directly
        self.dcns = []       # DCN names: their sdcn-<dcn>- namespaces go too
        self.prefixes = []   # DPDK file prefixes handed out: their EAL runtime dirs go too
        self.serial = 0
        atexit.register(self.close)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: sys.exit(130))

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def prefix(self):
        """A fresh name for one DPDK process's --file-prefix."""
        self.serial += 1
        self.prefixes.append(f"{self.tag}x{self.serial}")
        return self.prefixes[-1]

    def spawn(self, argv, log_name):
        """Starts argv in the background, output to log_name in the work directory."""
        log = open(self.path(log_name), "a")
        p = subprocess.Popen([str(a) for a in argv], stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def close(self):
        # Not interrupted half-way by a second signal (Ctrl-C, then the
        # caller's SIGTERM): a signal now would leave the rest behind.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        self.procs = []
        # A killed stratad cannot remove /var/run/dpdk/<prefix> itself.
        for prefix in self.prefixes:
            shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
        self.prefixes = []
        for dcn in self.dcns:
            for ns in netns_names():
                if ns.startswith(f"sdcn-{dcn}-"):
                    run(["ip", "netns", "del", ns])
            # The agent removes it with the DCN's last container; not if a
            # run stopped half-way.
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

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class NamespaceDcn:
    """A namespace with one veth: eth0 inside, `host_if` outside (a switch port).
    `agent` is the strata-dcn-agent binary to run inside it."""

    def __init__(self, work, short, agent):
        self.work = work
        self.agent_bin = agent
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
        return ["nsenter", f"--net=/run/netns/{self.ns}", self.agent_bin] + [str(a) for a in args]

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
