"""Shared pieces of the management-API integration tests.

Every test starts real stratad processes on real DPDK vdevs (null, ring,
tap), each with its own --file-prefix, --db and --mgmt under a private work
directory, and drives them with stratactl or with Python gRPC stubs
generated from proto/ by grpc_tools. Whatever happens, Work.close() kills
the processes it started (by PID), and removes the work directory, the
sockets and the dbs with it.

Run with /usr/bin/python3 (it has grpcio and grpc_tools).
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

BUILD = os.environ.get("STRATA_BUILD_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "build")
SOURCE = os.environ.get("STRATA_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(SOURCE, "scripts", "lib"))
from namespace_dcn import Work as _Work  # noqa: E402

STRATAD = os.path.join(BUILD, "bin", "stratad")
STRATACTL = os.path.join(BUILD, "bin", "stratactl")

_failures = []


def Work(name):  # noqa: N802: the class, with this suite's letter
    """A private directory and the processes started in it; close() undoes all
    (scripts/lib/namespace_dcn.py)."""
    return _Work(name, letter="m")


def check(cond, what, detail=""):
    """Records one expectation; prints it either way."""
    if cond:
        print(f"  ok    {what}")
    else:
        print(f"  FAIL  {what}")
        if detail:
            for line in str(detail).rstrip().splitlines():
                print(f"        {line}")
        _failures.append(what)
    return cond


def finish(name):
    """Exit status of the test: 0 when every check held."""
    if _failures:
        print(f"{name}: {len(_failures)} check(s) failed: " + "; ".join(_failures))
        return 1
    print(f"{name}: every check held")
    return 0


def free_tcp_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Stratad:
    """One stratad with its own db, socket and file prefix."""

    def __init__(self, work, name, db=None, mgmt=None, config=None, extra=()):
        self.work = work
        self.name = name
        self.db = db or work.path(f"{name}.db")
        self.sock = work.path(f"{name}.sock")
        self.mgmt = mgmt or f"unix:{self.sock}"
        self.config = config
        self.extra = list(extra)
        self.file_prefix = work.prefix()
        self.proc = None
        self.log = work.path(f"{name}.log")

    def argv(self):
        a = [STRATAD, "--db", self.db, "--mgmt", self.mgmt, "--file-prefix", self.file_prefix,
             "--memory", "256", "--mbufs", "8191"]
        if self.config:
            a += ["--config", self.config]
        return a + self.extra

    def start(self, expect_running=True, timeout=30, extra=()):
        """Starts it; returns True once it logs `running:` (or has exited)."""
        self.file_prefix = self.work.prefix()
        offset = len(self.log_text())  # earlier runs appended here too
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(self.argv() + list(extra), stdout=log, stderr=subprocess.STDOUT)
        self.work.procs.append(self.proc)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if "running:" in self.log_text()[offset:] or self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if self.proc.poll() is not None:
            self.proc.wait()
        running = self.proc.poll() is None and "running:" in self.log_text()[offset:]
        if expect_running and not running:
            print(self.log_text()[offset:])
        return running

    def log_text(self):
        try:
            with open(self.log) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        self.proc.kill()
        self.proc.wait(timeout=20)

    def stop(self):
        """SIGTERM; returns the exit status."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def ctl(self, *args, json_out=False, timeout=30):
        """Runs stratactl against this daemon; returns CompletedProcess."""
        argv = [STRATACTL, "--mgmt", self.mgmt] + (["--json"] if json_out else []) + [str(a) for a in args]
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)

    def ctl_json(self, *args):
        r = self.ctl(*args, json_out=True)
        if r.returncode != 0:
            raise RuntimeError(f"stratactl {' '.join(map(str, args))}: {r.stderr.strip()}")
        return json.loads(r.stdout)

    def config_now(self):
        """The persisted configuration as the API reports it (GetConfig)."""
        return self.ctl_json("dump-config")["config"]


def grpc_stubs(work):
    """Python stubs generated from proto/; returns the modules.

    Debian's protoc (3.21) with its grpc_python_plugin (protobuf-compiler-grpc)
    when present: python3-grpc-tools bundles protoc 3.5.1, older than proto3
    `optional`, which flows.proto uses. grpc_tools is the fallback."""
    out = work.path("pystubs")
    os.makedirs(out, exist_ok=True)
    proto_dir = os.path.join(SOURCE, "proto")
    protos = [os.path.join(proto_dir, "strata", "v1", f) for f in ("config.proto", "management.proto", "flows.proto")]
    plugin = shutil.which("grpc_python_plugin")
    if shutil.which("protoc") and plugin:
        cmd = ["protoc", f"--plugin=protoc-gen-grpc_python={plugin}"]
    else:
        cmd = [sys.executable, "-m", "grpc_tools.protoc"]
    subprocess.run(cmd + [f"-I{proto_dir}", f"--python_out={out}", f"--grpc_python_out={out}"] + protos, check=True)
    sys.path.insert(0, out)
    import importlib
    mods = {}
    for m in ("config_pb2", "management_pb2", "management_pb2_grpc", "flows_pb2", "flows_pb2_grpc"):
        mods[m] = importlib.import_module(f"strata.v1.{m}")
    return mods


def canonical_json(obj):
    return json.dumps(obj, sort_keys=True, indent=1)
