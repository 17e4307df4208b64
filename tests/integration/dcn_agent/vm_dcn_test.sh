#!/usr/bin/env bash
# A VM DCN: QEMU (TCG) boots Debian's kernel with a vhostuser VNIC on
# stratad (virtio-net, vectors=0); inside, strata-dcn-agent makes two
# containers with the kernel's own VLAN subinterfaces (8021q, picked by
# auto detection). A namespace DCN on an afxdp VNIC, its agent watching
# stratad, has a container of each tenant. Passes when
#   - the guest's agent made both containers with the vlan mechanism;
#   - the VM's tenant-A container pings the namespace DCN's tenant-A one,
#     tenant B likewise, and tenant B gets no reply from tenant A's address;
#   - stratad counted the VM containers' frames on their own ports.
# usage: vm_dcn_test.sh BUILD_DIR   (77 = cannot run here)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
[ -r "$top/tests/qemu/vm.sh" ] || { echo "SKIP: tests/qemu/ (the shared QEMU guest helpers) missing"; exit 77; }
source "$top/tests/qemu/vm.sh"
source "$top/tests/qemu/initramfs.sh"
build=${1:-${STRATA_BUILD_DIR:-build}}
stratad=$build/bin/stratad
stratactl=$build/bin/stratactl
agent=$build/bin/strata-dcn-agent
qemu_find_kernel kernel/net/8021q/8021q.ko || exit $?
[ -x /usr/sbin/ip ] || { echo "SKIP: iproute2's ip missing"; exit 77; }
for f in "$stratad" "$stratactl" "$agent"; do [ -x "$f" ] || { echo "FAIL: build $f first"; exit 1; }; done

