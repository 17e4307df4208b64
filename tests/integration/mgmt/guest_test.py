#!/usr/bin/env python3
"""strata-hv guests run by stratad (guest-add / guest-del / guest-list /
show), on the host, where there is no /dev/kvm:

1. with the real strata-hv: the bad-input table (unknown bridge, a port
   that is not vhostuser, a port another guest uses, a missing image,
   memory 0 and too big, a duplicate name, del-port / del-br of what a
   guest uses), each with its error and `show --json` unchanged; a good
   guest-add spawns strata-hv, which stops at "cannot open /dev/kvm": the
   state shows that as the last error and restarts it with a backoff that
   doubles; guest-del leaves none of the PIDs it had;
2. with a stand-in for strata-hv (a script that records its command line
   and sleeps, so a guest stays up): the command line stratad builds, a
   running guest in `show`, guest-del of a live guest by SIGTERM, the
   guest outliving stratad: SIGTERM and kill -9 of stratad leave it
   running, and the restarted stratad adopts it (same PID) instead of
   starting another; an adopted guest that dies is restarted; guest-del
   stops an adopted guest."""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import BUILD, Stratad, Work, canonical_json, check, finish  # noqa: E402

HV = os.path.join(BUILD, "bin", "strata-hv")
ELF = os.path.join(BUILD, "bin", "strata-hv-test-guest")


def pid_alive(pid):
    """True while PID exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def guests(d):
    return {g["guest"]["name"]: g for g in d.ctl_json("guest-list").get("guests", [])}


def wait_for(pred, timeout, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def show_config_part(d):
    """show --json without the guests' process state, which moves by itself."""
    s = d.ctl_json("show")
    for g in s.get("guests", []):
        for k in list(g):
            if k != "guest":
                del g[k]
    return canonical_json(s)


def setup(d, work):
    for args in (["add-br", "br0"],
                 ["add-port", "br0", "va", "--type", "vhostuser", "--opt", f"path={work.path('va.sock')}"],
                 ["add-port", "br0", "vb", "--type", "vhostuser", "--opt", f"path={work.path('vb.sock')}"],
                 ["add-port", "br0", "n1", "--type", "null", "--opt", "no-rx=1"],
                 ["add-br", "br1"],
                 ["add-port", "br1", "vx", "--type", "vhostuser", "--opt", f"path={work.path('vx.sock')}"]):
        r = d.ctl(*args)
        if not check(r.returncode == 0, "setup: " + " ".join(args), r.stderr):
            return False
    return True


