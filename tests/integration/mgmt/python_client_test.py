#!/usr/bin/env python3
"""The API from a language other than C++: Python stubs generated from
proto/ with grpc_tools drive AddBridge (with ports, in one all-or-nothing
call), AddPort, Show, ListPorts, GetConfig, SetController, the flows and
the counters, and see the same state stratactl shows."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stratad, Work, check, finish, grpc_stubs  # noqa: E402


def main():
    with Work("py") as work:
        pb = grpc_stubs(work)
        check(True, "stubs generated from proto/ by grpc_tools.protoc")
        import grpc
        cfg, mgmt, flows = pb["config_pb2"], pb["management_pb2"], pb["flows_pb2"]
        d = Stratad(work, "a")
        if not check(d.start(), "stratad starts"):
            return finish("mgmt_python_client")
        channel = grpc.insecure_channel(d.mgmt)
        stub = pb["management_pb2_grpc"].ManagementStub(channel)
        fstub = pb["flows_pb2_grpc"].FlowsStub(channel)

        tenant = cfg.TagStack(tags=[cfg.Tag(tpid=0x88a8, vid=100), cfg.Tag(tpid=0x8100, vid=200)])
        bridge = cfg.Bridge(name="br0", fail_mode=cfg.FAIL_MODE_STANDALONE, ports=[
            cfg.Port(name="a1", type="null", options={"no-rx": "1"}, access=cfg.AccessMode(stack=tenant)),
            cfg.Port(name="up", type="ring", ofport=10,
                     trunk=cfg.TrunkMode(allowed=[cfg.TagStack(tags=[cfg.Tag(tpid=0x88a8, any_vid=True)])])),
        ])
        r = stub.AddBridge(mgmt.AddBridgeRequest(bridge=bridge), timeout=10)
        check([p.port.name for p in r.bridge.ports] == ["a1", "up"] and r.bridge.ports[0].port.ofport == 1
              and r.bridge.ports[1].port.ofport == 10, "AddBridge with two ports in one call")
        r = stub.AddPort(mgmt.AddPortRequest(bridge="br0", port=cfg.Port(name="src", type="null")), timeout=10)
        check(r.port.port.ofport == 2 and r.port.bridge == "br0", "AddPort: the lowest free ofport is 2")
        show = stub.Show(mgmt.ShowRequest(), timeout=10)
        b = show.bridges[0]
        check(b.name == "br0" and [p.port.name for p in b.ports] == ["a1", "src", "up"]
              and list(b.ports[0].port.access.stack.tags) == list(tenant.tags), "Show: ports by ofport, the stack as sent")
        check(list(show.datapath.tpids) == [0x88a8, 0x8100, 0x9100, 0x9200, 0x9300], "Show: the datapath's TPIDs")
        ports = stub.ListPorts(mgmt.ListPortsRequest(bridge="br0"), timeout=10)
        check(len(ports.ports) == 3 and all(p.link_up for p in ports.ports), "ListPorts: three ports, links up")
        stub.SetController(mgmt.SetControllerRequest(bridge="br0", targets=["tcp:127.0.0.1:1"]), timeout=10)
        conf = stub.GetConfig(mgmt.GetConfigRequest(), timeout=10).config
        check(list(conf.bridges[0].controllers) == ["tcp:127.0.0.1:1"] and conf.bridges[0].ports[2].name == "src",
              "GetConfig: the persisted configuration, as changed")
        check(d.ctl_json("list-br") == {"bridges": ["br0"]}, "stratactl sees what Python made")
        stub.SetController(mgmt.SetControllerRequest(bridge="br0"), timeout=10)

        f = flows.Flow(priority=100, match=flows.FlowMatch(
            in_port=2, tags=flows.StackMatch(tags=[flows.TagMatch(tpid=0x88a8, vid=100), flows.TagMatch(tpid=0x8100)])),
            actions=[flows.Action(pop_tag=flows.PopTag()), flows.Action(output=10)])
        fstub.AddFlows(flows.AddFlowsRequest(bridge="br0", flows=[f]), timeout=10)
        dumped = fstub.DumpFlows(flows.DumpFlowsRequest(bridge="br0", match=flows.FlowMatch(in_port=2)), timeout=10)
        check(len(dumped.flows) == 1 and dumped.flows[0].flow == f and not dumped.flows[0].match_text,
              "AddFlows / DumpFlows: the flow comes back as it was sent")
        check("in_port=2,tags=88a8:100/8100:*" in d.ctl("dump-flows", "br0").stdout, "stratactl dump-flows shows it")
        n = fstub.DeleteFlows(flows.DeleteFlowsRequest(bridge="br0", match=flows.FlowMatch(in_port=2)), timeout=10)
        check(n.deleted == 1, "DeleteFlows by match")

        time.sleep(1)
        stats = stub.PortStats(mgmt.PortStatsRequest(bridge="br0"), timeout=10)
        check([p.port for p in stats.ports] == ["a1", "src", "up"] and stats.ports[1].rx_packets > 0,
              "PortStats: the source counts frames")
        pmds = stub.PmdStats(mgmt.PmdStatsRequest(), timeout=10)
        check(len(pmds.pmds) == 1 and pmds.pmds[0].packets > 0, "PmdStats")
        dp = stub.DumpDatapathFlows(mgmt.DumpDatapathFlowsRequest(bridge="br0"), timeout=10)
        check(len(dp.flows) > 0 and dp.flows[0].match.startswith("in_port=2"), "DumpDatapathFlows", dp)
        stub.DelBridge(mgmt.DelBridgeRequest(bridge="br0"), timeout=10)
        check(len(stub.ListBridges(mgmt.ListBridgesRequest(), timeout=10).bridges) == 0, "DelBridge")
        channel.close()
        check(d.stop() == 0, "clean stop")
    return finish("mgmt_python_client")


if __name__ == "__main__":
    sys.exit(main())
