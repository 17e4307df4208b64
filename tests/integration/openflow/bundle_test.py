#!/usr/bin/python3
"""Bundles (OpenFlow 1.4's, as ONF extension 230 offers them to 1.3):
`ovs-ofctl -O OpenFlow13 --bundle` adds a flow file all or nothing, and a
raw socket checks what ovs-ofctl never sends: a commit whose third message
fails leaves the tables exactly as they were (the failing message gets its
own error, the commit MSG_FAILED), every bundle error code, and that a
bundle left open when its connection ends is never applied.
"""
import struct

import ofwire as w
from harness import Stratad, Workdir, check, finish, flows_of, log, main_of

NULL = ' type: "null" options { key: "no-rx" value: "1" }'
ONF = 0x4F4E4600
CONTROL, ADD = 2300, 2301
OPEN, OPEN_REPLY, CLOSE, CLOSE_REPLY, COMMIT, COMMIT_REPLY, DISCARD, DISCARD_REPLY = range(8)
ATOMIC, ORDERED = 1, 2
EXPERIMENTER_ERROR = 0xFFFF
(BAD_ID, BUNDLE_EXIST, BUNDLE_CLOSED, OUT_OF_BUNDLES, BAD_TYPE, BAD_FLAGS, MSG_BAD_LEN, MSG_BAD_XID, MSG_UNSUP,
 MSG_FAILED) = 2302, 2303, 2304, 2305, 2306, 2307, 2308, 2309, 2310, 2313
BAD_REQUEST, BAD_MATCH, FLOW_MOD_FAILED = 1, 4, 5


def control(ctype, bundle_id, flags=ATOMIC | ORDERED, xid=1, props=b""):
    return w.msg(w.EXPERIMENTER, struct.pack("!IIIHH", ONF, CONTROL, bundle_id, ctype, flags) + props, xid)


def add(bundle_id, inner, flags=ATOMIC | ORDERED, xid=1):
    """inner: a whole message; its xid is set to the bundle message's."""
    inner = inner[:4] + struct.pack("!I", xid) + inner[8:]
    return w.msg(w.EXPERIMENTER, struct.pack("!IIIHH", ONF, ADD, bundle_id, 0, flags) + inner, xid)


def port_flow(in_port, out, priority=100, command=0, flags=0):
    return w.flow_mod(w.match(w.oxm(0, struct.pack("!I", in_port))), w.apply_actions(w.output(out)),
                      command=command, priority=priority, flags=flags)


class Client:
    def __init__(self, sw):
        self.c = w.Conn(sw.of_port)
        self.xid = 0x100

    def request(self, make, *args, **kw):
        """Sends make(..., xid=X) with a fresh X; returns X."""
        self.xid += 1
        self.c.send(make(*args, xid=self.xid, **kw))
        return self.xid

    def reply(self, xid):
        return self.c.wait_for(xid)

    def ctrl_ok(self, ctype, bundle_id, want, flags=ATOMIC | ORDERED):
        xid = self.request(control, ctype, bundle_id, flags)
        m = self.reply(xid)
        if m is None or m[1] != w.EXPERIMENTER:
            return False
        exp, etype, bid, rtype = struct.unpack("!IIIH", m[3][:14])
        return (exp, etype, bid, rtype) == (ONF, CONTROL, bundle_id, want)

    def barrier(self):
        self.xid += 1
        self.c.send(w.msg(w.BARRIER_REQUEST, xid=self.xid))
        return self.reply(self.xid) is not None


def dump(sw):
    return sw.ofctl("dump-flows").stdout


def error_of(m):
    """(type, code[, experimenter]) of an ERROR message, or None."""
    if m is None or m[1] != w.ERROR:
        return None
    t, code = struct.unpack("!HH", m[3][:4])
    if t == EXPERIMENTER_ERROR:
        return (t, code, struct.unpack("!I", m[3][4:8])[0])
    return (t, code)


def bundle_error(code):
    return (EXPERIMENTER_ERROR, code, ONF)


