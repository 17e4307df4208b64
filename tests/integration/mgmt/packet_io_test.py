#!/usr/bin/env python3
"""The PacketIo stream: a Python client subscribes to a bridge; frames the
kernel sends into a tap port hit a flow whose action is controller:64 and
arrive as packet-ins; the client's packet-outs leave on the port their
actions name (another tap: the kernel sees them). A bad packet-out gets an
error on the stream, which stays open; a stream that does not start with
subscribe, or names an unknown bridge, is refused."""
import os
import queue
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stratad, Work, check, finish, grpc_stubs  # noqa: E402

ETH_P_ALL = 3


def frame(marker, n):
    return bytes.fromhex("020000000002" "020000000001" "88b5") + marker + bytes([n]) + bytes(60)


def main():
    with Work("pio") as work:
        pb = grpc_stubs(work)
        import grpc
        flows = pb["flows_pb2"]
        d = Stratad(work, "a")
        if not check(d.start(), "stratad starts"):
            return finish("mgmt_packet_io")
        tin, tout = f"{work.tag}i"[:15], f"{work.tag}o"[:15]
        for args in (["add-br", "br0"], ["add-port", "br0", "tin", "--type", "tap", "--opt", f"iface={tin}"],
                     ["add-port", "br0", "tout", "--type", "tap", "--opt", f"iface={tout}"], ["del-flows", "br0"],
                     ["add-flow", "br0", "priority=10,in_port=1,dl_type=0x88b5,actions=controller:64"]):
            r = d.ctl(*args)
            check(r.returncode == 0, "setup: " + " ".join(args), r.stderr)
        for t in (tin, tout):  # quiet interfaces: no IPv6 chatter into the switch
            subprocess.run(["sysctl", "-qw", f"net.ipv6.conf.{t}.disable_ipv6=1"])
            subprocess.run(["ip", "link", "set", t, "up"])
        inject = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        inject.bind((tin, 0))
        sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        sniff.bind((tout, 0))
        sniff.settimeout(0.2)

        channel = grpc.insecure_channel(d.mgmt)
        fstub = pb["flows_pb2_grpc"].FlowsStub(channel)
        outq = queue.Queue()
        outq.put(flows.PacketIoRequest(subscribe=flows.PacketIoSubscribe(bridge="br0")))

        def requests():
            while True:
                item = outq.get()
                if item is None:
                    return
                yield item

        responses = fstub.PacketIo(requests(), timeout=60)
        first = next(responses)
        check(first.WhichOneof("kind") == "subscribed" and first.subscribed.bridge == "br0", "subscribe is answered")

        marker = b"strata-pio-"
        for n in range(3):
            inject.send(frame(marker, n))
        pins = []
        for r in responses:
            if r.WhichOneof("kind") == "packet_in" and marker in r.packet_in.frame:
                pins.append(r.packet_in)
            if len(pins) == 3:
                break
        check([p.frame[25] for p in pins] == [0, 1, 2], "three frames into the tap, three packet-ins, in order")
        check(all(p.in_port == 1 and len(p.frame) == 64 and p.total_len == 86 and p.table == 0
                  and p.reason == flows.PACKET_IN_REASON_ACTION for p in pins),
              "packet-ins: in_port 1, cut to max_len 64 of 86 bytes, table 0, reason ACTION", pins[:1])

        out = frame(b"strata-out-", 9)
        outq.put(flows.PacketIoRequest(packet_out=flows.PacketOut(frame=out, actions=[flows.Action(output=2)])))
        seen = False
        deadline = time.time() + 10
        while time.time() < deadline and not seen:
            try:
                seen = b"strata-out-" in sniff.recv(2048)
            except socket.timeout:
                pass
        check(seen, "a packet-out with output:2 leaves on the second tap")
        outq.put(flows.PacketIoRequest(packet_out=flows.PacketOut(frame=b"short", actions=[flows.Action(output=2)])))
        err = None
        for r in responses:
            if r.WhichOneof("kind") == "error":
                err = r.error
                break
        check(err is not None and err.code == 3 and "packet_out.frame" in err.message,
              "a bad packet-out is answered with an error on the stream", err)
        inject.send(frame(marker, 7))
        more = None
        for r in responses:
            if r.WhichOneof("kind") == "packet_in" and marker in r.packet_in.frame:
                more = r.packet_in
                break
        check(more is not None and more.frame[25] == 7, "the stream stays open: the next packet-in arrives")
        outq.put(None)
        for _ in responses:
            pass
        inject.close()
        sniff.close()

        def refused(reqs, code, text, what):
            try:
                for _ in fstub.PacketIo(iter(reqs), timeout=10):
                    pass
                check(False, what, "accepted")
            except grpc.RpcError as e:
                check(e.code() == code and text in e.details(), what, f"{e.code()}: {e.details()}")

        refused([flows.PacketIoRequest(packet_out=flows.PacketOut(frame=out))], grpc.StatusCode.INVALID_ARGUMENT,
                "first message of a PacketIo stream must be subscribe", "a stream must start with subscribe")
        refused([flows.PacketIoRequest(subscribe=flows.PacketIoSubscribe(bridge="nosuch"))], grpc.StatusCode.NOT_FOUND,
                "subscribe: bridge: no bridge 'nosuch'", "subscribing to an unknown bridge is NOT_FOUND")
        channel.close()
        check(d.alive(), "stratad still runs")
        check(d.stop() == 0, "clean stop (no stream left behind)")
    return finish("mgmt_packet_io")


if __name__ == "__main__":
    sys.exit(main())
