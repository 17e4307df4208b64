#!/usr/bin/env bash
# tap ports moved into namespaces: stratad creates two taps (net_tap), the
# test moves each into a namespace of its own, and a host on an access port
# behind 88a8:7 pings a host on a second access port and a host on a tap
# trunk that sees the stack on the wire (tshark). Proves the tap driver's
# queue setup (net_tap needs as many tx as rx queues) on real traffic.
# usage: tap_test.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/stratad_args.sh"
top=$(cd "$(dirname "$0")/../../.." && pwd)
stratad=${1:-build}/bin/stratad
tag=tp$$
work=$(mktemp -d /tmp/strata-tap.XXXXXX)
mapfile -t private < <(private_stratad_args "$stratad" "$work")
pids=()
fail=0
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  # stratad removes its taps when it stops; a tap that lost its owner in a
  # failure goes with its namespace.
  for h in h1 h2 trk; do ip netns del "$tag-$h" 2>/dev/null; ip link del "$tag$h" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
check() { if "${@:2}" >/dev/null 2>&1; then echo "  ok    $1"; else echo "  FAIL  $1"; fail=1; fi; }

acc='access { stack { tags { tpid: 0x88a8 vid: 7 } } }'
cat > "$work/c.conf" <<EOC
bridges { name: "br0"
  ports { name: "h1" type: "tap" options { key: "iface" value: "${tag}h1" } $acc }
  ports { name: "h2" type: "tap" options { key: "iface" value: "${tag}h2" } $acc }
  ports { name: "trk" type: "tap" options { key: "iface" value: "${tag}trk" } }
}
EOC
"$stratad" "${private[@]}" --config "$work/c.conf" --file-prefix "$tag" --memory 256 --mbufs 8191 > "$work/stratad.log" 2>&1 &
spid=$!
pids+=("$spid")
for _ in $(seq 100); do grep -q "running:" "$work/stratad.log" && break; sleep 0.1; done
check "stratad started with three tap ports" grep -q "running:" "$work/stratad.log"

mac=02:5a:00:00:00
i=1
for h in h1 h2 trk; do
  ip netns add "$tag-$h"
  ip link set "$tag$h" netns "$tag-$h"
  ip -n "$tag-$h" link set "$tag$h" address "$mac:0$i" up
  ip netns exec "$tag-$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  i=$((i + 1))
done
ip -n "$tag-h1" addr add 10.8.0.1/24 dev "${tag}h1"
ip -n "$tag-h2" addr add 10.8.0.2/24 dev "${tag}h2"

ip netns exec "$tag-trk" /usr/bin/python3 -u "$top/scripts/demo/trunk_host.py" "${tag}trk" 10.8.0.9 \
  02:5a:00:00:00:79 88a8:7 > "$work/trunk.log" 2>&1 &
pids+=("$!")
ip netns exec "$tag-trk" tshark -q -i "${tag}trk" -w "$work/trk.pcapng" >/dev/null 2>&1 &
tpid=$!
pids+=("$tpid")
for _ in $(seq 200); do grep -q '^ready' "$work/trunk.log" && [ -s "$work/trk.pcapng" ] && break; sleep 0.1; done

check "ping h1 -> h2 across two tap access ports" ip netns exec "$tag-h1" ping -c 3 -i 0.3 -W 1 10.8.0.2
check "ping h1 -> the host behind 88a8:7 on the tap trunk" ip netns exec "$tag-h1" ping -c 3 -i 0.3 -W 1 10.8.0.9
sleep 0.5
kill -INT "$tpid"; wait "$tpid" 2>/dev/null
check "tshark on the trunk saw ICMP inside 88a8:7" \
  bash -c "tshark -r '$work/trk.pcapng' -Y 'ieee8021ad.id == 7 && icmp' 2>/dev/null | grep -q ."
check "and no untagged IPv4 on the trunk" \
  bash -c "! tshark -r '$work/trk.pcapng' -Y 'ip && !ieee8021ad' 2>/dev/null | grep -q ."
kill -TERM "$spid"; wait "$spid"; rc=$?
check "stratad exits 0 with its taps in other namespaces" test "$rc" -eq 0
check "stratad's log has no error" bash -c "! grep -qiE '\\b(error|critical)\\b' '$work/stratad.log'"
[ $fail -ne 0 ] && tail -20 "$work/stratad.log"
exit $fail