def real_hv(work):
    print("== with the real strata-hv (no /dev/kvm here)")
    gdir = work.path("guests-a")
    d = Stratad(work, "a", extra=["--guest-dir", gdir, "--hv", HV])
    if not check(d.start(), "stratad starts with --hv and --guest-dir") or not setup(d, work):
        return
    missing = work.path("no-such-vmlinuz")
    # (stratactl arguments, exit status, text the one-line error must contain)
    cases = [
        (["guest-add", "br9", "g1", "--elf", ELF, "--port", "va"], 1, "guest.bridge: no bridge 'br9' [NOT_FOUND]"),
        (["guest-add", "br0", "g1", "--elf", ELF, "--port", "n1"], 1,
         "guest.nics[0].port: port 'n1' is of type 'null'; a guest NIC needs a 'vhostuser' port"),
        (["guest-add", "br0", "g1", "--elf", ELF, "--port", "vx"], 1, "guest.nics[0].port: bridge 'br0' has no port 'vx'"),
        (["guest-add", "br0", "g1", "--kernel", missing, "--port", "va"], 1,
         f"guest.kernel: cannot use '{missing}': No such file or directory [INVALID_ARGUMENT]"),
        (["guest-add", "br0", "g1", "--kernel", "relative/vmlinuz", "--port", "va"], 2, "--kernel relative/vmlinuz: no such file"),
        (["guest-add", "br0", "g1", "--elf", ELF, "--port", "va", "--memory", "0"], 2, "--memory 0"),
        (["guest-add", "br0", "g1", "--elf", ELF, "--port", "va", "--memory", "4096"], 1,
         "guest.memory_mib: 4096 is out of range 2..3072 [INVALID_ARGUMENT]"),
        (["guest-add", "br0", "g1", "--elf", ELF, "--port", "va", "--vcpus", "65"], 1, "guest.vcpus: 65 is out of range 1..64"),
        (["guest-add", "br0", "g1", "--elf", ELF, "--port", "va,mac=01:00:00:00:00:01"], 1, "guest.nics[0].mac:"),
        (["guest-add", "br0", "g1", "--elf", ELF], 1, "guest.nics: a guest needs at least one NIC"),
        (["guest-add", "br0", "g1", "--port", "va"], 1, "guest.image: a kernel (bzImage), an elf image or a snapshot directory is required"),
        (["guest-add", "br0", "a/b", "--elf", ELF, "--port", "va"], 1, "guest.name:"),
        (["guest-del", "nosuch"], 1, "guest: no guest 'nosuch' [NOT_FOUND]"),
    ]
    before = canonical_json(d.ctl_json("show"))
    config_before = canonical_json(d.config_now())
    for args, code, text in cases:
        r = d.ctl(*args)
        err = r.stderr.strip()
        check(r.returncode == code and text in err and "\n" not in err, f"{' '.join(args[:2])} ... -> {text}",
              f"exit {r.returncode}: {err}")
    check(canonical_json(d.ctl_json("show")) == before and canonical_json(d.config_now()) == config_before,
          "after the bad requests, show --json and the persisted configuration are unchanged")
    check(not os.path.exists(gdir), "no guest was started: --guest-dir was never created")

    # A good guest: strata-hv starts, fails at /dev/kvm, is restarted with backoff.
    t0 = time.time()
    r = d.ctl("guest-add", "br0", "g1", "--elf", ELF, "--memory", "16", "--port", "va,mac=02:00:00:00:00:0a",
              "--cmdline", "strata.expect=1", json_out=True)
    if not check(r.returncode == 0, "guest-add br0 g1 --elf strata-hv-test-guest --port va", r.stderr):
        return
    added = json.loads(r.stdout)["guest"]
    seen_pids = {added["pid"]} if added.get("pid") else set()
    check(added["state"] in ("GUEST_STATE_RUNNING", "GUEST_STATE_BACKOFF"), "the reply shows the guest started",
          added)

    def sample():
        g = guests(d)["g1"]
        if g.get("pid"):
            seen_pids.add(g["pid"])
        return g
    has_kvm = os.path.exists("/dev/kvm")
    g = wait_for(lambda: (lambda g: g if g.get("restarts", 0) >= 1 else None)(sample()), 10, 0.02)
    check(g is not None, "strata-hv ended and was started again", sample())
    g = sample()
    if not has_kvm:
        check("cannot open /dev/kvm" in g.get("last_error", ""), "its last error is strata-hv's 'cannot open /dev/kvm'",
              g.get("last_error"))
        check(g.get("last_exit_code") == 1, "last exit code 1", g)
    # Backoff 1 s, 2 s, 4 s: starts at ~0, 1, 3, 7 s.
    while time.time() - t0 < 5.0:
        sample()
        time.sleep(0.02)
    g = sample()
    check(g["restarts"] == 2 and g["state"] == "GUEST_STATE_BACKOFF" and 0 < int(g.get("restart_in_ms", 0)) <= 4000,
          "5 s after guest-add: restarted twice (after 1 s and 2 s), the next restart 4 s after the last", g)
    err_file = g["stderr_file"]
    check(err_file.startswith(gdir) and os.path.exists(err_file) and os.path.exists(g["console_file"]),
          "stderr and console files are in --guest-dir", g)
    check(len(seen_pids) >= 1, f"strata-hv PIDs seen: {sorted(seen_pids)}")
    s = d.ctl_json("show")
    check([x["guest"]["name"] for x in s.get("guests", [])] == ["g1"], "show --json lists the guest")
    human = d.ctl("show").stdout
    check("guest g1" in human and "state: " in human and "socket " + d.work.path("va.sock") in human,
          "show (human) lists it with its state and socket", human)

    # Conflicts with the guest.
    before = show_config_part(d)
    config_before = canonical_json(d.config_now())
    for args, code, text in [
        (["guest-add", "br0", "g1", "--elf", ELF, "--port", "vb"], 1, "guest.name: guest 'g1' already exists [ALREADY_EXISTS]"),
        (["guest-add", "br0", "g2", "--elf", ELF, "--port", "va"], 1,
         "guest.nics[0].port: port 'va' is already NIC 0 of guest 'g1' [ALREADY_EXISTS]"),
        (["del-port", "br0", "va"], 1, "port: port 'va' is a NIC of guest 'g1'; remove the guest first (guest-del g1) [FAILED_PRECONDITION]"),
        (["del-br", "br0"], 1, "bridge: bridge 'br0' has guests ('g1')"),
    ]:
        r = d.ctl(*args)
        check(r.returncode == code and text in r.stderr, f"{' '.join(args[:3])} ... -> {text}", r.stderr)
    check(show_config_part(d) == before and canonical_json(d.config_now()) == config_before,
          "after them, show --json (less the guest's process state) and the configuration are unchanged")

    r = d.ctl("guest-del", "g1", json_out=True)
    check(r.returncode == 0, "guest-del g1", r.stderr)
    time.sleep(0.3)
    left = [p for p in seen_pids if pid_alive(p)]
    check(not left, "no strata-hv PID of g1 is left", left)
    check(guests(d) == {} and not d.config_now().get("guests"), "g1 is gone from guest-list and the configuration")
    r = d.ctl("del-port", "br0", "va")
    check(r.returncode == 0, "its port can be removed now", r.stderr)
    check(d.stop() == 0, "stratad stops cleanly")


