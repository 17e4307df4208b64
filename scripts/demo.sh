#!/usr/bin/env bash
# make demo: Strata's main job on its embedded defaults.
#
# One bridge, two tenants that use the SAME IP addresses, kept apart only by
# their 802.1ad/802.1Q tag stacks:
#
#   tenant A  88a8:100/8100:200   a1 10.0.0.1   a2 10.0.0.2   (access ports)
#   tenant B  88a8:101/8100:200   b1 10.0.0.1   b2 10.0.0.2   (access ports)
#   trunk     a namespace where a userspace host, 10.0.0.9 in tenant A's
#             stack, answers and prints every stacked frame it sees
#   DCN       a namespace standing in for a VM, its one veth an afxdp VNIC,
#             with three containers (c1, c2 of tenant A, c3 of tenant B),
#             each a switch port of its own over the VNIC, made by
#             strata-dcn-agent with eBPF tagging (scripts/demo/dcn_containers.py)
#
# Each host is a network namespace joined to stratad by a veth (afpacket
# port). The demo shows pings that pass within a tenant and fail across,
# the stacks on the trunk, and the port and PMD counters; then it stops
# everything it started. Exit status: 0 when every expectation held.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${STRATA_BUILD_DIR:-$top/build}
stratad=$build/bin/stratad
[ -x "$stratad" ] || { echo "demo: $stratad not built (run make demo)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (namespaces, veths, DPDK)" >&2; exit 1; }

tag=sd$$                                  # unique suffix: never touches another run's objects
work=$(mktemp -d /tmp/strata-demo.XXXXXX)
hosts=(a1 a2 b1 b2 trunk)
pids=()
capture_pids=()
dcn_pid=
failures=0

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ns() { echo "${tag}-$1"; }

