#!/usr/bin/env python3
"""Two stratad instances side by side, with their own --file-prefix,
--mgmt and --db: each serves and persists only its own configuration. A
third that names an address, db or pidfile already in use is refused with
a clear line and leaves the other two alone."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import STRATAD, Stratad, Work, check, finish, free_tcp_port  # noqa: E402


def main():
    with Work("two") as work:
        tcp = free_tcp_port()
        a = Stratad(work, "a", extra=["--pidfile", work.path("a.pid")])
        b = Stratad(work, "b", mgmt=f"tcp:127.0.0.1:{tcp}")
        if not (check(a.start(), "instance a starts (unix socket)") and check(b.start(), "instance b starts (TCP)")):
            return finish("mgmt_two_instances")
        check(a.file_prefix != b.file_prefix, "they run with different DPDK file prefixes")
        for d, br, port in ((a, "bra", "pa"), (b, "brb", "pb")):
            check(d.ctl("add-br", br).returncode == 0, f"{d.name}: add-br {br}")
            # Same ring name in both: rings are per DPDK process.
            check(d.ctl("add-port", br, port, "--type", "ring").returncode == 0, f"{d.name}: add-port {port}")
            check(d.ctl("add-port", br, "same", "--type", "ring").returncode == 0,
                  f"{d.name}: a ring port named 'same' in each instance")
        check(a.ctl("list-br").stdout == "bra\n" and b.ctl("list-br").stdout == "brb\n",
              "each instance lists only its own bridge")
        check(set(p["port"]["name"] for p in b.ctl_json("list-ports", "brb")["ports"]) == {"pb", "same"},
              "instance b's ports are its own")
        check(a.ctl("show", "brb").returncode == 1, "instance a does not know bridge brb")

        # A third daemon on a's db, a's socket, a's pidfile: each refused.
        def third(args, text, what):
            r = subprocess.run([STRATAD, "--file-prefix", work.prefix(), "--memory", "256", "--mbufs", "8191"] + args,
                               capture_output=True, text=True, timeout=60)
            check(r.returncode == 1 and text in r.stderr, what, f"exit {r.returncode}: {r.stderr}")

        third(["--db", a.db, "--mgmt", f"unix:{work.path('c.sock')}"], "is in use by another stratad",
              "a third stratad on a's db is refused")
        third(["--db", work.path("c.db"), "--mgmt", a.mgmt], "another stratad serves this socket",
              "a third stratad on a's socket is refused")
        third(["--db", work.path("c.db"), "--mgmt", f"tcp:127.0.0.1:{tcp}"], "cannot listen there",
              "a third stratad on b's TCP port is refused")
        third(["--db", work.path("c2.db"), "--mgmt", f"unix:{work.path('c2.sock')}", "--pidfile", work.path("a.pid")],
              f"is held by another stratad (pid {a.proc.pid})", "a third stratad on a's pidfile is refused")
        check(a.alive() and b.alive(), "both instances still run")
        check(os.path.exists(a.sock) and a.ctl("list-br").stdout == "bra\n", "a's socket still serves a")

        check(a.stop() == 0 and b.stop() == 0, "both stop cleanly")
        check(not os.path.exists(work.path("a.pid")), "a's pidfile is removed")
        # Each db holds its own configuration.
        a2 = Stratad(work, "a", db=a.db)
        b2 = Stratad(work, "b", db=b.db, mgmt=b.mgmt)
        if check(a2.start() and b2.start(), "both restart from their dbs"):
            check(a2.ctl("list-br").stdout == "bra\n" and b2.ctl("list-br").stdout == "brb\n",
                  "each restored its own configuration")
            a2.stop()
            b2.stop()
    return finish("mgmt_two_instances")


if __name__ == "__main__":
    sys.exit(main())
