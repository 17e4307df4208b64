#!/usr/bin/env python3
"""stratad as a host daemon: --detach returns once the API serves, with
the child's PID in --pidfile; a second stratad on that pidfile is refused;
--log-file gets the log, SIGHUP reopens it after a rotation; SIGTERM
stops cleanly (pidfile and socket removed); --help names every option."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import STRATAD, STRATACTL, Stratad, Work, check, finish  # noqa: E402


def wait_gone(pid, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


class DetachedByPidfile:
    """A daemon started with --detach, as Work's cleanup sees it: the PID is
    whatever the pidfile names (nothing to do while there is none)."""

    def __init__(self, pidfile):
        self.pidfile = pidfile
        self.pid = None

    def _pid(self):
        if self.pid is None:
            try:
                self.pid = int(open(self.pidfile).read())
            except (OSError, ValueError):
                return None
        return self.pid

    def poll(self):
        pid = self._pid()
        if pid is None:
            return 0
        try:
            os.kill(pid, 0)
            return None
        except ProcessLookupError:
            return 0

    def kill(self):
        if self._pid() is not None:
            os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout=None):
        if self._pid() is not None:
            wait_gone(self.pid, timeout or 30)


def main():
    with Work("daemon") as work:
        r = subprocess.run([STRATAD, "--help"], capture_output=True, text=True)
        check(r.returncode == 0 and all(o in r.stdout for o in ("--config", "--db", "--db-reset", "--mgmt", "--pmd-cores",
                                                                   "--no-huge", "--file-prefix", "--log-level",
                                                                   "--log-file", "--detach", "--pidfile")),
              "stratad --help names the contract's options")
        pidfile, log, sock = work.path("s.pid"), work.path("s.log"), work.path("s.sock")
        argv = [STRATAD, "--db", work.path("s.db"), "--mgmt", f"unix:{sock}", "--file-prefix", work.prefix(),
                "--memory", "256", "--mbufs", "8191", "--log-file", log, "--log-level", "debug"]
        # The detached child is known only by its pidfile: register it for
        # cleanup by that before starting it, so a failure anywhere below
        # (even --detach never returning) still ends it.
        work.procs.append(DetachedByPidfile(pidfile))
        t0 = time.time()
        r = subprocess.run(argv + ["--detach", "--pidfile", pidfile], capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, f"--detach returns 0 once started ({time.time() - t0:.1f} s)", r.stderr)
        pid = int(open(pidfile).read())
        check(pid != os.getpid() and os.path.exists(f"/proc/{pid}"), f"--pidfile holds the running daemon's PID {pid}")
        ctl = [STRATACTL, "--mgmt", f"unix:{sock}"]
        check(subprocess.run(ctl + ["add-br", "br0"]).returncode == 0, "the API serves as soon as --detach returned")
        check("running:" in open(log).read() and "mgmt AddBridge: ok" in open(log).read(),
              "--log-file gets the log (debug level included)")
        # The main thread is the control thread (--control-sched, default batch).
        check(os.sched_getscheduler(pid) == os.SCHED_BATCH, "the control thread runs as SCHED_BATCH by default")

        r = subprocess.run([STRATAD, "--db", work.path("t.db"), "--mgmt", f"unix:{work.path('t.sock')}",
                            "--pidfile", pidfile, "--file-prefix", work.prefix()], capture_output=True, text=True,
                           timeout=60)
        check(r.returncode == 1 and f"is held by another stratad (pid {pid})" in r.stderr,
              "a second stratad with the same --pidfile is refused", r.stderr)
        check(int(open(pidfile).read()) == pid, "... and the pidfile still names the first")

        os.rename(log, log + ".1")
        os.kill(pid, signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline and not (os.path.exists(log) and "log reopened" in open(log).read()):
            time.sleep(0.05)
        check(os.path.exists(log) and "SIGHUP: log reopened" in open(log).read(), "SIGHUP reopens --log-file")
        subprocess.run(ctl + ["del-br", "br0"])
        check("removed bridge br0" in open(log).read(), "later lines go to the new file")

        os.kill(pid, signal.SIGTERM)
        check(wait_gone(pid), "SIGTERM stops it")
        check("stopped" in open(log).read(), "... cleanly ('stopped' logged)")
        check(not os.path.exists(pidfile) and not os.path.exists(sock), "pidfile and socket are removed")

        r = subprocess.run([STRATAD, "--bogus"], capture_output=True, text=True)
        check(r.returncode == 2 and r.stderr.count("\n") == 1, "an unknown option: exit 2, one line", r.stderr)
        r = subprocess.run([STRATAD, "--db", work.path("u.db"), "--mgmt", "tcp:nowhere", "--file-prefix", work.prefix()],
                           capture_output=True, text=True)
        check(r.returncode == 2 and "--mgmt 'tcp:nowhere'" in r.stderr, "a malformed --mgmt: exit 2, named", r.stderr)
        r = subprocess.run([STRATAD, "--control-sched", "fast"], capture_output=True, text=True)
        check(r.returncode == 2 and "--control-sched must be batch or normal, not 'fast'" in r.stderr,
              "--control-sched fast: exit 2, named", r.stderr)
        normal = Stratad(work, "n", extra=["--control-sched", "normal"])
        if check(normal.start(), "stratad --control-sched normal starts"):
            check(os.sched_getscheduler(normal.proc.pid) == os.SCHED_OTHER, "... and its control thread is SCHED_OTHER")
            normal.stop()
    return finish("mgmt_daemon")


if __name__ == "__main__":
    sys.exit(main())
