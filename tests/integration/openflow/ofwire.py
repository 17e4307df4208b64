"""A minimal OpenFlow 1.3 client over a raw socket, for tests that must send
what no real controller would: struct packing by hand, nothing hidden."""
import socket
import struct
import time

VERSION = 4
HELLO, ERROR, ECHO_REQUEST, ECHO_REPLY, EXPERIMENTER = 0, 1, 2, 3, 4
FEATURES_REQUEST, FEATURES_REPLY, GET_CONFIG_REQUEST, SET_CONFIG = 5, 6, 7, 9
PACKET_OUT, FLOW_MOD, GROUP_MOD, PORT_MOD, TABLE_MOD = 13, 14, 15, 16, 17
MULTIPART_REQUEST, MULTIPART_REPLY, BARRIER_REQUEST, BARRIER_REPLY = 18, 19, 20, 21
ROLE_REQUEST, METER_MOD = 24, 29
NO_BUFFER = 0xffffffff
ANY = 0xffffffff


def msg(mtype, body=b"", xid=1, version=VERSION, length=None):
    n = 8 + len(body) if length is None else length
    return struct.pack("!BBHI", version, mtype, n, xid) + body


def oxm(field, value, mask=None, cls=0x8000, experimenter=None):
    v = value + (mask or b"")
    pre = struct.pack("!I", experimenter) if experimenter is not None else b""
    return struct.pack("!I", cls << 16 | field << 9 | (0x100 if mask else 0) | (len(v) + len(pre))) + pre + v


def match(*oxms, mtype=1):
    b = b"".join(oxms)
    m = struct.pack("!HH", mtype, 4 + len(b)) + b
    return m + b"\0" * ((8 - len(m) % 8) % 8)


def output(port, max_len=0xffff):
    return struct.pack("!HHIH6x", 0, 16, port, max_len)


def group_action(gid):
    return struct.pack("!HHI", 22, 8, gid)


def set_field(o):
    b = struct.pack("!HH", 25, 0) + o
    b += b"\0" * ((8 - len(b) % 8) % 8)
    return b[:2] + struct.pack("!H", len(b)) + b[4:]


def apply_actions(actions):
    return struct.pack("!HH4x", 4, 8 + len(actions)) + actions


def goto(table):
    return struct.pack("!HHB3x", 1, 8, table)


def flow_mod(m=None, instructions=b"", command=0, table=0, priority=100, flags=0, buffer_id=NO_BUFFER, xid=1):
    body = struct.pack("!QQBBHHHIIIH2x", 0, 0, table, command, 0, 0, priority, buffer_id, ANY, ANY, flags)
    return msg(FLOW_MOD, body + (m if m is not None else match()) + instructions, xid)


class Conn:
    def __init__(self, port, hello=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""
        if hello:
            self.sock.sendall(msg(HELLO, struct.pack("!HHI", 1, 8, 1 << VERSION)))
            h = self.recv()
            assert h[1] == HELLO, h

    def send(self, data):
        self.sock.sendall(data)

    def recv(self, timeout=5):
        """One whole message (version, type, xid, body), or None on timeout/EOF."""
        deadline = time.time() + timeout
        while True:
            if len(self.buf) >= 8:
                n = struct.unpack("!H", self.buf[2:4])[0]
                if n >= 8 and len(self.buf) >= n:
                    m, self.buf = self.buf[:n], self.buf[n:]
                    v, t, _, xid = struct.unpack("!BBHI", m[:8])
                    return (v, t, xid, m[8:])
            left = deadline - time.time()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                return None
            self.buf += data

    def wait_for(self, xid, timeout=5):
        """The reply to `xid` (skipping asynchronous messages)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.recv(max(0.1, deadline - time.time()))
            if m is None:
                return None
            if m[2] == xid and m[1] != HELLO:
                return m
        return None

    def echo_ok(self, xid=0xec40):
        self.send(msg(ECHO_REQUEST, b"still there?", xid))
        m = self.wait_for(xid)
        return m is not None and m[1] == ECHO_REPLY and m[3] == b"still there?"

    def closed(self, timeout=3):
        """True when the switch hung up."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                self.sock.settimeout(0.2)
                if self.sock.recv(65536) == b"":
                    return True
            except socket.timeout:
                continue
            except OSError:
                return True
        return False
