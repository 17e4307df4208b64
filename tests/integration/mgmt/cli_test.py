#!/usr/bin/env python3
"""Every stratactl command against a running stratad with real ports
(null, ring, tap), output checked in both formats: the human one and
--json. Also --help for every command and the error contract (one line,
non-zero exit)."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import STRATACTL, Stratad, Work, check, finish, free_tcp_port  # noqa: E402

COMMANDS = ["add-br", "del-br", "list-br", "show", "dump-config", "add-port", "del-port", "list-ports",
            "set-controller", "del-controller", "add-flow", "del-flows", "dump-flows", "dump-dpflows",
            "port-stats", "pmd-stats"]


def ok(r, what):
    return check(r.returncode == 0, what, f"exit {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}")


def main():
    with Work("cli") as work:
        d = Stratad(work, "a")
        if not check(d.start(), "stratad starts with an empty db"):
            return finish("mgmt_cli")
        tap = f"{work.tag}t"[:15]

        # --help: the overview and every command's own page.
        r = subprocess.run([STRATACTL, "--help"], capture_output=True, text=True)
        check(r.returncode == 0 and all(c in r.stdout for c in COMMANDS), "stratactl --help lists every command")
        for c in COMMANDS:
            r = subprocess.run([STRATACTL, c, "--help"], capture_output=True, text=True)
            check(r.returncode == 0 and f"usage: stratactl [--mgmt ADDR] [--json] {c}" in r.stdout,
                  f"stratactl {c} --help")

        # Bridges.
        r = d.ctl("add-br", "br0")
        ok(r, "add-br br0")
        check(r.stdout == "", "add-br prints nothing without --json")
        r = d.ctl("add-br", "br1", "--fail-mode", "secure", "--datapath-id", "0x1234", json_out=True)
        ok(r, "add-br br1 --fail-mode secure --datapath-id 0x1234 --json")
        j = json.loads(r.stdout)
        check(j["bridge"]["name"] == "br1" and j["bridge"]["fail_mode"] == "FAIL_MODE_SECURE"
              and j["bridge"]["datapath_id"] == str(0x1234), "add-br --json returns the bridge as created", r.stdout)
        r = d.ctl("list-br")
        check(r.stdout == "br0\nbr1\n", "list-br: one name per line, in order", r.stdout)
        check(d.ctl_json("list-br") == {"bridges": ["br0", "br1"]}, "list-br --json")

        # Ports of three real types.
        r = d.ctl("add-port", "br0", "n1", "--type", "null", "--opt", "no-rx=1", "--access", "88a8:100/8100:200")
        ok(r, "add-port null access 88a8:100/8100:200")
        r = d.ctl("add-port", "br0", "r1", "--type", "ring", "--ofport", "7", "--trunk", "88a8:100,88a8:*",
                  json_out=True)
        ok(r, "add-port ring --ofport 7 --trunk 88a8:100,88a8:* --json")
        j = json.loads(r.stdout)["port"]
        check(j["port"]["ofport"] == 7 and j["bridge"] == "br0" and len(j["port"]["trunk"]["allowed"]) == 2
              and j["port"]["trunk"]["allowed"][1]["tags"][0]["any_vid"] is True,
              "add-port --json: ofport 7, two allowed stacks, the second a wildcard", r.stdout)
        ok(d.ctl("add-port", "br0", "t1", "--type", "tap", "--opt", f"iface={tap}"), "add-port tap")
        check(subprocess.run(["ip", "link", "show", tap], capture_output=True).returncode == 0,
              f"the tap port made kernel interface {tap}")
        ok(d.ctl("add-port", "br0", "src", "--type", "null"), "add-port null (a frame source)")
        ok(d.ctl("add-port", "br1", "q1", "--type", "ring"), "add-port on the second bridge")

        r = d.ctl("list-ports", "br0")
        lines = r.stdout.splitlines()
        check(ok(r, "list-ports br0") and lines[0].split() == ["port", "ofport", "type", "mode", "link"]
              and [ln.split()[0:3] for ln in lines[1:]] == [["n1", "1", "null"], ["t1", "2", "tap"],
                                                          ["src", "3", "null"], ["r1", "7", "ring"]],
              "list-ports: a table by OpenFlow number; 0 means the lowest free", r.stdout)
        check("access 88a8:100/8100:200" in r.stdout and "trunk 88a8:100,88a8:*" in r.stdout,
              "list-ports shows tag modes in the notation", r.stdout)
        j = d.ctl_json("list-ports", "br0")
        check([p["port"]["name"] for p in j["ports"]] == ["n1", "t1", "src", "r1"] and
              all(p["link_up"] in (True, False) and "dp_port" in p for p in j["ports"]), "list-ports --json")

        # Controllers.
        port = free_tcp_port()
        ok(d.ctl("set-controller", "br0", f"ptcp:{port}:127.0.0.1"), "set-controller ptcp")
        r = d.ctl("show", "br0")
        check(f"controllers: ptcp:{port}:127.0.0.1" in r.stdout, "show lists the controller", r.stdout)
        check(d.ctl_json("show", "br0")["bridges"][0]["controllers"] == [f"ptcp:{port}:127.0.0.1"],
              "show --json lists the controller")
        r = d.ctl("set-controller", "br0", f"ptcp:{port}:127.0.0.1", json_out=True)
        ok(r, "set-controller --json")
        check(json.loads(r.stdout) == {}, "set-controller --json prints its (empty) reply", r.stdout)
        ok(d.ctl("del-controller", "br0"), "del-controller")
        check(d.ctl_json("show", "br0")["bridges"][0]["controllers"] == [], "del-controller empties the list")

        # show, both forms.
        r = d.ctl("show")
        check(ok(r, "show") and "bridge br0" in r.stdout and "bridge br1" in r.stdout and "port n1 (ofport 1)" in r.stdout
              and "mode: access 88a8:100/8100:200" in r.stdout and "fail_mode: secure" in r.stdout
              and "datapath_id: 0000000000001234" in r.stdout and "datapath: 1 PMD thread(s)" in r.stdout,
              "show: bridges, ports, modes, fail mode, datapath id, datapath", r.stdout)
        j = d.ctl_json("show")
        check([b["name"] for b in j["bridges"]] == ["br0", "br1"] and j["datapath"]["pmd_threads"] == 1
              and j["datapath"]["tpids"] == [0x88a8, 0x8100, 0x9100, 0x9200, 0x9300], "show --json")

        # Flows through the native API.
        flow = "table=0,priority=100,in_port=1,tags=88a8:100/8100:*,actions=pop_tag,output:7"
        ok(d.ctl("add-flow", "br0", flow), "add-flow with a 2-tag match")
        ok(d.ctl("add-flow", "br0", "priority=90,tags=88a8:5/...,actions=push_tag:9100:7:2,normal"),
           "add-flow with an outer-tags-only match and push_tag")
        r = d.ctl("dump-flows", "br0")
        check(ok(r, "dump-flows") and "priority=100,in_port=1,tags=88a8:100/8100:* actions=pop_tag,output:7" in r.stdout
              and "priority=90,tags=88a8:5/... actions=push_tag:9100:7:2,NORMAL" in r.stdout,
              "dump-flows shows both flows in the add-flow syntax", r.stdout)
        j = d.ctl_json("dump-flows", "br0", "in_port=1")
        check(len(j["flows"]) == 1 and j["flows"][0]["flow"]["match"]["tags"]["tags"][1].get("vid") is None
              and j["flows"][0]["flow"]["actions"][1]["output"] == 7, "dump-flows --json with a match filter", j)
        r = d.ctl("del-flows", "br0", "priority=100,in_port=1,tags=88a8:100/8100:*", "--strict", json_out=True)
        check(ok(r, "del-flows --strict --json") and json.loads(r.stdout) == {"deleted": 1}, "del-flows deleted one",
              r.stdout)
        ok(d.ctl("del-flows", "br0"), "del-flows (all)")
        check(d.ctl_json("dump-flows", "br0")["flows"] == [], "no flows left")
        ok(d.ctl("add-flow", "br0", "priority=0,actions=normal"), "add-flow NORMAL back")

        # Counters: the null source sends frames; they flood through NORMAL.
        time.sleep(1.5)
        r = d.ctl("port-stats", "br0")
        rows = {ln.split()[0]: ln.split() for ln in r.stdout.splitlines()[1:]}
        check(ok(r, "port-stats") and r.stdout.split()[0:3] == ["port", "ofport", "rx_pkts"]
              and int(rows["src"][2]) > 0, "port-stats: the source port received frames", r.stdout)
        j = d.ctl_json("port-stats", "br0")
        src = [p for p in j["ports"] if p["port"] == "src"][0]
        check(int(src["rx_packets"]) > 0 and int(src["upcalls"]) >= 1, "port-stats --json counts rx and upcalls", src)
        r = d.ctl("pmd-stats")
        check(ok(r, "pmd-stats") and r.stdout.startswith("pmd 0 (cpu") and "cycles/packet by stage" in r.stdout,
              "pmd-stats: per-PMD cycles by stage", r.stdout)
        j = d.ctl_json("pmd-stats")
        check(int(j["pmds"][0]["packets"]) > 0 and [s["stage"] for s in j["pmds"][0]["stages"]] ==
              ["rx", "parse", "lookup", "actions", "tx", "idle"], "pmd-stats --json", j)
        r = d.ctl("dump-dpflows", "br0")
        check(ok(r, "dump-dpflows") and "in_port=3" in r.stdout and "actions:" in r.stdout,
              "dump-dpflows: megaflows from the source port (OpenFlow number 3)", r.stdout)
        j = d.ctl_json("dump-dpflows", "br0")
        check(any(f["match"].startswith("in_port=3") and int(f["packets"]) > 0 for f in j["flows"]),
              "dump-dpflows --json", j)
        check(d.ctl_json("dump-dpflows", "br1")["flows"] == [], "dump-dpflows of the quiet bridge is empty")

        # dump-config is a --config file.
        r = d.ctl("dump-config")
        check(ok(r, "dump-config") and 'name: "br0"' in r.stdout and "ofport: 7" in r.stdout, "dump-config text", r.stdout)
        j = d.ctl_json("dump-config")
        check(j["config"]["bridges"][1]["fail_mode"] == "FAIL_MODE_SECURE", "dump-config --json")

        # Removal.
        r = d.ctl("del-port", "br0", "r1", json_out=True)
        check(ok(r, "del-port --json") and json.loads(r.stdout) == {}, "del-port --json prints {}")
        check("r1" not in d.ctl("list-ports", "br0").stdout, "del-port: the port is gone")
        ok(d.ctl("del-port", "br0", "t1"), "del-port tap")
        time.sleep(0.2)
        check(subprocess.run(["ip", "link", "show", tap], capture_output=True).returncode != 0,
              "the tap interface went with its port")
        ok(d.ctl("del-br", "br1"), "del-br br1")
        check(d.ctl("list-br").stdout == "br0\n", "del-br: only br0 left")

        # Errors: one line on stderr, non-zero exit (1 refused, 2 usage).
        r = d.ctl("del-br", "nosuch")
        check(r.returncode == 1 and r.stderr.count("\n") == 1 and "bridge: no bridge 'nosuch'" in r.stderr
              and "[NOT_FOUND]" in r.stderr and r.stdout == "", "a refused request: exit 1, one line", r.stderr)
        r = d.ctl("add-port", "br0")
        check(r.returncode == 2 and r.stderr.count("\n") == 1, "a wrong command line: exit 2, one line", r.stderr)
        r = subprocess.run([STRATACTL, "--mgmt", f"unix:{work.path('nobody.sock')}", "list-br"], capture_output=True,
                           text=True)
        check(r.returncode == 1 and r.stderr.count("\n") == 1 and "cannot reach stratad" in r.stderr,
              "no daemon: exit 1, one line saying so", r.stderr)

        check(d.stop() == 0, "stratad exits 0 on SIGTERM")
        check(not os.path.exists(d.sock), "the socket is removed on a clean stop")
    return finish("mgmt_cli")


if __name__ == "__main__":
    sys.exit(main())