tag=vd$$
vmdcn=${tag}vm dcn2=${tag}d2 ns2=$tag-d2
work=$(mktemp -d /tmp/strata-vm-dcn.XXXXXX)
mgmt=unix:$work/mgmt.sock
ctl() { "$stratactl" --mgmt "$mgmt" "$@"; }
qemu_pid= stratad_pid= agent_pid= root=
fail=0
cleanup() {
  qemu_stop "$qemu_pid"
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  [ -n "$stratad_pid" ] && kill "$stratad_pid" 2>/dev/null && wait "$stratad_pid" 2>/dev/null
  for n in $(ls /run/netns 2>/dev/null | grep "^sdcn-$dcn2-"); do ip netns del "$n"; done
  rm -f "/run/lock/strata-dcn-agent.$dcn2.lock" "/tmp/strata-dcn-agent.$dcn2.lock"
  ip link del "${tag}d2v" 2>/dev/null
  ip netns del "$ns2" 2>/dev/null
  [ -n "$root" ] && rm -rf "$root"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
check() { if "${@:2}" >/dev/null 2>&1; then echo "  ok    $1"; else echo "  FAIL  $1"; fail=1; fi; }
ms() { date +%s%3N; }
t_start=$(ms)

# --- the VM's initramfs: busybox, iproute2, the agent, virtio-net, 8021q ------
root=$(initramfs_new) || exit 1
initramfs_add_program "$root" /usr/sbin/ip /usr/local/sbin/ip
initramfs_add_program "$root" "$agent" /usr/local/bin/strata-dcn-agent strip
initramfs_add_modules "$root" "$kver" /modules virtio_pci virtio_net 8021q || exit 1
mkdir -p "$root/qemu" "$root/run/netns"
cp "$top/tests/qemu/guest_lib.sh" "$root/qemu/"
install -m 0755 "$here/vm_dcn_init.sh" "$root/init"
initramfs_pack "$root" "$work/initrd.gz"
rm -rf "$root"; root=
echo "initramfs: $(du -k "$work/initrd.gz" | cut -f1) KiB"

# --- the namespace DCN ----------------------------------------------------------
ip netns add "$ns2"
ip link add "${tag}d2v" type veth peer name eth0 netns "$ns2"
ip link set "${tag}d2v" up
ip -n "$ns2" link set eth0 up
ip netns exec "$ns2" sysctl -qw net.ipv6.conf.all.disable_ipv6=1

# --- stratad, the DCNs and their containers ------------------------------------
cat > "$work/strata.conf" <<EOC
bridges { name: "br0"
  ports { name: "vnicvm" type: "vhostuser" options { key: "path" value: "$work/vm.sock" } }
  ports { name: "vnic2" type: "afxdp" options { key: "iface" value: "${tag}d2v" } }
}
EOC
"$stratad" --db "$work/conf.db" --mgmt "$mgmt" --config "$work/strata.conf" --file-prefix "$tag" \
  --memory 256 --mbufs 8191 > "$work/stratad.log" 2>&1 &
stratad_pid=$!
for _ in $(seq 150); do grep -q "running:" "$work/stratad.log" && [ -S "$work/vm.sock" ] && break; sleep 0.1; done
grep -q "running:" "$work/stratad.log" || { echo "FAIL: stratad did not start"; cat "$work/stratad.log"; exit 1; }
ctl dcn-add br0 "$vmdcn" --vnic vnicvm && ctl dcn-add br0 "$dcn2" --vnic vnic2 || { echo "FAIL: dcn-add"; exit 1; }
ctl container-add "$vmdcn" "${tag}vma" --tag 10 --access 88a8:100 --address 10.1.0.1/24 &&
ctl container-add "$vmdcn" "${tag}vmb" --tag 11 --access 88a8:200 --address 10.1.0.2/24 &&
ctl container-add "$dcn2" "${tag}a3" --tag 10 --access 88a8:100 --address 10.1.0.3/24 &&
ctl container-add "$dcn2" "${tag}b3" --tag 11 --access 88a8:200 --address 10.1.0.4/24 || { echo "FAIL: container-add"; exit 1; }
nsenter --net="/run/netns/$ns2" "$agent" watch --mgmt "$mgmt" --dcn "$dcn2" --nic eth0 > "$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 300); do [ -e "/run/netns/sdcn-$dcn2-${tag}b3" ] && grep -q "created ${tag}b3" "$work/agent.log" && break; sleep 0.1; done
check "the namespace DCN's agent made its containers" grep -q "created ${tag}b3" "$work/agent.log"

# --- the VM DCN ---------------------------------------------------------------------
args="console=ttyS0 quiet panic=-1 ipv6.disable=1 strata.dcn=$vmdcn"
args+=" strata.container=${tag}vma,10,10.1.0.1/24 strata.container=${tag}vmb,11,10.1.0.2/24"
args+=" strata.ping=${tag}vma,10.1.0.3 strata.ping=${tag}vmb,10.1.0.4 strata.ping=${tag}vmb,10.1.0.3"
t0=$(ms)
qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 384 -nodefaults -display none -no-reboot \
  -object memory-backend-memfd,id=mem0,size=384M,share=on -numa node,memdev=mem0 \
  -chardev socket,id=c0,path="$work/vm.sock" -netdev vhost-user,id=n0,chardev=c0 \
  -device virtio-net-pci,netdev=n0,vectors=0,mac=52:54:00:00:60:01 \
  -serial "file:$work/console.log" -kernel "$kernel" -initrd "$work/initrd.gz" -append "$args" \
  < /dev/null > "$work/qemu.log" 2>&1 &
qemu_pid=$!
done_ok=
for _ in $(seq 600); do
  grep -qa 'QD-DONE' "$work/console.log" 2>/dev/null && { done_ok=1; break; }
  kill -0 "$qemu_pid" 2>/dev/null || break
  sleep 0.2
done
tr -d '\r' < "$work/console.log" | grep -a '^QD'
if [ -z "$done_ok" ]; then
  echo "FAIL: the guest did not finish; console and QEMU output follow"
  tr -d '\r' < "$work/console.log" | tail -40; cat "$work/qemu.log"; exit 1
fi
echo "guest: QEMU start to pings done $(( $(ms) - t0 )) ms"
console() { tr -d '\r' < "$work/console.log"; }
received() { console | grep -a "^QD-PING name=$1 peer=$2 " | sed -n 's/.*received=\([0-9]*\).*/\1/p'; }
check "the guest's agent made both containers (rc 0)" test "$(console | grep -ac '^QD-AGENT rc=0 created .* vlan')" = 2
check "with VLAN subinterfaces (auto picked vlan)" bash -c "[ \$(tr -d '\r' < '$work/console.log' | grep -a '^QD-LIST ' | grep -c ' vlan ') = 2 ]"
check "VM tenant A (tag 10) pings the namespace DCN's tenant A ($(received ${tag}vma 10.1.0.3)/6)" \
  test "$(received ${tag}vma 10.1.0.3)" -ge 3
check "VM tenant B (tag 11) pings the namespace DCN's tenant B ($(received ${tag}vmb 10.1.0.4)/6)" \
  test "$(received ${tag}vmb 10.1.0.4)" -ge 3
check "VM tenant B gets no reply from tenant A's address" test "$(received ${tag}vmb 10.1.0.3)" = 0

# Each VM container's frames on its own port (JSON names: proto3 JSON).
ctl --json port-stats br0 > "$work/stats.json"
rx() { /usr/bin/python3 -c '
import json, sys
for p in json.load(open(sys.argv[1]))["ports"]:
    if p["port"] == sys.argv[2]: print(int(p.get("rxPackets", p.get("rx_packets", 0))))' "$work/stats.json" "$1"; }
check "stratad counted vma's frames on its own port ($(rx ${tag}vma))" test "$(rx ${tag}vma)" -ge 6
check "and vmb's on its own ($(rx ${tag}vmb))" test "$(rx ${tag}vmb)" -ge 7

qemu_stop "$qemu_pid"; qemu_pid=
kill -TERM "$agent_pid"; wait "$agent_pid"; rc=$?; agent_pid=
check "the namespace DCN's agent exits 0 on SIGTERM" test "$rc" -eq 0
kill -TERM "$stratad_pid"; wait "$stratad_pid"; rc=$?; stratad_pid=
check "stratad exits 0" test "$rc" -eq 0
[ $fail = 0 ] || { echo "stratad log:"; tail -20 "$work/stratad.log"; echo "agent log:"; cat "$work/agent.log"; }
echo "whole test $(( $(ms) - t_start )) ms"
[ $fail = 0 ] && echo "PASS: VM DCN with VLAN subinterfaces" || echo "FAIL: VM DCN with VLAN subinterfaces"
exit $fail
