#!/usr/bin/env python3
"""Writes the benchmark's traffic as a pcap: 64-byte frames (60 bytes in the
capture + the 4-byte FCS the wire adds), IPv4/UDP, one frame per flow.

  gen_pcap.py OUT --flows N [--tags 88a8:100/8100:200] [--vary dst|src]

Flow i differs from the others in its destination MAC (--vary dst, the
default) or source MAC (--vary src) and in its UDP source port, so every
frame is its own exact-match flow. The frames are written in flow order and
replayed in a loop by net_pcap's infinite_rx: with N flows each flow comes
back every N frames, which is what thrashes an exact-match cache when N is
larger than the cache.

Written with struct, not scapy: 1M frames take a second, and the bytes are
exactly what is written here.
"""
import argparse
import struct
import sys

FRAME_LEN = 60  # 64 on the wire with the FCS
SRC_BASE = 0x020000000000  # locally administered unicast
DST_BASE = 0x020100000000


def parse_stack(text):
    if not text:
        return []
    tags = []
    for item in text.split("/"):
        tpid, vid = item.split(":")[:2]
        tags.append((int(tpid, 16), int(vid)))
    return tags


def ipv4_checksum(header):
    total = sum(struct.unpack("!10H", header))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return (~total) & 0xFFFF


def frame(i, tags, vary):
    src = SRC_BASE + (i if vary == "src" else 1)
    dst = DST_BASE + (i if vary == "dst" else 1)
    eth = dst.to_bytes(6, "big") + src.to_bytes(6, "big")
    for tpid, vid in tags:
        eth += struct.pack("!HH", tpid, vid & 0x0FFF)
    eth += struct.pack("!H", 0x0800)
    ip_len = FRAME_LEN - len(eth)
    if ip_len < 28:
        # Deep stacks leave no room for IPv4/UDP in 60 bytes: pad the frame
        # to fit a minimal IPv4/UDP header.
        ip_len = 28
    udp_len = ip_len - 20
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, i & 0xFFFF, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 1, (i >> 8) & 0xFF, i & 0xFF]))
    ip = ip[:10] + struct.pack("!H", ipv4_checksum(ip)) + ip[12:]
    udp = struct.pack("!HHHH", 1024 + (i % 60000), 5001, udp_len, 0)
    payload = bytes(udp_len - 8)
    return eth + ip + udp + payload


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--flows", type=int, default=1)
    ap.add_argument("--tags", default="", help="stack on every frame, outermost first: 88a8:100/8100:200")
    ap.add_argument("--vary", choices=["dst", "src"], default="dst")
    args = ap.parse_args()
    if args.flows < 1:
        sys.exit("gen_pcap.py: --flows must be at least 1")
    tags = parse_stack(args.tags)
    with open(args.out, "wb") as f:
        # pcap global header: magic, v2.4, tz 0, sigfigs 0, snaplen, Ethernet
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(args.flows):
            data = frame(i, tags, args.vary)
            f.write(struct.pack("<IIII", 0, i % 1000000, len(data), len(data)))
            f.write(data)


if __name__ == "__main__":
    main()
