#!/usr/bin/env bash
# A real VMM on a vhostuser trunk port: QEMU (TCG) boots Debian's kernel with
# a small initramfs (busybox, iproute2, virtio-net + 8021q from the kernel's
# own modules) and a virtio-net-pci NIC over `-netdev vhost-user` with a
# memfd memory backend, served by stratad. In the guest, the kernel's own
# stacked devices (eth0.100 = 802.1ad 100, eth0.100.200 = 802.1Q 200) ping a
# network namespace behind an afxdp access port whose stack is
# 88a8:100/8100:200. Passes only when
#   - every echo request is answered (guest's count) and the namespace saw
#     exactly those requests, untagged (tshark inside it);
#   - guest devices with another stack (88a8:100/8100:300, 88a8:101/8100:200)
#     get no reply and not one of their frames reaches the namespace;
#   - the vhost port is up while the guest's driver runs, its device xstats
#     (per-queue vhost counters) are non-zero, and it goes down when QEMU is
#     gone while stratad keeps running and exits 0.
# Prints timings. usage: qemu_guest_test.sh BUILD_DIR   (77 = cannot run here)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
source "$top/tests/qemu/vm.sh"
source "$top/tests/qemu/initramfs.sh"
source "$top/tests/integration/netns/stratad_args.sh"
build=${1:-${STRATA_BUILD_DIR:-build}}
stratad=$build/bin/stratad
stratactl=$build/bin/stratactl
qemu_find_kernel kernel/net/8021q/8021q.ko || exit $?
[ -x /usr/sbin/ip ] || { echo "SKIP: iproute2's ip missing"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: tshark missing (apt-get install tshark)"; exit 77; }
[ -x "$stratad" ] && [ -x "$stratactl" ] || { echo "FAIL: build stratad and stratactl in $build first"; exit 1; }

count=5            # echo requests per case
tenant_stack=88a8:100/8100:200
tag=qg$$
ns=$tag-ns
work=$(mktemp -d /tmp/strata-qemu-guest.XXXXXX)
mapfile -t private < <(private_stratad_args "$stratad" "$work")
ctl() { "$stratactl" --mgmt "unix:$work/mgmt.sock" "$@"; }
qemu_pid= stratad_pid= tshark_pid= root=
fail=0
cleanup() {
  qemu_stop "$qemu_pid"
  [ -n "$tshark_pid" ] && kill "$tshark_pid" 2>/dev/null && wait "$tshark_pid" 2>/dev/null
  [ -n "$stratad_pid" ] && kill "$stratad_pid" 2>/dev/null && wait "$stratad_pid" 2>/dev/null
  ip link del "${tag}ns" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  [ -n "$root" ] && rm -rf "$root"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
check() { if "${@:2}" >/dev/null 2>&1; then echo "  ok    $1"; else echo "  FAIL  $1"; fail=1; fi; }
ms() { date +%s%3N; }
t_start=$(ms)

# --- the guest's initramfs, from this host's files ---------------------------
root=$(initramfs_new) || exit 1
initramfs_add_program "$root" /usr/sbin/ip /sbin/ip-full
initramfs_add_modules "$root" "$kver" /modules virtio_pci virtio_net 8021q || exit 1
mkdir -p "$root/qemu"
cp "$top/tests/qemu/guest_lib.sh" "$root/qemu/"
install -m 0755 "$here/qemu_guest_init.sh" "$root/init"
initramfs_pack "$root" "$work/initrd.gz"
rm -rf "$root"; root=
t_initramfs=$(( $(ms) - t_start ))

# --- the namespace behind the access port -----------------------------------
ip netns add "$ns"
ip link add "${tag}ns" type veth peer name eth0 netns "$ns"
ip link set "${tag}ns" up
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip -n "$ns" link set eth0 up
ip -n "$ns" addr add 10.50.0.2/24 dev eth0

# --- stratad: the guest on a vhostuser trunk, the namespace on an access port -
stack_text() {  # 88a8:100/8100:200 -> tags { tpid: 0x88a8 vid: 100 } ...
  local t out=
  for t in $(echo "$1" | tr '/' ' '); do out+="tags { tpid: 0x${t%%:*} vid: ${t#*:} } "; done
  echo "$out"
}
cat > "$work/strata.conf" <<EOC
bridges { name: "br0"
  ports { name: "vm" type: "vhostuser" options { key: "path" value: "$work/vm.sock" } trunk { } }
  ports { name: "ns" type: "afxdp" options { key: "iface" value: "${tag}ns" }
          access { stack { $(stack_text "$tenant_stack") } } }
}
EOC
t0=$(ms)
"$stratad" "${private[@]}" --config "$work/strata.conf" --file-prefix "$tag" --memory 256 --mbufs 8191 \
  > "$work/stratad.log" 2>&1 &
stratad_pid=$!
for _ in $(seq 150); do grep -q "running:" "$work/stratad.log" && [ -S "$work/vm.sock" ] && break; sleep 0.1; done
if ! grep -q "running:" "$work/stratad.log"; then echo "FAIL: stratad did not start"; cat "$work/stratad.log"; exit 1; fi
t_stratad=$(( $(ms) - t0 ))
port_up() { ctl show --json | /usr/bin/python3 -c '
import json, sys
for b in json.load(sys.stdin).get("bridges", []):
    for p in b.get("ports", []):
        if p["port"]["name"] == sys.argv[1]: sys.exit(0 if p.get("link_up") else 1)
sys.exit(1)' "$1"; }
port_down() { ! port_up "$1"; }
check "vhostuser port is down before a guest connects" port_down vm

# What reaches the namespace, captured inside it (the switch's af_xdp
# transmit is not seen on the host end of the veth).
ip netns exec "$ns" tshark -q -i eth0 -w "$work/ns.pcapng" > /dev/null 2>&1 &
tshark_pid=$!

# --- the guest ----------------------------------------------------------------
cases="strata.case=tenant,$tenant_stack,10.50.0.1/24,10.50.0.2,$count"
cases+=" strata.case=other_inner,88a8:100/8100:300,10.50.0.11/24,10.50.0.2,2"
cases+=" strata.case=other_outer,88a8:101/8100:200,10.50.0.12/24,10.50.0.2,2"
t0=$(ms)
qemu_start_vhost_guest "$work" "$work/initrd.gz" 256 "$work/vm.sock" 52:54:00:00:50:01 \
  "console=ttyS0 quiet panic=-1 ipv6.disable=1 $cases"
t_user= t_up= t_done=
deadline=$(( t0 + 90000 ))
while [ "$(ms)" -lt "$deadline" ]; do
  [ -z "$t_user" ] && grep -qa 'QG: userspace up' "$work/console.log" 2>/dev/null && t_user=$(( $(ms) - t0 ))
  [ -z "$t_up" ] && port_up vm && t_up=$(( $(ms) - t0 ))
  grep -qa 'QG-DONE' "$work/console.log" 2>/dev/null && { t_done=$(( $(ms) - t0 )); break; }
  kill -0 "$qemu_pid" 2>/dev/null || break
  sleep 0.2
done
tr -d '\r' < "$work/console.log" | grep -a '^QG'
if [ -z "$t_done" ]; then
  echo "FAIL: the guest did not finish; console and QEMU output follow"
  tr -d '\r' < "$work/console.log" | tail -40; cat "$work/qemu.log"; exit 1
fi
field() { tr -d '\r' < "$work/console.log" | grep -a "^QG-CASE name=$1 " | tr ' ' '\n' | sed -n "s/^$2=//p"; }

check "vhostuser port came up when the guest's driver started" test -n "$t_up"
check "tenant ($tenant_stack): $(field tenant received)/$(field tenant sent) replies, $count sent" \
  test "$(field tenant sent)" = "$count" -a "$(field tenant received)" = "$count"
check "other_inner (88a8:100/8100:300): no reply to $(field other_inner sent) requests" \
  test "$(field other_inner sent)" -gt 0 -a "$(field other_inner received)" = 0
check "other_outer (88a8:101/8100:200): no reply to $(field other_outer sent) requests" \
  test "$(field other_outer sent)" -gt 0 -a "$(field other_outer received)" = 0

# The vhost device's own per-queue counters, through the management API.
ctl port-stats br0 --json > "$work/stats.json"
ctl port-stats br0 --xstats > "$work/stats.txt"
xstat() { /usr/bin/python3 -c '
import json, sys
for p in json.load(open(sys.argv[1]))["ports"]:
    if p["port"] == sys.argv[2]:
        print(next((int(x["value"]) for x in p.get("xstats", []) if x["name"] == sys.argv[3]), -1))' \
  "$work/stats.json" "$1" "$2"; }
for x in rx_q0_good_packets tx_q0_good_packets; do
  v=$(xstat vm $x)
  check "vm port xstat $x = $v (> 0)" test "$v" -gt 0
done
check "port-stats --xstats lists the vm port's queue counters" grep -q 'rx_q0_good_packets' "$work/stats.txt"
sed -n '/^vm xstats:/,/^[^ ]/p' "$work/stats.txt" | grep -E 'vm xstats|good_(packets|bytes)'

# --- what the namespace saw ----------------------------------------------------
sleep 0.5
kill -INT "$tshark_pid"; wait "$tshark_pid" 2>/dev/null; tshark_pid=
frames() { tshark -r "$work/ns.pcapng" -Y "$1" 2>/dev/null | wc -l; }
requests=$(frames 'icmp.type == 8 && ip.src == 10.50.0.1')
check "namespace got exactly the tenant's $requests/$count echo requests, untagged" \
  test "$requests" = "$count" -a "$(frames 'vlan || ieee8021ad')" = 0
leaked=$(frames 'ip.src == 10.50.0.11 || ip.src == 10.50.0.12 || arp.src.proto_ipv4 == 10.50.0.11 || arp.src.proto_ipv4 == 10.50.0.12')
check "namespace got none of the other stacks' frames ($leaked)" test "$leaked" = 0

# --- the guest leaves ------------------------------------------------------------
qemu_stop "$qemu_pid"; qemu_pid=
for _ in $(seq 50); do port_up vm || break; sleep 0.1; done
check "vhostuser port went down when QEMU was gone" port_down vm
check "the access port stayed up" port_up ns
kill -TERM "$stratad_pid"; wait "$stratad_pid"; rc=$?; stratad_pid=
check "stratad exits 0" test "$rc" -eq 0
[ $fail = 0 ] || { echo "stratad log:"; tail -30 "$work/stratad.log"; }

echo "timings: initramfs ${t_initramfs} ms, stratad start ${t_stratad} ms;" \
  "QEMU start to guest userspace ${t_user:-?} ms, to vhost port up ${t_up:-?} ms, to pings done ${t_done} ms;" \
  "whole test $(( $(ms) - t_start )) ms"
[ $fail = 0 ] && echo "PASS: QEMU guest on a vhostuser trunk" || echo "FAIL: QEMU guest on a vhostuser trunk"
exit $fail
