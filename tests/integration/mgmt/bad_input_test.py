#!/usr/bin/env python3
"""The bad-input table of the management issue: unknown bridge/port,
duplicate names, bad types, bad tag stacks, VID 4096, conflicting ofport,
malformed flow strings, and typed requests no CLI would send. Each gets its
clear error (exit status, gRPC code, the field named) and afterwards
`show --json` and the persisted configuration are exactly as before, and
the daemon is still serving."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stratad, Work, canonical_json, check, finish, grpc_stubs  # noqa: E402

# (stratactl arguments, exit status, text the one-line error must contain)
CLI_CASES = [
    (["add-br", "br0"], 1, "bridge.name: bridge 'br0' already exists [ALREADY_EXISTS]"),
    (["add-br", "a/b"], 1, "bridge.name: 'a/b' may contain only letters"),
    (["add-br", "br9", "--datapath-id", "xyz"], 2, "--datapath-id"),
    (["add-br", "br9", "--datapath-id", "0x77"], 1, "bridge.datapath_id: 0x0000000000000077 is used by bridge 'br1'"),
    (["add-br", "br9", "--fail-mode", "sometimes"], 2, "--fail-mode"),
    (["del-br", "nosuch"], 1, "bridge: no bridge 'nosuch' [NOT_FOUND]"),
    (["add-port", "nosuch", "x", "--type", "null"], 1, "bridge: no bridge 'nosuch' [NOT_FOUND]"),
    (["add-port", "br0", "p1", "--type", "null"], 1, "port.name: port 'p1' already exists on bridge 'br0' [ALREADY_EXISTS]"),
    (["add-port", "br0", "q1", "--type", "null"], 1, "port.name: port 'q1' already exists on bridge 'br1'"),
    (["add-port", "br0", "x", "--type", "bogus"], 1, "port.type: unknown port type 'bogus'"),
    (["add-port", "br0", "x"], 2, "--type TYPE is required"),
    (["add-port", "br0", "bad name", "--type", "null"], 1, "port.name: 'bad name' may contain only"),
    (["add-port", "br0", "x", "--type", "null", "--ofport", "1"], 1,
     "port.ofport: bridge 'br0' already has OpenFlow port 1 (port 'p1') [ALREADY_EXISTS]"),
    (["add-port", "br0", "x", "--type", "null", "--ofport", "4294967040"], 1, "port.ofport: 4294967040 is reserved"),
    (["add-port", "br0", "x", "--type", "null", "--access", "88a8:4096"], 2, "VID 4096 is out of range"),
    (["add-port", "br0", "x", "--type", "null", "--access", "88a8:100/8100:5000"], 2, "VID 5000"),
    (["add-port", "br0", "x", "--type", "null", "--access", "1234:5"], 1,
     "port.access.stack.tags[0].tpid: 0x1234 is not a recognised TPID [INVALID_ARGUMENT]"),
    (["add-port", "br0", "x", "--type", "null", "--access", "88a8:1/8100:2/8100:3/8100:4/8100:5/8100:6/8100:7/8100:8/8100:9"],
     2, "9"),
    (["add-port", "br0", "x", "--type", "null", "--access", "garbage"], 2, "--access"),
    (["add-port", "br0", "x", "--type", "null", "--access", "88a8:*"], 2, "--access"),
    (["add-port", "br0", "x", "--type", "null", "--trunk", "88a8:1,zz"], 2, "--trunk"),
    (["add-port", "br0", "x", "--type", "null", "--access", "88a8:1", "--trunk", "88a8:2"], 2, "exclude each other"),
    (["add-port", "br0", "x", "--type", "null", "--opt", "novalue"], 2, "expected KEY=VALUE"),
    (["add-port", "br0", "x", "--type", "null", "--opt", "no-rx=7"], 1, "port: port 'x': no-rx must be 0 or 1"),
    (["add-port", "br0", "x", "--type", "tap", "--opt", "iface=a-name-far-too-long-for-linux"], 1,
     "is not a valid interface name"),
    (["del-port", "br0", "nosuch"], 1, "port: bridge 'br0' has no port 'nosuch' [NOT_FOUND]"),
    (["del-port", "br0", "q1"], 1, "port: port 'q1' is on bridge 'br1', not 'br0' [NOT_FOUND]"),
    (["del-port", "nosuch", "p1"], 1, "bridge: no bridge 'nosuch' [NOT_FOUND]"),
    (["list-ports", "nosuch"], 1, "bridge: no bridge 'nosuch' [NOT_FOUND]"),
    (["set-controller", "br0", "bogus"], 1, "targets[0]: controller target 'bogus': expected ptcp:PORT[:IP], punix:PATH or tcp:HOST[:PORT]"),
    (["set-controller", "br0", "ptcp:6653", "ptcp:99999"], 1, "targets[1]: controller target 'ptcp:99999': '99999' is not a TCP port (1-65535)"),
    (["set-controller", "br0", "ptcp:6653", "ptcp:6653"], 1, "targets[1]: 'ptcp:6653' is listed twice"),
    (["set-controller", "nosuch", "ptcp:6653"], 1, "bridge: no bridge 'nosuch' [NOT_FOUND]"),
    (["add-flow", "br0", "in_port=1"], 2, "has no actions="),
    (["add-flow", "br0", "in_port=x,actions=output:2"], 2, "in_port=x: \"x\" is not a number"),
    (["add-flow", "br0", "tags=88a8:4096,actions=drop"], 2, "VID 4096"),
    (["add-flow", "br0", "table=300,actions=drop"], 2, "out of range"),
    (["add-flow", "br0", "bogus=1,actions=drop"], 2, "\"bogus\" is not a flow field"),
    (["add-flow", "br0", "actions=teleport"], 2, "action \"teleport\""),
    (["add-flow", "br0", "tags=1234:5,actions=drop"], 1,
     "flows[0].match.tags.tags[0].tpid: 0x1234 is not a recognised TPID [INVALID_ARGUMENT]"),
    (["add-flow", "br0", "nw_dst=10.0.0.1,actions=drop"], 1, "flows[0].match.ipv4_dst: needs eth_type 0x0800"),
    (["add-flow", "br0", "dl_dst=zz,actions=drop"], 1, "flows[0].match.eth_dst: 'zz' is not a MAC address"),
    (["add-flow", "br0", "actions=push_tag:88a8:4096"], 2, "4096"),
    (["add-flow", "br0", "actions=set_vid:9:1"], 1, "flows[0].actions[0].set_tag.depth: 9 is out of range"),
    (["add-flow", "br0", "table=3,actions=goto_table:2"], 1, "flows[0].goto_table: 2 must be greater"),
    (["add-flow", "nosuch", "actions=drop"], 1, "bridge: no bridge 'nosuch' [NOT_FOUND]"),
    (["del-flows", "br0", "bogus=1"], 2, "\"bogus\" is not a match field"),
    (["del-flows", "nosuch"], 1, "[NOT_FOUND]"),
    (["dump-flows", "br0", "in_port=1,actions=drop"], 2, "takes no actions="),
    (["dump-dpflows", "nosuch"], 1, "[NOT_FOUND]"),
    (["port-stats", "nosuch"], 1, "[NOT_FOUND]"),
    (["nosuchcommand"], 2, "unknown command"),
]


def snapshot(d):
    """show, the persisted configuration and the flows (without their clocks)."""
    flows = d.ctl_json("dump-flows", "br0")["flows"]
    for f in flows:
        f.pop("duration_ms", None)
        f.pop("idle_ms", None)
    return canonical_json(d.ctl_json("show")), canonical_json(d.config_now()), canonical_json(flows)


def main():
    with Work("bad") as work:
        d = Stratad(work, "a")
        if not check(d.start(), "stratad starts"):
            return finish("mgmt_bad_input")
        for args in (["add-br", "br0"], ["add-br", "br1", "--datapath-id", "0x77"],
                     ["add-port", "br0", "p1", "--type", "null", "--opt", "no-rx=1", "--access", "88a8:100/8100:200"],
                     ["add-port", "br0", "p2", "--type", "ring"], ["add-port", "br1", "q1", "--type", "null", "--opt", "no-rx=1"],
                     ["add-flow", "br0", "priority=5,in_port=2,actions=output:1"]):
            r = d.ctl(*args)
            if not check(r.returncode == 0, "setup: stratactl " + " ".join(args), r.stderr):
                return finish("mgmt_bad_input")
        before = snapshot(d)
        check(before == snapshot(d), "the snapshot is stable by itself")

        for args, code, text in CLI_CASES:
            r = d.ctl(*args)
            check(r.returncode == code and text in r.stderr and r.stderr.count("\n") == 1 and r.stdout == "",
                  f"stratactl {' '.join(args)}  ->  exit {code}, '{text}'",
                  f"exit {r.returncode}\nstderr: {r.stderr}\nstdout: {r.stdout}")
            if not d.alive():
                check(False, "stratad still runs")
                return finish("mgmt_bad_input")
        after = snapshot(d)
        check(after == before, "show --json, the persisted configuration and the flows are unchanged",
              "\n".join(f"{a}\n---\n{b}" for a, b in zip(before, after) if a != b))

        # Typed requests, from Python: what stratactl would never send.
        pb = grpc_stubs(work)
        import grpc
        cfg, mgmt, flows = pb["config_pb2"], pb["management_pb2"], pb["flows_pb2"]
        channel = grpc.insecure_channel(d.mgmt)
        stub = pb["management_pb2_grpc"].ManagementStub(channel)
        fstub = pb["flows_pb2_grpc"].FlowsStub(channel)

        def expect(call, req, code, text, what):
            try:
                call(req, timeout=10)
                check(False, what, "accepted")
            except grpc.RpcError as e:
                check(e.code() == code and text in e.details(), what, f"{e.code()}: {e.details()}")

        def port(name, **kw):
            return cfg.Port(name=name, type=kw.pop("type", "null"), options={"no-rx": "1"}, **kw)

        vid4096 = cfg.AccessMode(stack=cfg.TagStack(tags=[cfg.Tag(tpid=0x88a8, vid=4096)]))
        expect(stub.AddPort, mgmt.AddPortRequest(bridge="br0", port=port("x", access=vid4096)),
               grpc.StatusCode.INVALID_ARGUMENT, "port.access.stack.tags[0].vid: 4096 is out of range 0..4095",
               "AddPort: VID 4096 in a typed stack")
        nine = cfg.AccessMode(stack=cfg.TagStack(tags=[cfg.Tag(tpid=0x8100, vid=i) for i in range(9)]))
        expect(stub.AddPort, mgmt.AddPortRequest(bridge="br0", port=port("x", access=nine)),
               grpc.StatusCode.INVALID_ARGUMENT, "port.access.stack: 9 tags, at most 8", "AddPort: 9 tags")
        pcp = cfg.AccessMode(stack=cfg.TagStack(tags=[cfg.Tag(tpid=0x8100, vid=1, pcp=8)]))
        expect(stub.AddPort, mgmt.AddPortRequest(bridge="br0", port=port("x", access=pcp)),
               grpc.StatusCode.INVALID_ARGUMENT, "port.access.stack.tags[0].pcp", "AddPort: PCP 8")
        expect(stub.AddPort, mgmt.AddPortRequest(bridge="", port=port("x")), grpc.StatusCode.INVALID_ARGUMENT,
               "bridge: a bridge name is required", "AddPort: no bridge name")
        # All-or-nothing across the parts of one request.
        expect(stub.AddBridge, mgmt.AddBridgeRequest(bridge=cfg.Bridge(name="br7", ports=[port("g1"), port("g2", access=vid4096)])),
               grpc.StatusCode.INVALID_ARGUMENT, "bridge.ports[1].access.stack.tags[0].vid",
               "AddBridge: the second port's VID 4096 refuses the whole bridge")
        expect(stub.AddBridge, mgmt.AddBridgeRequest(bridge=cfg.Bridge(name="br7", ports=[
            port("g1"), cfg.Port(name="g2", type="null", options={"no-rx": "5"})])),
               grpc.StatusCode.INVALID_ARGUMENT, "port 'g2'",
               "AddBridge: the driver refuses the second port; the first is removed again")
        expect(stub.AddBridge, mgmt.AddBridgeRequest(bridge=cfg.Bridge(name="br7", ports=[port("g1"), port("g1")])),
               grpc.StatusCode.INVALID_ARGUMENT, "bridge.ports[1].name: port 'g1' is defined twice",
               "AddBridge: a port twice")
        expect(stub.AddBridge, mgmt.AddBridgeRequest(bridge=cfg.Bridge(name="br7", fail_mode=7)),
               grpc.StatusCode.INVALID_ARGUMENT, "bridge.fail_mode: 7 is not a fail mode", "AddBridge: fail_mode 7")
        expect(stub.AddBridge, mgmt.AddBridgeRequest(bridge=cfg.Bridge(name="br7", controllers=["ptcp:1", "nope"])),
               grpc.StatusCode.INVALID_ARGUMENT, "bridge.controllers[1]", "AddBridge: a bad controller")
        expect(stub.AddBridge, mgmt.AddBridgeRequest(), grpc.StatusCode.INVALID_ARGUMENT, "bridge.name",
               "AddBridge: empty request")
        expect(stub.Show, mgmt.ShowRequest(bridge="nosuch"), grpc.StatusCode.NOT_FOUND, "bridge: no bridge 'nosuch'",
               "Show: unknown bridge")
        good = flows.Flow(priority=9, actions=[flows.Action(output=1)])
        bad = flows.Flow(priority=9, match=flows.FlowMatch(tags=flows.StackMatch(tags=[flows.TagMatch(tpid=0x88a8, vid=4096)])))
        expect(fstub.AddFlows, flows.AddFlowsRequest(bridge="br0", flows=[good, bad]), grpc.StatusCode.INVALID_ARGUMENT,
               "flows[1].match.tags.tags[0].vid: 4096", "AddFlows: the second flow's VID 4096 refuses both")
        expect(fstub.AddFlows, flows.AddFlowsRequest(bridge="br0", flows=[good, flows.Flow(actions=[flows.Action()])]),
               grpc.StatusCode.INVALID_ARGUMENT, "flows[1].actions[0]: an action needs a kind",
               "AddFlows: an empty action")
        expect(fstub.AddFlows, flows.AddFlowsRequest(bridge="br0"), grpc.StatusCode.INVALID_ARGUMENT,
               "flows: no flow to add", "AddFlows: no flows")
        # Bytes that are no request at all.
        raw = channel.unary_unary("/strata.v1.Management/AddBridge", request_serializer=lambda b: b,
                                  response_deserializer=lambda b: b)
        try:
            raw(b"\xff\xff\xff\xff\x0f garbage", timeout=10)
            check(False, "garbage bytes are refused")
        except grpc.RpcError as e:
            check(e.code() in (grpc.StatusCode.INTERNAL, grpc.StatusCode.INVALID_ARGUMENT),
                  "garbage bytes as a request: an error status, no crash", f"{e.code()}: {e.details()}")
        channel.close()

        check(d.alive(), "stratad still runs after every bad request")
        check(snapshot(d) == before, "after the typed requests too: nothing changed")
        # And it still accepts good ones: the refused port names are free.
        r = d.ctl("add-port", "br0", "x", "--type", "null", "--opt", "no-rx=1")
        check(r.returncode == 0, "a good add-port after all that works (nothing half-made was left)", r.stderr)
        r = d.ctl("add-br", "br7")
        check(r.returncode == 0, "so does add-br of the name a refused AddBridge used", r.stderr)
        check(d.stop() == 0, "stratad exits 0 on SIGTERM")
    return finish("mgmt_bad_input")


if __name__ == "__main__":
    sys.exit(main())
