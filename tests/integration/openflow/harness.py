"""Shared pieces of the OpenFlow integration tests.

Every test starts its own stratad (own DPDK --file-prefix, own free TCP port
for ptcp, own management socket, no db), its own namespaces and veths named
with the test's PID, and removes all of it when it ends, also on failure or
on SIGTERM/SIGINT (ctest's timeout). Nothing is looked up by name outside
that PID-tagged set; processes are stopped by the PIDs this test started.

Run with /usr/bin/python3 (scapy and os-ken live there).
"""
import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("STRATA_BUILD_DIR") or os.path.join(os.path.dirname(__file__), "../../../build")
SOURCE = os.environ.get("STRATA_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
STRATAD = os.path.join(BUILD, "bin", "stratad")
OFCTL = ["ovs-ofctl", "-O", "OpenFlow13"]
TAG = "of%d" % os.getpid()  # prefix of every name this test creates


class Failed(Exception):
    pass


_cleanups = []
_failures = []


def on_cleanup(fn):
    _cleanups.append(fn)


def _cleanup_all():
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception as e:  # cleanup must go on
            print("cleanup: %s" % e, file=sys.stderr)


atexit.register(_cleanup_all)


def _on_signal(sig, _frame):
    _cleanup_all()
    sys.exit(128 + sig)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def log(msg):
    print(msg, flush=True)


def check(cond, what):
    """Records an expectation; the test fails at the end if any failed."""
    if cond:
        log("  ok    %s" % what)
    else:
        log("  WRONG %s" % what)
        _failures.append(what)
    return cond


def finish():
    _cleanup_all()
    if _failures:
        log("%d expectation(s) failed:" % len(_failures))
        for f in _failures:
            log("  - %s" % f)
        sys.exit(1)
    log("all expectations held")
    sys.exit(0)


def main_of(test):
    """Runs a test's main(): a Failed it raises is one more failed
    expectation (its first 400 characters); then finish()."""
    try:
        test()
    except Failed as e:
        check(False, str(e)[:400])
    finish()


def run(cmd, check_rc=True, timeout=120, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check_rc and r.returncode != 0:
        raise Failed("%s failed (%d): %s%s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
    return r


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(cmd, log_path, **kw):
    """Starts a process in its own process group; stopped at cleanup by PID."""
    out = open(log_path, "w")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kw)

    def stop():
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        out.close()

    on_cleanup(stop)
    p.stop = stop
    return p


class Workdir:
    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="strata-of-%s." % TAG)
        on_cleanup(lambda: shutil.rmtree(self.path, ignore_errors=True))

    def file(self, name):
        return os.path.join(self.path, name)


# ---- namespaces ------------------------------------------------------------

class Host:
    """A network namespace with eth0, the far end of a veth whose near end
    (self.veth) becomes an afpacket port of stratad."""

    def __init__(self, name, ip=None, mac=None):
        self.name = name
        self.ns = "%s-%s" % (TAG, name)
        self.veth = "%s%s" % (TAG, name)
        assert len(self.veth) <= 15, self.veth
        run(["ip", "netns", "add", self.ns])
        on_cleanup(lambda: run(["ip", "netns", "del", self.ns], check_rc=False))
        run(["ip", "link", "add", self.veth, "type", "veth", "peer", "name", "eth0", "netns", self.ns])
        on_cleanup(lambda: run(["ip", "link", "del", self.veth], check_rc=False))
        run(["ip", "link", "set", self.veth, "up"])
        self.exec(["ip", "link", "set", "lo", "up"])
        if mac:
            self.exec(["ip", "link", "set", "eth0", "address", mac])
        self.exec(["ip", "link", "set", "eth0", "up"])
        self.exec(["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"])
        if ip:
            self.exec(["ip", "addr", "add", ip + "/24", "dev", "eth0"])
        self.ip = ip
        self.mac = self.exec(["cat", "/sys/class/net/eth0/address"]).stdout.strip()

    def exec(self, cmd, check_rc=True, timeout=120):
        return run(["ip", "netns", "exec", self.ns] + cmd, check_rc=check_rc, timeout=timeout)

    def ping(self, ip, count=2, wait=1):
        r = self.exec(["ping", "-c", str(count), "-i", "0.3", "-W", str(wait), ip], check_rc=False, timeout=60)
        return r.returncode == 0

    def port_config(self, name, extra=""):
        return ('  ports { name: "%s" type: "afpacket" options { key: "iface" value: "%s" } %s }\n'
                % (name, self.veth, extra))


# ---- stratad -----------------------------------------------------------------

def _stratad_flags():
    help_text = run([STRATAD, "--help"], check_rc=False).stdout
    return help_text


class Stratad:
    """stratad with one bridge br0 from `ports_config` (text of Port messages)."""

    def __init__(self, work, ports_config, fail_mode="FAIL_MODE_SECURE", controllers=None, name="stratad"):
        if not os.access(STRATAD, os.X_OK):
            raise Failed("%s is not built" % STRATAD)
        self.of_port = free_port()
        controllers = controllers if controllers is not None else ["ptcp:%d" % self.of_port]
        for c in controllers:  # ovs-ofctl talks to the (first) passive target
            if c.startswith("ptcp:"):
                self.of_port = int(c.split(":")[1])
                break
        self.target = "tcp:127.0.0.1:%d" % self.of_port
        conf = work.file(name + ".conf")
        with open(conf, "w") as f:
            f.write('bridges {\n  name: "br0"\n  fail_mode: %s\n' % fail_mode)
            for c in controllers:
                f.write('  controllers: "%s"\n' % c)
            f.write(ports_config)
            f.write("}\n")
        self.log_path = work.file(name + ".log")
        cmd = [STRATAD, "--config", conf, "--file-prefix", "%s%s" % (TAG, name[-1]), "--memory", "512",
               "--mbufs", "16383"]
        flags = _stratad_flags()
        if "--no-db" in flags:
            cmd.append("--no-db")
        if "--mgmt" in flags:
            cmd += ["--mgmt", "unix:" + work.file(name + ".sock")]
        self.proc = start(cmd, self.log_path)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Failed("stratad exited:\n" + open(self.log_path).read())
            if "running:" in open(self.log_path).read():
                break
            time.sleep(0.1)
        else:
            raise Failed("stratad did not start:\n" + open(self.log_path).read())
        if any(c.startswith("ptcp:") for c in controllers):
            self.wait_listening()

    def wait_listening(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.of_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise Failed("nothing listens on %d" % self.of_port)

    def ofctl(self, *args, opts=(), check_rc=True, timeout=120):
        """ovs-ofctl [opts] COMMAND TARGET ARGS..."""
        return run(OFCTL + list(opts) + [args[0], self.target] + list(args[1:]), check_rc=check_rc, timeout=timeout)

    def alive(self):
        return self.proc.poll() is None

    def log(self):
        return open(self.log_path).read()


def flows_of(dump_text):
    """The flows of dump-flows output as a set of 'table,priority,match actions'
    strings without counters or durations (cookie kept when not 0)."""
    out = set()
    for line in dump_text.splitlines():
        line = line.strip()
        if not line.startswith("cookie="):
            continue
        line = re.sub(r"duration=[0-9.]+s, ", "", line)
        line = re.sub(r"n_packets=\d+, n_bytes=\d+, ", "", line)
        line = re.sub(r"idle_age=\d+, ", "", line)
        out.add(line)
    return out