STAND_IN = """#!/bin/sh
# stand-in for strata-hv: records its command line, then lives until killed
echo "$@" > "{argv_file}.$$"
echo "stand-in up"
echo "stand-in stderr line" >&2
exec sleep 600
"""


def stand_in(work):
    print("== with a stand-in strata-hv that stays up")
    argv_file = work.path("argv")
    hv = work.path("fake-strata-hv")
    with open(hv, "w") as f:
        f.write(STAND_IN.format(argv_file=argv_file))
    os.chmod(hv, 0o755)
    gdir = work.path("guests-b")
    d = Stratad(work, "b", extra=["--guest-dir", gdir, "--hv", hv])
    if not check(d.start(), "stratad starts") or not setup(d, work):
        return
    r = d.ctl("guest-add", "br0", "g1", "--elf", ELF, "--memory", "16", "--vcpus", "2",
              "--port", "va,mac=02:00:00:00:00:0a", "--port", "vb", "--cmdline", "strata.echo=1 x=y", json_out=True)
    if not check(r.returncode == 0, "guest-add with two NICs", r.stderr):
        return
    pid = json.loads(r.stdout)["guest"]["pid"]
    check(pid_alive(pid), f"its process runs (pid {pid})")
    check(os.sched_getscheduler(d.proc.pid) == os.SCHED_BATCH and os.sched_getscheduler(pid) == os.SCHED_OTHER,
          "forked by the SCHED_BATCH control thread, the guest's process is SCHED_OTHER")
    argv = wait_for(lambda: open(f"{argv_file}.{pid}").read().strip() if os.path.exists(f"{argv_file}.{pid}") else None, 5)
    want = (f"--elf {ELF} --cmdline strata.echo=1 x=y --memory 16 --vcpus 2 "
            f"--net vhost-user={work.path('va.sock')},mac=02:00:00:00:00:0a --net vhost-user={work.path('vb.sock')} "
            f"--control {gdir}/g1.ctl")
    check(argv == want, "strata-hv's command line", f"got:  {argv}\nwant: {want}")
    g = guests(d)["g1"]
    check(g["state"] == "GUEST_STATE_RUNNING" and g["pid"] == pid and int(g.get("uptime_ms", 0)) > 0,
          "guest-list: running, with its pid and uptime", g)
    console = open(g["console_file"]).read() if os.path.exists(g["console_file"]) else ""
    check("stand-in up" in console, "its stdout went to the console file")

    # guest-pause and friends reach strata-hv's control socket; the stand-in
    # has none, and the refusal says so. (The real thing: hv_nested_stratad_restart.)
    r = d.ctl("guest-pause", "g1")
    check(r.returncode != 0 and "cannot connect to strata-hv's control socket" in r.stderr
          and f"{gdir}/g1.ctl" in r.stderr, "guest-pause without a control socket: a clear error", r.stderr)
    r = d.ctl("guest-resume", "nope")
    check(r.returncode != 0 and "no guest 'nope'" in r.stderr, "guest-resume of an unknown guest: NOT_FOUND", r.stderr)
    r = d.ctl("guest-snapshot", "g1")
    check(r.returncode != 0, "guest-snapshot without a directory is refused", r.stderr)

    # guest-del of a live guest: SIGTERM (sleep dies of it).
    t = time.time()
    r = d.ctl("guest-del", "g1", json_out=True)
    took = time.time() - t
    last = json.loads(r.stdout).get("guest", {}) if r.returncode == 0 else {}
    check(r.returncode == 0 and last.get("last_signal") == signal.SIGTERM and took < 2.0,
          f"guest-del stops it with SIGTERM ({took:.2f} s)", r.stderr + str(last))
    check(not pid_alive(pid), f"pid {pid} is gone")
    check(last.get("last_error") == "stand-in stderr line", "its last stderr line is reported", last)

    # A guest from a snapshot directory (guest-restore) and a clone of a
    # template (guest-clone): strata-hv --restore [--clone] on the ports given.
    snap = work.path("snap")
    os.makedirs(snap, exist_ok=True)
    open(os.path.join(snap, "state"), "wb").close()
    r = d.ctl("guest-restore", "br0", "g2", snap, "--port", "va", json_out=True)
    if check(r.returncode == 0, "guest-restore", r.stderr):
        pid = json.loads(r.stdout)["guest"]["pid"]
        argv = wait_for(lambda: open(f"{argv_file}.{pid}").read().strip() if os.path.exists(f"{argv_file}.{pid}") else None, 5)
        want = f"--restore {snap} --net vhost-user={work.path('va.sock')} --control {gdir}/g2.ctl"
        check(argv == want, "guest-restore: strata-hv's command line", f"got:  {argv}\nwant: {want}")
        check(d.ctl("guest-del", "g2").returncode == 0, "guest-del g2")
    r = d.ctl("guest-clone", snap, "g3", "--bridge", "br0", "--port", "va")
    check(r.returncode != 0 and "a clone's NIC needs a MAC of its own" in r.stderr, "guest-clone without mac= is refused", r.stderr)
    r = d.ctl("guest-clone", snap, "g3", "--bridge", "br0", "--port", "va,mac=02:00:00:00:01:01", json_out=True)
    if check(r.returncode == 0, "guest-clone", r.stderr):
        pid = json.loads(r.stdout)["guest"]["pid"]
        argv = wait_for(lambda: open(f"{argv_file}.{pid}").read().strip() if os.path.exists(f"{argv_file}.{pid}") else None, 5)
        want = f"--restore {snap} --clone --net vhost-user={work.path('va.sock')},mac=02:00:00:00:01:01 --control {gdir}/g3.ctl"
        check(argv == want, "guest-clone: strata-hv's command line", f"got:  {argv}\nwant: {want}")
        check(d.ctl("guest-del", "g3").returncode == 0, "guest-del g3")
    r = d.ctl("guest-restore", "br0", "g4", work.path("no-snapshot"), "--port", "va")
    check(r.returncode != 0, "guest-restore of a directory that is not there is refused", r.stderr)

    # Guests outlive stratad: SIGTERM leaves the guest running, the next
    # stratad adopts it (same PID), kill -9 too.
    r = d.ctl("guest-add", "br0", "g1", "--elf", ELF, "--memory", "16", "--port", "va")
    check(r.returncode == 0, "guest-add again", r.stderr)
    pid1 = guests(d)["g1"].get("pid")
    config = canonical_json(d.config_now())
    check(d.stop() == 0, "stratad stops on SIGTERM")
    check(pid1 and pid_alive(pid1), f"its guest keeps running after stratad stopped (pid {pid1})")
    if not check(d.start(), "stratad starts again on the same db"):
        os.kill(pid1, signal.SIGKILL)
        return
    check(canonical_json(d.config_now()) == config, "the guest is still configured")
    g = guests(d).get("g1", {})
    check(g.get("pid") == pid1 and g.get("state") == "GUEST_STATE_RUNNING" and g.get("restarts", 0) == 0,
          f"the restarted stratad adopted the running guest instead of starting another (pid {pid1})", g)
    check(len([p for p in os.listdir("/proc") if p.isdigit() and os.path.exists(f"{argv_file}.{p}")]) == 1,
          "one stand-in process, not two")

    d.kill9()
    check(pid_alive(pid1), f"kill -9 of stratad leaves the guest running (pid {pid1})")
    if not check(d.start(), "stratad starts after kill -9"):
        os.kill(pid1, signal.SIGKILL)
        return
    g = guests(d).get("g1", {})
    check(g.get("pid") == pid1, "and adopts it again", g)

    # An adopted guest that dies is not stratad's child, yet it is noticed
    # and restarted like any other.
    os.kill(pid1, signal.SIGKILL)
    g = wait_for(lambda: (lambda g: g if g.get("pid") and g["pid"] != pid1 else None)(guests(d).get("g1", {})), 5)
    pid3 = g.get("pid") if g else None
    check(pid3 and pid_alive(pid3) and g.get("restarts") == 1, "an adopted guest that died is restarted", g)
    check(d.ctl("guest-del", "g1").returncode == 0 and not pid_alive(pid3), "guest-del; nothing left")
    check(d.stop() == 0, "stratad stops cleanly")


def main():
    for f in (HV, ELF):
        if not os.path.exists(f):
            print(f"mgmt_guest: {f} is not built")
            return 1
    with Work("guest") as work:
        real_hv(work)
        stand_in(work)
    return finish("mgmt_guest")


if __name__ == "__main__":
    sys.exit(main())
