#!/usr/bin/env bash
# afxdp ports on veths into namespaces: a ping between two access ports, a
# tagged exchange with a host behind 88a8:7 on an afxdp trunk (tshark in its
# namespace confirms the stack on the wire), and a clear error for an
# interface that does not exist.  usage: afxdp_test.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/stratad_args.sh"
top=$(cd "$(dirname "$0")/../../.." && pwd)
stratad=${1:-build}/bin/stratad
tag=ax$$
work=$(mktemp -d /tmp/strata-afxdp.XXXXXX)
mapfile -t private < <(private_stratad_args "$stratad" "$work")
pids=()
fail=0
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  for h in h1 h2 trk; do ip link del "$tag$h" 2>/dev/null; ip netns del "$tag-$h" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
check() { if "${@:2}" >/dev/null 2>&1; then echo "  ok    $1"; else echo "  FAIL  $1"; fail=1; fi; }

for h in h1 h2 trk; do
  ip netns add "$tag-$h"
  ip link add "$tag$h" type veth peer name eth0 netns "$tag-$h"
  ip link set "$tag$h" up
  ip -n "$tag-$h" link set eth0 up
  ip netns exec "$tag-$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n "$tag-h1" addr add 10.7.0.1/24 dev eth0
ip -n "$tag-h2" addr add 10.7.0.2/24 dev eth0
acc='access { stack { tags { tpid: 0x88a8 vid: 7 } } }'
cat > "$work/c.conf" <<EOC
bridges { name: "br0"
  ports { name: "h1" type: "afxdp" options { key: "iface" value: "${tag}h1" } $acc }
  ports { name: "h2" type: "afxdp" options { key: "iface" value: "${tag}h2" } $acc }
  ports { name: "trk" type: "afxdp" options { key: "iface" value: "${tag}trk" } }
}
EOC
"$stratad" "${private[@]}" --config "$work/c.conf" --file-prefix "$tag" --memory 256 --mbufs 8191 > "$work/stratad.log" 2>&1 &
spid=$!
pids+=("$spid")
for _ in $(seq 100); do grep -q "running:" "$work/stratad.log" && break; sleep 0.1; done
check "stratad started with three afxdp ports" grep -q "running:" "$work/stratad.log"

ip netns exec "$tag-trk" /usr/bin/python3 -u "$top/scripts/demo/trunk_host.py" eth0 10.7.0.9 02:5a:00:00:00:79 \
  88a8:7 > "$work/trunk.log" 2>&1 &
pids+=("$!")
ip netns exec "$tag-trk" tshark -q -i eth0 -w "$work/trk.pcapng" >/dev/null 2>&1 &
tpid=$!
pids+=("$tpid")
for _ in $(seq 200); do grep -q '^ready' "$work/trunk.log" && [ -s "$work/trk.pcapng" ] && break; sleep 0.1; done

check "ping h1 -> h2 across two afxdp access ports" ip netns exec "$tag-h1" ping -c 3 -i 0.3 -W 1 10.7.0.2
check "ping h1 -> the host behind 88a8:7 on the afxdp trunk" ip netns exec "$tag-h1" ping -c 3 -i 0.3 -W 1 10.7.0.9
sleep 0.5
kill -INT "$tpid"; wait "$tpid" 2>/dev/null
check "tshark on the trunk saw ICMP inside 88a8:7" \
  bash -c "tshark -r '$work/trk.pcapng' -Y 'ieee8021ad.id == 7 && icmp' 2>/dev/null | grep -q ."
check "and no untagged IPv4 on the trunk" \
  bash -c "! tshark -r '$work/trk.pcapng' -Y 'ip && !ieee8021ad' 2>/dev/null | grep -q ."
kill -TERM "$spid"; wait "$spid"; rc=$?
check "stratad exits 0" test "$rc" -eq 0

# A port on an interface that does not exist: one clear line, exit 1
# (with a fresh db: the first run's config would be restored from it).
rm -f "$work/conf.db"
cat > "$work/bad.conf" <<EOC
bridges { name: "br0" ports { name: "x" type: "afxdp" options { key: "iface" value: "nope$tag" } } }
EOC
out=$("$stratad" "${private[@]}" --config "$work/bad.conf" --file-prefix "${tag}b" --memory 128 --mbufs 1023 2>&1 | grep -v '^20..-')
rc=${PIPESTATUS[0]}
check "missing interface: exit 1 naming it ($out)" bash -c "[ $rc -ne 0 ] && [[ \"$out\" == *\"interface 'nope$tag' does not exist\"* ]]"
exit $fail
