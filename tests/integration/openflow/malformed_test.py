#!/usr/bin/python3
"""Malformed OpenFlow over a raw socket: every class of bad message gets
OFPT_ERROR with the type and code OpenFlow 1.3 names for it, echoing the
request's xid and first bytes, and the session stays up (the next ECHO is
answered). A failed FLOW_MOD changes nothing. Only an unframeable stream
(length < 8) and a failed HELLO end the connection.
"""
import struct

import ofwire as w
from harness import Failed, Stratad, Workdir, check, finish, log, main_of

NULL = ' type: "null" options { key: "no-rx" value: "1" }'

# Error types and codes (OpenFlow 1.3, A.4.4).
BAD_REQUEST, BAD_ACTION, BAD_INSTRUCTION, BAD_MATCH, FLOW_MOD_FAILED, GROUP_MOD_FAILED, PORT_MOD_FAILED = 1, 2, 3, 4, 5, 6, 7
TABLE_MOD_FAILED, SWITCH_CONFIG_FAILED, ROLE_REQUEST_FAILED, HELLO_FAILED = 8, 10, 11, 0

IN_PORT_1 = w.oxm(0, struct.pack("!I", 1))
ETH_IP = w.oxm(5, b"\x08\x00")


def group_mod(command, gtype, gid, buckets=b""):
    return w.msg(w.GROUP_MOD, struct.pack("!HBxI", command, gtype, gid) + buckets)


def bucket(actions, weight=0, watch_port=w.ANY, watch_group=w.ANY):
    return struct.pack("!HHII4x", 16 + len(actions), weight, watch_port, watch_group) + actions


def multipart(mtype, body=b"", xid=1):
    return w.msg(w.MULTIPART_REQUEST, struct.pack("!HH4x", mtype, 0) + body, xid)