def main():
    work = Workdir()
    sw = Stratad(work, "".join('  ports { name: "p%d" ofport: %d%s }\n' % (i, i, NULL) for i in (1, 2, 3)))

    log("ovs-ofctl --bundle add-flows: 2000 flows as one")
    path = work.file("flows.txt")
    with open(path, "w") as f:
        for i in range(2000):
            f.write("priority=%d,in_port=%d,dl_dst=02:00:00:00:%02x:%02x,actions=output:%d\n"
                    % (100 + i % 7, 1 + i % 3, i >> 8, i & 0xFF, 1 + (i + 1) % 3))
    sw.ofctl("add-flows", path, opts=["--bundle"])
    dumped = flows_of(sw.ofctl("dump-flows").stdout)
    check(len(dumped) == 2000, "dump-flows returns the 2000 flows (%d)" % len(dumped))

    log("ovs-ofctl --bundle with one bad flow: nothing is added")
    bad = work.file("bad.txt")
    with open(bad, "w") as f:
        f.write("priority=5,in_port=1,actions=output:2\n")
        f.write("priority=5,in_port=2,actions=group:77\n")  # no group 77
        f.write("priority=5,in_port=3,actions=output:1\n")
    r = sw.ofctl("add-flows", bad, opts=["--bundle"], check_rc=False)
    check(r.returncode != 0 and "OFPBAC_BAD_OUT_GROUP" in r.stderr,
          "ovs-ofctl exits %d naming the bad flow's error: %s" % (r.returncode, r.stderr.strip()[:200]))
    check(flows_of(dump(sw)) == dumped, "... and the flow tables are unchanged")
    sw.ofctl("del-flows", opts=["--bundle"])
    check(len(flows_of(dump(sw))) == 0, "--bundle del-flows empties the tables")

    log("a raw bundle: open, add, close, commit")
    c = Client(sw)
    check(c.ctrl_ok(OPEN, 7, OPEN_REPLY), "OPEN_REQUEST: OPEN_REPLY")
    for in_port, out in ((1, 2), (2, 3), (3, 1)):
        c.request(add, 7, port_flow(in_port, out))
    check(c.barrier() and error_of(c.c.recv(timeout=0.2)) is None, "three ADDs, no error")
    check(len(flows_of(dump(sw))) == 0, "staged flows are not in the tables before the commit")
    check(c.ctrl_ok(CLOSE, 7, CLOSE_REPLY), "CLOSE_REQUEST: CLOSE_REPLY")
    xid = c.request(add, 7, port_flow(1, 3, priority=9))
    check(error_of(c.reply(xid)) == bundle_error(BUNDLE_CLOSED), "ADD to a closed bundle: BUNDLE_CLOSED")
    check(c.ctrl_ok(COMMIT, 7, COMMIT_REPLY), "COMMIT_REQUEST: COMMIT_REPLY")
    committed = flows_of(dump(sw))
    check(len(committed) == 3, "the three flows are in the tables (%d)" % len(committed))
    xid = c.request(control, COMMIT, 7)
    check(error_of(c.reply(xid)) == bundle_error(BAD_ID), "a committed bundle is gone: COMMIT again is BAD_ID")

    log("every kind of change in one bundle")
    check(c.ctrl_ok(OPEN, 8, OPEN_REPLY), "OPEN bundle 8")
    c.request(add, 8, port_flow(1, 3, priority=50))            # a new entry
    c.request(add, 8, port_flow(2, 1, command=2))              # MODIFY_STRICT in_port=2
    c.request(add, 8, port_flow(3, 2))                         # replaces in_port=3
    c.request(add, 8, port_flow(1, 2, command=4))              # DELETE_STRICT in_port=1, priority 100
    check(c.ctrl_ok(COMMIT, 8, COMMIT_REPLY), "bundle 8 commits")
    after8 = flows_of(dump(sw))
    check(len(after8) == 3 and after8 != committed, "bundle 8 changed the tables: %s" % sorted(after8))

    log("a commit whose third message fails changes nothing")
    check(c.ctrl_ok(OPEN, 10, OPEN_REPLY), "OPEN bundle 10")
    overlap_a = w.flow_mod(w.match(w.oxm(0, struct.pack("!I", 3))), w.apply_actions(w.output(1)), priority=300)
    # Overlaps overlap_a (an IPv4 frame from port 3 matches both): CHECK_OVERLAP
    # fails, but only once overlap_a is in the table, i.e. at the commit.
    overlap_b = w.flow_mod(w.match(w.oxm(5, b"\x08\x00")), w.apply_actions(w.output(1)), priority=300, flags=2)
    c.request(add, 10, port_flow(2, 2, priority=400))
    c.request(add, 10, overlap_a)
    xid_b = c.request(add, 10, overlap_b)
    c.request(add, 10, port_flow(1, 1, command=3))  # DELETE in_port=1
    check(c.barrier() and error_of(c.c.recv(timeout=0.2)) is None, "four ADDs, no error")
    xid = c.request(control, COMMIT, 10)
    first = c.c.wait_for(xid_b)
    inner_b = overlap_b[:4] + struct.pack("!I", xid_b) + overlap_b[8:]
    check(error_of(first) == (FLOW_MOD_FAILED, 3) and first[3][4:] == inner_b[:64],
          "the third message fails at the commit: FLOW_MOD_FAILED/OVERLAP with its own xid and bytes (%s)"
          % (error_of(first),))
    check(error_of(c.reply(xid)) == bundle_error(MSG_FAILED), "... and the commit: MSG_FAILED")
    check(flows_of(dump(sw)) == after8, "... and the flow tables are exactly as before the commit")

    log("bundle errors")
    check(c.ctrl_ok(OPEN, 9, OPEN_REPLY), "OPEN bundle 9")
    good = port_flow(1, 2)
    cases = [  # (what, message for an xid, expected error)
        ("OPEN of an open bundle", lambda x: control(OPEN, 9, xid=x), bundle_error(BUNDLE_EXIST)),
        ("CLOSE of a bundle never opened", lambda x: control(CLOSE, 99, xid=x), bundle_error(BAD_ID)),
        ("DISCARD of a bundle never opened", lambda x: control(DISCARD, 99, xid=x), bundle_error(BAD_ID)),
        ("unknown flags", lambda x: control(OPEN, 11, flags=8, xid=x), bundle_error(BAD_FLAGS)),
        ("COMMIT with other flags than OPEN", lambda x: control(COMMIT, 9, flags=ATOMIC, xid=x), bundle_error(BAD_FLAGS)),
        ("ADD with other flags than OPEN", lambda x: add(9, good, flags=ORDERED, xid=x), bundle_error(BAD_FLAGS)),
        ("a reply type as a request", lambda x: control(OPEN_REPLY, 9, xid=x), bundle_error(BAD_TYPE)),
        ("bundle properties", lambda x: control(OPEN, 12, props=struct.pack("!HH4x", 0xFFFF, 8), xid=x), (BAD_REQUEST, 6)),
        ("an inner xid other than the outer",
         lambda x: w.msg(w.EXPERIMENTER, struct.pack("!IIIHH", ONF, ADD, 9, 0, 3) + good, x), bundle_error(MSG_BAD_XID)),
        ("an inner message longer than the bundle message", lambda x: add(9, good, xid=x)[:-8], bundle_error(MSG_BAD_LEN)),
        ("PACKET_OUT in a bundle",
         lambda x: add(9, w.msg(w.PACKET_OUT, struct.pack("!IIH6x", w.NO_BUFFER, 0xFFFFFFFD, 0)), xid=x), bundle_error(MSG_UNSUP)),
        ("an inner FLOW_MOD with a bad match", lambda x: add(9, w.flow_mod(w.match(w.oxm(45, b"\0"))), xid=x), (BAD_MATCH, 6)),
        ("an unknown ONF message", lambda x: w.msg(w.EXPERIMENTER, struct.pack("!II", ONF, 2399), x), (BAD_REQUEST, 4)),
        ("another experimenter", lambda x: w.msg(w.EXPERIMENTER, struct.pack("!II", 0x2320, 2300), x), (BAD_REQUEST, 3)),
    ]
    for n, (what, make, want) in enumerate(cases):
        xid = 0x3000 + n
        data = make(xid)
        if what.startswith("an inner message longer"):  # the outer length must still frame the stream
            data = data[:2] + struct.pack("!H", len(data)) + data[4:]
        c.c.send(data)
        m = c.reply(xid)
        got = error_of(m)
        echoed = m[3][8:] if got is not None and got[0] == EXPERIMENTER_ERROR else (m[3][4:] if m else b"")
        check(got == want and echoed == data[:64], "%s: %s (got %s), the request echoed" % (what, want, got))
    check(c.c.echo_ok(), "the session answers ECHO after every error")
    check(c.ctrl_ok(DISCARD, 9, DISCARD_REPLY), "DISCARD bundle 9: DISCARD_REPLY")
    xid = c.request(control, COMMIT, 9)
    check(error_of(c.reply(xid)) == bundle_error(BAD_ID), "... then it is gone: COMMIT is BAD_ID")
    check(flows_of(dump(sw)) == after8, "no error above changed the tables")

    opened = [c.ctrl_ok(OPEN, 100 + i, OPEN_REPLY) for i in range(16)]
    check(all(opened), "16 bundles open on one connection")
    xid = c.request(control, OPEN, 200)
    check(error_of(c.reply(xid)) == bundle_error(OUT_OF_BUNDLES), "the 17th: OUT_OF_BUNDLES")

    log("a bundle left open when its connection ends is never applied")
    d = Client(sw)
    check(d.ctrl_ok(OPEN, 1, OPEN_REPLY), "second connection: OPEN bundle 1 (ids are per connection)")
    d.request(add, 1, port_flow(3, 2, priority=999))
    check(d.barrier(), "its add is answered")
    d.c.sock.close()
    c.c.sock.close()
    e = Client(sw)
    check(e.barrier(), "a third connection works")
    check(flows_of(dump(sw)) == after8, "the tables hold nothing of the abandoned bundles")
    check(sw.alive(), "stratad is still running")
    finish()


if __name__ == "__main__":
    main_of(main)
