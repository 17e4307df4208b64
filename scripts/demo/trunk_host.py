#!/usr/bin/python3
"""A host that lives behind a tag stack on a trunk, in userspace.

The host kernel has no 802.1Q devices, so this stands in for a VM that
would have them: it answers ARP and ICMP echo for its address when they
arrive with its exact tag stack, replies with the same stack, and prints
every frame it sees with the stack it carried (outermost first).

usage: trunk_host.py IFACE IP MAC STACK   (STACK like 88a8:100/8100:200)
"""
import sys
import time

from scapy.all import ARP, ICMP, IP, AsyncSniffer, Dot1AD, Dot1Q, Ether, conf, sendp

conf.verb = 0


def parse_stack(text):
    stack = []
    for part in text.split("/"):
        tpid, vid = part.split(":")[:2]
        stack.append((int(tpid, 16), int(vid)))
    return stack


def stack_of(pkt):
    """[(tpid, vid), ...] and the innermost payload of a frame."""
    tags = []
    tpid = pkt[Ether].type
    layer = pkt[Ether].payload
    while isinstance(layer, (Dot1Q, Dot1AD)):
        tags.append((tpid, layer.vlan))
        tpid = layer.type
        layer = layer.payload
    return tags, layer


def fmt(tags):
    return "/".join(f"{t:04x}:{v}" for t, v in tags) or "untagged"


def build(stack, payload_layers):
    """Ether with the given stack around payload_layers."""
    frame = None
    for i, (tpid, vid) in enumerate(stack):
        tag = Dot1AD(vlan=vid) if tpid == 0x88A8 else Dot1Q(vlan=vid)
        nxt = stack[i + 1][0] if i + 1 < len(stack) else None
        if nxt is not None:
            tag.type = nxt
        frame = tag if frame is None else frame / tag
    return frame / payload_layers


def main():
    iface, ip, mac, stack_text = sys.argv[1:5]
    stack = parse_stack(stack_text)

    def handle(pkt):
        if Ether not in pkt or pkt[Ether].src == mac:
            return
        tags, inner = stack_of(pkt)
        what = inner.summary() if inner is not None else "?"
        print(f"trunk: {fmt(tags):<22} {pkt[Ether].src} > {pkt[Ether].dst}  {what}", flush=True)
        if tags != stack:
            return  # not our tag domain: a real host behind this stack never sees it
        reply = None
        if isinstance(inner, ARP) and inner.op == 1 and inner.pdst == ip:
            reply = ARP(op=2, hwsrc=mac, psrc=ip, hwdst=inner.hwsrc, pdst=inner.psrc)
        elif isinstance(inner, IP) and inner.dst == ip and ICMP in inner and inner[ICMP].type == 8:
            reply = IP(src=ip, dst=inner.src) / ICMP(type=0, id=inner[ICMP].id, seq=inner[ICMP].seq) / inner[ICMP].payload
        if reply is not None:
            eth = Ether(src=mac, dst=pkt[Ether].src, type=stack[0][0])
            sendp(eth / build(stack, reply), iface=iface)
            print(f"trunk: {fmt(stack):<22} {mac} > {pkt[Ether].src}  answered {reply.summary()}", flush=True)

    sniffer = AsyncSniffer(iface=iface, prn=handle, store=False)
    sniffer.start()
    while getattr(sniffer, "stop_cb", None) is None:  # the socket is open once stop_cb exists
        time.sleep(0.05)
    print("ready", flush=True)
    sniffer.join()


if __name__ == "__main__":
    main()