def cases():
    """(what, message, expected type, expected code)"""
    runt_frame = b"\x01\x02\x03"
    arp = bytes.fromhex("ffffffffffff0200000000010806000108000604000102000000000" "10a000001000000000000" "0a000002")
    return [
        ("wrong version after negotiation", w.msg(w.FEATURES_REQUEST, version=1), BAD_REQUEST, 0),
        ("unknown message type", w.msg(40), BAD_REQUEST, 1),
        ("a controller-bound type (FEATURES_REPLY)", w.msg(w.FEATURES_REPLY, b"\0" * 24), BAD_REQUEST, 1),
        ("FEATURES_REQUEST longer than it is", w.msg(w.FEATURES_REQUEST, b"\0" * 4), BAD_REQUEST, 6),
        ("SET_CONFIG cut short", w.msg(w.SET_CONFIG, b"\0\0"), BAD_REQUEST, 6),
        ("oversized BARRIER_REQUEST", w.msg(w.BARRIER_REQUEST, b"\0" * 64), BAD_REQUEST, 6),
        ("FLOW_MOD shorter than its fixed part", w.msg(w.FLOW_MOD, b"\0" * 32), BAD_REQUEST, 6),
        ("experimenter message", w.msg(w.EXPERIMENTER, struct.pack("!II", 0x2320, 1)), BAD_REQUEST, 3),
        ("unknown multipart type", multipart(99), BAD_REQUEST, 2),
        ("port stats of a missing port", multipart(4, struct.pack("!I4x", 77)), BAD_REQUEST, 11),
        ("flow stats of table 254 (valid)", multipart(1, struct.pack("!B3xII4xQQ", 254, w.ANY, w.ANY, 0, 0) + w.match()), None, None),
        ("PACKET_OUT naming a buffer", w.msg(w.PACKET_OUT, struct.pack("!IIH6x", 5, 0xfffffffd, 16) + w.output(1) + arp), BAD_REQUEST, 8),
        ("PACKET_OUT with a runt frame", w.msg(w.PACKET_OUT, struct.pack("!IIH6x", w.NO_BUFFER, 0xfffffffd, 16) + w.output(1) + runt_frame), BAD_REQUEST, 12),
        ("PACKET_OUT actions_len past the end", w.msg(w.PACKET_OUT, struct.pack("!IIH6x", w.NO_BUFFER, 0xfffffffd, 64) + w.output(1)), BAD_REQUEST, 6),
        ("match type STANDARD (1.0 style)", w.flow_mod(w.match(mtype=0)), BAD_MATCH, 0),
        ("OXM with a wrong length", w.flow_mod(w.match(struct.pack("!I", 0x80000003) + b"\0\0\0")), BAD_MATCH, 1),
        ("unknown OXM field", w.flow_mod(w.match(w.oxm(45, b"\0"))), BAD_MATCH, 6),
        ("masked in_port", w.flow_mod(w.match(w.oxm(0, b"\0\0\0\1", b"\xff\xff\xff\xff"))), BAD_MATCH, 8),
        ("value bits outside the mask", w.flow_mod(w.match(w.oxm(3, b"\xff" * 6, b"\xf0" + b"\0" * 5))), BAD_MATCH, 5),
        ("vlan_pcp of 9", w.flow_mod(w.match(w.oxm(6, b"\x10\x05"), w.oxm(7, b"\x09"))), BAD_MATCH, 7),
        ("ipv4_src without eth_type", w.flow_mod(w.match(w.oxm(11, b"\x0a\0\0\1"))), BAD_MATCH, 9),
        ("a field twice", w.flow_mod(w.match(IN_PORT_1, IN_PORT_1)), BAD_MATCH, 10),
        ("action length not a multiple of 8", w.flow_mod(instructions=w.apply_actions(struct.pack("!HHI4x", 0, 12, 1) + b"\0" * 4)), BAD_ACTION, 1),
        ("unknown action type", w.flow_mod(instructions=w.apply_actions(struct.pack("!HH4x", 99, 8))), BAD_ACTION, 0),
        ("output to port 0", w.flow_mod(instructions=w.apply_actions(w.output(0))), BAD_ACTION, 4),
        ("a group that does not exist", w.flow_mod(instructions=w.apply_actions(w.group_action(99))), BAD_ACTION, 9),
        ("push_vlan with a non-tag ethertype", w.flow_mod(instructions=w.apply_actions(struct.pack("!HHH2x", 17, 8, 0x0800))), BAD_ACTION, 5),
        ("set_field of a field the datapath cannot rewrite", w.flow_mod(w.match(ETH_IP), w.apply_actions(w.set_field(w.oxm(11, b"\1\2\3\4")))), BAD_ACTION, 13),
        ("unknown instruction", w.flow_mod(instructions=struct.pack("!HH4x", 9, 8)), BAD_INSTRUCTION, 0),
        ("meter instruction", w.flow_mod(instructions=struct.pack("!HHI", 6, 8, 1)), BAD_INSTRUCTION, 1),
        ("goto_table backwards", w.flow_mod(instructions=w.goto(1), table=3), BAD_INSTRUCTION, 2),
        ("add to table ALL", w.flow_mod(table=255), FLOW_MOD_FAILED, 2),
        ("unknown flow_mod command", w.flow_mod(command=9), FLOW_MOD_FAILED, 6),
        ("overlap with CHECK_OVERLAP", w.flow_mod(w.match(ETH_IP), priority=50, flags=2), FLOW_MOD_FAILED, 3),
        ("add a group that exists", group_mod(0, 0, 1, bucket(w.output(1))), GROUP_MOD_FAILED, 0),
        ("modify a group that does not exist", group_mod(1, 0, 55, bucket(w.output(1))), GROUP_MOD_FAILED, 8),
        ("unknown group type", group_mod(0, 9, 56, bucket(w.output(1))), GROUP_MOD_FAILED, 10),
        ("unknown group command", group_mod(7, 0, 57), GROUP_MOD_FAILED, 11),
        ("fast-failover bucket without a watch", group_mod(0, 3, 58, bucket(w.output(1))), GROUP_MOD_FAILED, 13),
        ("group chaining to itself", group_mod(1, 0, 1, bucket(w.group_action(1))), GROUP_MOD_FAILED, 7),
        ("PORT_MOD of a missing port", w.msg(w.PORT_MOD, struct.pack("!I4x6s2xIII4x", 9, b"\0" * 6, 1, 1, 0)), PORT_MOD_FAILED, 0),
        ("PORT_MOD with the wrong hw_addr", w.msg(w.PORT_MOD, struct.pack("!I4x6s2xIII4x", 1, b"\x0a" * 6, 1, 1, 0)), PORT_MOD_FAILED, 1),
        ("TABLE_MOD with unknown config bits", w.msg(w.TABLE_MOD, struct.pack("!B3xI", 0, 0x80)), TABLE_MOD_FAILED, 1),
        ("SET_CONFIG with unknown flags", w.msg(w.SET_CONFIG, struct.pack("!HH", 0x80, 128)), SWITCH_CONFIG_FAILED, 0),
        ("ROLE_REQUEST with an unknown role", w.msg(w.ROLE_REQUEST, struct.pack("!I4xQ", 7, 0)), ROLE_REQUEST_FAILED, 2),
        ("METER_MOD (no meters)", w.msg(w.METER_MOD, b"\0" * 8), BAD_REQUEST, 1),
    ]


