#!/usr/bin/env python3
"""The db and the socket: every change is on disk when the reply comes;
--config seeds an empty db (a restart with the same --config runs the db,
a different one is refused); a damaged db stops the daemon with the reason
and --db-reset starts over, keeping the bad file; the socket is created
0600 in a directory made if missing, a stale one is replaced; a dumped
configuration is a valid --config."""
import glob
import os
import stat
import struct
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from harness import STRATAD, Stratad, Work, canonical_json, check, finish, grpc_stubs  # noqa: E402


def read_db(path, pb):
    """Decodes the db file format (daemon/config_store.h) independently."""
    data = open(path, "rb").read()
    assert data[:8] == b"STRATADB", "magic"
    version, crc, length, seed = struct.unpack("<IIQQ", data[8:32])
    assert version == 1 and length == len(data) - 32 and zlib.crc32(data[16:]) == crc, "header"
    c = pb["config_pb2"].Config()
    c.ParseFromString(data[32:])
    return c


def main():
    with Work("persist") as work:
        pb = grpc_stubs(work)
        seed = work.path("seed.conf")
        with open(seed, "w") as f:
            f.write('bridges { name: "br0" ports { name: "p1" type: "null" '
                    'options { key: "no-rx" value: "1" } access { stack { tags { tpid: 0x88a8 vid: 5 } } } } }\n')
        sockdir = work.path("run", "deeper")  # does not exist yet
        d = Stratad(work, "a", config=seed, mgmt=f"unix:{sockdir}/s.sock", db=work.path("lib", "conf.db"))
        d.sock = f"{sockdir}/s.sock"
        if not check(d.start(), "stratad starts; the socket's and the db's directories are created"):
            return finish("mgmt_persistence")
        st = os.stat(d.sock)
        check(stat.S_ISSOCK(st.st_mode) and (st.st_mode & 0o777) == 0o600, "the socket is mode 0600",
              oct(st.st_mode))
        check((os.stat(d.db).st_mode & 0o777) == 0o600, "the db is mode 0600")
        c = read_db(d.db, pb)
        check([b.name for b in c.bridges] == ["br0"] and c.bridges[0].ports[0].ofport == 1,
              "--config seeded the db, with the ofport the switch gave")

        # Every acknowledged change is in the file when stratactl returns.
        steps = [(["add-br", "br1"], lambda c: [b.name for b in c.bridges] == ["br0", "br1"]),
                 (["add-port", "br1", "q1", "--type", "ring"], lambda c: c.bridges[1].ports[0].name == "q1"),
                 (["set-controller", "br1", "tcp:127.0.0.1:6653"], lambda c: list(c.bridges[1].controllers) == ["tcp:127.0.0.1:6653"]),
                 (["del-port", "br0", "p1"], lambda c: len(c.bridges[0].ports) == 0),
                 (["add-port", "br0", "p1", "--type", "null", "--opt", "no-rx=1"], lambda c: c.bridges[0].ports[0].name == "p1")]
        for args, holds in steps:
            r = d.ctl(*args)
            check(r.returncode == 0 and holds(read_db(d.db, pb)), f"after '{' '.join(args)}' returns, the db holds it",
                  r.stderr)
        check(not glob.glob(d.db + ".tmp*"), "no temporary file is left beside the db")
        acked = canonical_json(d.config_now())
        check(d.stop() == 0, "clean stop")
        check(not os.path.exists(d.sock), "the socket is removed on a clean stop")

        # Same command line: the db, not the seed.
        if check(d.start(), "restart with the same --config"):
            check(canonical_json(d.config_now()) == acked, "it runs the db (the acknowledged state), not the seed")
            d.kill9()
        check(os.path.exists(d.sock), "kill -9 leaves the socket file behind")
        if check(d.start(), "restart after kill -9: the stale socket is replaced"):
            check(d.ctl("list-br").stdout == "br0\nbr1\n", "and it serves")
            d.stop()

        # Another --config: refused, with what to do.
        other = work.path("other.conf")
        with open(other, "w") as f:
            f.write('bridges { name: "other" }\n')
        d.config = other
        check(not d.start(expect_running=False), "a different --config against a populated db is refused")
        check(d.proc.returncode == 1 and "is not the configuration that seeded db" in d.log_text()
              and "--db-reset" in d.log_text(), "... saying why and what to do", d.log_text()[-600:])
        # --db-reset: start over from --config; the old db kept aside.
        if check(d.start(extra=["--db-reset"]), "--db-reset starts over from --config"):
            check(d.ctl("list-br").stdout == "other\n", "the new configuration runs")
            kept = glob.glob(d.db + ".bad-*")
            check(len(kept) == 1 and [b.name for b in read_db(kept[0], pb).bridges] == ["br0", "br1"],
                  "the old db is kept aside, intact")
            d.stop()

        # A damaged db: every kind refuses to start, saying why.
        d.config = None
        good = open(d.db, "rb").read()
        for what, data, reason in (("truncated", good[:-3], "payload is"),
                                   ("a flipped byte", good[:40] + bytes([good[40] ^ 1]) + good[41:], "checksum mismatch"),
                                   ("not a db", b"hello, world: this is no Strata db at all", "not a Strata db"),
                                   ("empty", b"", "truncated")):
            with open(d.db, "wb") as f:
                f.write(data)
            check(not d.start(expect_running=False) and d.proc.returncode == 1, f"db {what}: stratad refuses to start")
            check(reason in d.log_text() and "refusing to start" in d.log_text(),
                  f"db {what}: the reason is said ('{reason}')", d.log_text()[-400:])
            check(open(d.db, "rb").read() == data, f"db {what}: the file is left untouched")
        if check(d.start(extra=["--db-reset"]), "--db-reset starts empty past a damaged db"):
            check(d.ctl("list-br").stdout == "", "empty configuration")
            check(any(open(p, "rb").read() == b"" for p in glob.glob(d.db + ".bad-*")), "the damaged file is kept aside")
            d.stop()

        # What dump-config prints is a --config: a new daemon from it shows the same.
        src = Stratad(work, "src")
        if check(src.start(), "a daemon to dump"):
            for args in (["add-br", "x0", "--fail-mode", "secure"],
                         ["add-port", "x0", "a", "--type", "null", "--opt", "no-rx=1", "--access", "9100:3/8100:4:5"],
                         ["add-port", "x0", "t", "--type", "ring", "--trunk", "88a8:*/8100:9"]):
                src.ctl(*args)
            conf = work.path("dumped.conf")
            with open(conf, "w") as f:
                f.write(src.ctl("dump-config").stdout)
            dumped = canonical_json(src.config_now())
            src.stop()
            copy = Stratad(work, "copy", config=conf)
            if check(copy.start(), "stratad --config <dump-config output> starts"):
                check(canonical_json(copy.config_now()) == dumped, "and runs the same configuration")
                copy.stop()

        # --no-db keeps nothing.
        nodb = subprocess.run([STRATAD, "--no-db", "--db", "/x"], capture_output=True, text=True)
        check(nodb.returncode == 2 and "--no-db cannot be combined" in nodb.stderr, "--no-db with --db is a usage error")
    return finish("mgmt_persistence")


if __name__ == "__main__":
    sys.exit(main())