cleanup() {
  # The DCN part first: it takes its DCN off the running switch, then
  # removes its namespaces and veths.
  if [ -n "$dcn_pid" ]; then kill "$dcn_pid" 2>/dev/null; wait "$dcn_pid" 2>/dev/null; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  for h in "${hosts[@]}"; do
    ip link del "${tag}$h" 2>/dev/null
    ip netns del "$(ns "$h")" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

expect() {  # expect pass|fail DESCRIPTION -- command...
  local want=$1 what=$2
  shift 3
  if "$@" >"$work/last" 2>&1; then got=pass; else got=fail; fi
  if [ "$got" = "$want" ]; then
    printf '  ok    %-58s (%s, as it should)\n' "$what" "$got"
  else
    printf '  WRONG %-58s (%s, expected %s)\n' "$what" "$got" "$want"
    sed 's/^/        /' "$work/last"
    failures=$((failures + 1))
  fi
}

say "topology: 5 namespaces, 5 veths into stratad"
declare -A ip_of=([a1]=10.0.0.1 [a2]=10.0.0.2 [b1]=10.0.0.1 [b2]=10.0.0.2)
for h in "${hosts[@]}"; do
  ip netns add "$(ns "$h")"
  ip link add "${tag}$h" type veth peer name eth0 netns "$(ns "$h")"
  ip link set "${tag}$h" up
  ip -n "$(ns "$h")" link set lo up
  ip -n "$(ns "$h")" link set eth0 up
  # No IPv6 chatter: the counters then show only the demo's own frames.
  ip netns exec "$(ns "$h")" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  if [ -n "${ip_of[$h]:-}" ]; then
    ip -n "$(ns "$h")" addr add "${ip_of[$h]}/24" dev eth0
    printf '  %-6s %-10s behind an access port\n' "$h" "${ip_of[$h]}"
  fi
done
echo "  trunk  10.0.0.9   userspace host in tenant A's stack, on a trunk port"

port() {  # port NAME STACK-TEXTPROTO
  printf '  ports { name: "%s" type: "afpacket" options { key: "iface" value: "%s" } %s }\n' "$1" "${tag}$1" "$2"
}
stackA='access { stack { tags { tpid: 0x88a8 vid: 100 } tags { tpid: 0x8100 vid: 200 } } }'
stackB='access { stack { tags { tpid: 0x88a8 vid: 101 } tags { tpid: 0x8100 vid: 200 } } }'
{
  echo 'bridges {'
  echo '  name: "br0"'
  port a1 "$stackA"; port a2 "$stackA"; port b1 "$stackB"; port b2 "$stackB"; port trunk ""
  echo '}'
} > "$work/strata.conf"

say "starting stratad (1 PMD thread)"
# A private config db and management socket: the demo never touches the
# machine's default ones.
private=()
help=$("$stratad" --help 2>&1)
[[ "$help" == *"--db"* ]] && private+=(--db "$work/conf.db")
[[ "$help" == *"--mgmt"* ]] && private+=(--mgmt "unix:$work/mgmt.sock")
"$stratad" "${private[@]}" --config "$work/strata.conf" --file-prefix "$tag" --memory 512 --mbufs 16383 \
  --pidfile "$work/stratad.pid" > "$work/stratad.log" 2>&1 &
stratad_pid=$!
pids+=("$stratad_pid")
for _ in $(seq 100); do
  grep -q "running:" "$work/stratad.log" && break
  kill -0 "$stratad_pid" 2>/dev/null || break
  sleep 0.1
done
if ! grep -q "running:" "$work/stratad.log"; then
  echo "demo: stratad did not start:"; cat "$work/stratad.log"; exit 1
fi
sed 's/^/  /' "$work/stratad.log"

say "the trunk: a host at 10.0.0.9 behind 88a8:100/8100:200, printing what crosses"
ip netns exec "$(ns trunk)" /usr/bin/python3 -u "$top/scripts/demo/trunk_host.py" eth0 10.0.0.9 02:5a:00:00:00:09 \
  88a8:100/8100:200 > "$work/trunk.log" 2>&1 &
pids+=("$!")
# Every namespace records what reached it, for the isolation checks.
for h in "${hosts[@]}"; do
  ip netns exec "$(ns "$h")" tshark -q -l -i eth0 -w "$work/$h.pcapng" > /dev/null 2>&1 &
  pids+=("$!")
  capture_pids+=("$!")
done
# Ready when the responder says so and every capture has written its header.
for _ in $(seq 200); do
  ready=1
  grep -q '^ready' "$work/trunk.log" || ready=0
  for h in "${hosts[@]}"; do [ -s "$work/$h.pcapng" ] || ready=0; done
  [ $ready -eq 1 ] && break
  sleep 0.1
done
[ $ready -eq 1 ] || { echo "demo: the trunk host or the captures did not start"; cat "$work/trunk.log"; exit 1; }

ping1() { ip netns exec "$(ns "$1")" ping -c 2 -i 0.3 -W 1 "$2"; }
say "within a tenant: pass"
expect pass "tenant A: a1 -> a2 (10.0.0.2)" -- ping1 a1 10.0.0.2
expect pass "tenant B: b1 -> b2 (10.0.0.2, the same IP as a2)" -- ping1 b1 10.0.0.2
expect pass "tenant A: a2 -> the trunk host 10.0.0.9" -- ping1 a2 10.0.0.9
say "across tenants: fail"
expect fail "tenant B: b1 -> the trunk host 10.0.0.9 (tenant A's)" -- ping1 b1 10.0.0.9
# a1 reached 10.0.0.2 = a2, never b2: compare the MAC a1 resolved.
mac_a2=$(ip -n "$(ns a2)" -br link show eth0 | awk '{print $3}')
mac_b2=$(ip -n "$(ns b2)" -br link show eth0 | awk '{print $3}')
resolved=$(ip -n "$(ns a1)" neigh show 10.0.0.2 | awk '{print $5}')
expect pass "a1's 10.0.0.2 is a2 ($mac_a2), not b2 ($mac_b2)" -- test "$resolved" = "$mac_a2"

say "frames on the trunk, as the trunk host saw them (outermost tag first)"
grep -v '^ready' "$work/trunk.log" | sort | uniq -c | sort -rn | head -12
sleep 1
for pid in "${capture_pids[@]}"; do kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
echo "  tshark on the trunk's wire (S-tag VID, C-tag VID, source MAC: frames):"
tshark -r "$work/trunk.pcapng" -Y ieee8021ad -T fields -e ieee8021ad.id -e vlan.id -e eth.src 2>/dev/null |
  sort | uniq -c | sed 's/^/   /'
mac_of() { ip -n "$(ns "$1")" -br link show eth0 | awk '{print $3}'; }
# saw CAPTURE FILTER: true when the capture holds a frame matching FILTER
saw() { tshark -r "$work/$1.pcapng" -Y "$2" 2>/dev/null | grep -q .; }
expect pass "tenant A crossed the trunk as 88a8:100/8100:200" -- \
  saw trunk "ieee8021ad.id == 100 && vlan.id == 200 && eth.src == $(mac_of a1)"
expect pass "tenant B crossed the trunk as 88a8:101/8100:200" -- \
  saw trunk "ieee8021ad.id == 101 && vlan.id == 200 && eth.src == $(mac_of b1)"
expect fail "a tenant B host ever crossed the trunk in A's stack" -- \
  saw trunk "ieee8021ad.id == 100 && (eth.src == $(mac_of b1) || eth.src == $(mac_of b2))"
for pair in "a1 b1" "a1 b2" "a2 b1" "a2 b2" "b1 a1" "b1 a2" "b2 a1" "b2 a2"; do
  set -- $pair
  expect fail "$1 ever received a frame from $2 (other tenant)" -- saw "$1" "eth.src == $(mac_of "$2")"
done

stratactl=$build/bin/stratactl
agent=$build/bin/strata-dcn-agent
if [ -x "$stratactl" ] && [ -x "$agent" ] && [ ${#private[@]} -gt 0 ]; then
  # In the background and waited for, so that Ctrl-C reaches the traps at
  # once; it cleans up after itself on every exit (also SIGINT/SIGTERM).
  /usr/bin/python3 -u "$top/scripts/demo/dcn_containers.py" "$build" "unix:$work/mgmt.sock" br0 &
  dcn_pid=$!
  wait "$dcn_pid"
  rc=$?
  dcn_pid=
  [ "$rc" -gt 128 ] && exit 130   # it died of Ctrl-C or a kill: stop here too
  expect pass "the container DCN part held every expectation" -- test "$rc" -eq 0
else
  say "(no container DCN part: stratactl or strata-dcn-agent not built)"
fi

if [ -x "$stratactl" ] && [ ${#private[@]} -gt 0 ]; then
  ctl() { "$stratactl" --mgmt "unix:$work/mgmt.sock" "$@" 2>&1 | sed 's/^/  /'; }
  say "the switch as stratactl shows it (gRPC management API)"
  ctl show
  say "counters: stratactl port-stats br0, pmd-stats, dump-dpflows br0"
  ctl port-stats br0
  echo
  ctl pmd-stats
  echo
  ctl dump-dpflows br0
else
  say "counters (stratad, SIGUSR1)"
  lines=$(wc -l < "$work/stratad.log")
  kill -USR1 "$stratad_pid"
  sleep 0.5
  tail -n +"$((lines + 1))" "$work/stratad.log" | sed 's/^/  /'
fi

say "stopping"
kill -TERM "$stratad_pid"
wait "$stratad_pid"
rc=$?
expect pass "stratad exited cleanly on SIGTERM" -- test "$rc" -eq 0
pids=("${pids[@]:1}")

if [ "$failures" -eq 0 ]; then
  say "demo: every expectation held"
  exit 0
fi
say "demo: $failures expectation(s) failed"
exit 1