def flow_count(c, xid=0xf10):
    c.send(multipart(2, struct.pack("!B3xII4xQQ", 255, w.ANY, w.ANY, 0, 0) + w.match(), xid))
    m = c.wait_for(xid)
    if m is None or m[1] != w.MULTIPART_REPLY:
        raise Failed("no aggregate reply")
    return struct.unpack("!QQI", m[3][8:28])[2]


def main():
    work = Workdir()
    sw = Stratad(work, "".join('  ports { name: "p%d" ofport: %d%s }\n' % (i, i, NULL) for i in (1, 2)))
    c = w.Conn(sw.of_port)
    # Something for the overlap, group and role cases to collide with.
    c.send(w.flow_mod(w.match(IN_PORT_1), w.apply_actions(w.output(2)), priority=50, xid=2))
    c.send(group_mod(0, 0, 1, bucket(w.output(1))))
    c.send(w.msg(w.ROLE_REQUEST, struct.pack("!I4xQ", 2, 100), xid=3))  # master, generation 100
    c.send(w.msg(w.BARRIER_REQUEST, xid=4))
    if c.wait_for(4) is None:
        raise Failed("no barrier reply")
    before = flow_count(c)

    for n, (what, data, etype, ecode) in enumerate(cases()):
        xid = 0x1000 + n
        data = data[:4] + struct.pack("!I", xid) + data[8:]
        c.send(data)
        m = c.wait_for(xid)
        if etype is None:  # a valid request: a reply, not an error
            check(m is not None and m[1] != w.ERROR, "%s: answered without error" % what)
            continue
        if m is None or m[1] != w.ERROR:
            check(False, "%s: ERROR %d/%d expected, got %s" % (what, etype, ecode, m and (m[1], m[3][:4])))
            continue
        t, code = struct.unpack("!HH", m[3][:4])
        echoed = m[3][4:]
        check((t, code) == (etype, ecode) and echoed == data[:64] and m[0] == 4,
              "%s: ERROR type %d code %d (got %d/%d), request echoed" % (what, etype, ecode, t, code))
        if not c.echo_ok(0xe000 + n):
            check(False, "%s: the session answers ECHO afterwards" % what)
    check(c.echo_ok(), "after every malformed message the session still answers ECHO")

    # A stale role request: generation 99 after 100.
    c.send(w.msg(w.ROLE_REQUEST, struct.pack("!I4xQ", 2, 99), xid=0x2001))
    m = c.wait_for(0x2001)
    check(m is not None and m[1] == w.ERROR and struct.unpack("!HH", m[3][:4]) == (ROLE_REQUEST_FAILED, 0),
          "ROLE_REQUEST with an older generation: ROLE_REQUEST_FAILED/STALE")

    # A FLOW_MOD whose second action is bad adds nothing.
    bad = w.flow_mod(w.match(w.oxm(0, struct.pack("!I", 2))), w.apply_actions(w.output(1) + w.output(0)), xid=0x2002)
    c.send(bad)
    m = c.wait_for(0x2002)
    check(m is not None and m[1] == w.ERROR, "half-good FLOW_MOD: an ERROR")
    check(flow_count(c, 0xf11) == before, "... and the flow tables are unchanged (%d flows)" % before)

    log("connections that must end")
    bad_hello = w.Conn(sw.of_port, hello=False)
    bad_hello.send(w.msg(w.HELLO, version=1))
    hello = bad_hello.recv()
    err = bad_hello.recv()
    check(hello is not None and hello[1] == w.HELLO, "a 1.0-only peer still gets our HELLO")
    check(err is not None and err[1] == w.ERROR and struct.unpack("!HH", err[3][:4]) == (HELLO_FAILED, 0),
          "... then HELLO_FAILED/INCOMPATIBLE")
    check(bad_hello.closed(), "... and the connection is closed")
    unframed = w.Conn(sw.of_port)
    unframed.send(struct.pack("!BBHI", 4, w.ECHO_REQUEST, 4, 9))
    m = unframed.recv()
    check(m is not None and m[1] == w.ERROR and struct.unpack("!HH", m[3][:4]) == (BAD_REQUEST, 6),
          "a length below the header: BAD_REQUEST/BAD_LEN")
    check(unframed.closed(), "... and the stream, which cannot be framed any more, is closed")
    check(c.echo_ok(0xfee), "the first session is unaffected")
    check(sw.alive(), "stratad is still running")
    finish()


if __name__ == "__main__":
    main_of(main)
