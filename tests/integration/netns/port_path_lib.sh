# Sourced by the port-type tests (tap_test.sh, afxdp_test.sh): the path
# every namespace-facing port type must carry. One stratad with three ports
# of the type under test, each leading into a namespace of its own: h1 and
# h2 access ports behind 88a8:7, trk a trunk where a host answers inside
# 88a8:7 and tshark records the wire. The caller makes the interfaces
# `${tag}h1`, `${tag}h2`, `${tag}trk` (or has stratad make them), puts each
# side into `$tag-h1` ...; this file starts stratad, pings across, checks
# the stack on the trunk's wire and removes everything on any exit.
#
# usage (in the test, after `source`):
#   port_path_init NAME BUILD_DIR       sets tag, work, stratad, top; installs the cleanup
#   port_path_start_stratad TYPE        three ports of TYPE on br0; waits for running:
#   port_path_exercise IFACE SUBNET     trunk host + tshark on IFACE in $tag-trk (IFACE is
#                                       the interface's name inside every namespace, or
#                                       "" for ${tag}h1 etc.), pings, tshark checks
#   port_path_stop_stratad              SIGTERM; exit 0 expected
#   exit $fail
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/stratad_args.sh"

pids=()
fail=0

check() { if "${@:2}" >/dev/null 2>&1; then echo "  ok    $1"; else echo "  FAIL  $1"; fail=1; fi; }

port_path_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  # stratad removes the interfaces it made when it stops; whatever lost its
  # owner in a failure goes with its namespace or is deleted here.
  for h in h1 h2 trk; do ip link del "$tag$h" 2>/dev/null; ip netns del "$tag-$h" 2>/dev/null; done
  rm -rf "$work"
}

port_path_init() {  # NAME BUILD_DIR
  top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
  stratad=${2:-build}/bin/stratad
  tag=$1$$
  work=$(mktemp -d "/tmp/strata-$1.XXXXXX")
  mapfile -t private < <(private_stratad_args "$stratad" "$work")
  trap port_path_cleanup EXIT
}

port_path_start_stratad() {  # TYPE
  local acc='access { stack { tags { tpid: 0x88a8 vid: 7 } } }'
  cat > "$work/c.conf" <<EOC
bridges { name: "br0"
  ports { name: "h1" type: "$1" options { key: "iface" value: "${tag}h1" } $acc }
  ports { name: "h2" type: "$1" options { key: "iface" value: "${tag}h2" } $acc }
  ports { name: "trk" type: "$1" options { key: "iface" value: "${tag}trk" } }
}
EOC
  "$stratad" "${private[@]}" --config "$work/c.conf" --file-prefix "$tag" --memory 256 --mbufs 8191 \
    > "$work/stratad.log" 2>&1 &
  spid=$!
  pids+=("$spid")
  for _ in $(seq 100); do grep -q "running:" "$work/stratad.log" && break; sleep 0.1; done
  check "stratad started with three $1 ports" grep -q "running:" "$work/stratad.log"
}

port_path_exercise() {  # IFACE SUBNET (e.g. 10.8.0)
  local trk_if=${1:-${tag}trk} net=$2 tshark_pid
  ip netns exec "$tag-trk" /usr/bin/python3 -u "$top/scripts/demo/trunk_host.py" "$trk_if" "$net.9" \
    02:5a:00:00:00:79 88a8:7 > "$work/trunk.log" 2>&1 &
  pids+=("$!")
  ip netns exec "$tag-trk" tshark -q -i "$trk_if" -w "$work/trk.pcapng" >/dev/null 2>&1 &
  tshark_pid=$!
  pids+=("$tshark_pid")
  for _ in $(seq 200); do grep -q '^ready' "$work/trunk.log" && [ -s "$work/trk.pcapng" ] && break; sleep 0.1; done

  check "ping h1 -> h2 across two access ports" ip netns exec "$tag-h1" ping -c 3 -i 0.3 -W 1 "$net.2"
  check "ping h1 -> the host behind 88a8:7 on the trunk" ip netns exec "$tag-h1" ping -c 3 -i 0.3 -W 1 "$net.9"
  sleep 0.5
  kill -INT "$tshark_pid"; wait "$tshark_pid" 2>/dev/null
  check "tshark on the trunk saw ICMP inside 88a8:7" \
    bash -c "tshark -r '$work/trk.pcapng' -Y 'ieee8021ad.id == 7 && icmp' 2>/dev/null | grep -q ."
  check "and no untagged IPv4 on the trunk" \
    bash -c "! tshark -r '$work/trk.pcapng' -Y 'ip && !ieee8021ad' 2>/dev/null | grep -q ."
}

port_path_stop_stratad() {
  local rc
  kill -TERM "$spid"; wait "$spid"; rc=$?
  check "stratad exits 0" test "$rc" -eq 0
  check "stratad's log has no error" bash -c "! grep -qiE '\\b(error|critical)\\b' '$work/stratad.log'"
  [ $fail -ne 0 ] && tail -20 "$work/stratad.log"
}
