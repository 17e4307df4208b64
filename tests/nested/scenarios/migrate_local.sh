# Live migration on one host: the echo guest moves between two strata-hv
# processes on two ports of one stratad while its peer keeps sending
# numbered frames at a fixed rate. Same host, so the guest's RAM is handed
# over as its memfd (nothing copied); the switch learns the new port from
# the RARP the backend sends for the moved guest.
#
#   stratad: pa, pb1, pb2  access 88a8:100/8100:200 (one tenant)
#   guest a (pa):  paced sender, FRAMES at RATE/s to b
#   guest b (pb1): echoes; migrated mid-exchange to a strata-hv started
#                  with --incoming unix:... --net vhost-user=pb2
#
# First two migrations that must fail (no destination; a destination whose
# NIC socket is not served) and leave b running where it is.
# Passes when the migration reports success, the source exits with 80
# ("migrated", never restarted), the exchange goes on through pb2 (a's
# last frames are echoed, the switch counts them on pb2), and prints
# MIGRATION downtime_ms= lost= duplicated= total_ms=.
. /nested/lib.sh
. /nested/stratad_lib.sh
. /nested/paced_lib.sh
cleanup() {
  for p in ${pid_a:-} ${pid_b:-} ${pid_b2:-} ${pid_bad:-}; do kill -9 "$p" 2>/dev/null; done
  stratad_stop sw
}

stratad_start sw || { cleanup; exit 1; }
ctl sw add-br br0 &&
for p in pa pb1 pb2; do ctl sw add-port br0 $p --type vhostuser --opt path=/tmp/$p.sock --access $T || exit 1; done ||
  { echo "NESTED: could not configure the switch"; cleanup; exit 1; }

guest_start b /tmp/pb1.sock $MAC_B "$(echo_cmdline)" --control /tmp/b.ctl
wait_for_line /tmp/b.console ready 60 && wait_until 30 link_up sw pb1 || { fail "b did not come up"; cat /tmp/b.stderr; cleanup; exit 1; }
guest_start a /tmp/pa.sock $MAC_A "$(paced_cmdline $MAC_B $FRAMES $RATE)"
wait_for_line /tmp/a.console ready 60 || fail "a did not come up"

# The destination waits on its own socket, connected to pb2 already.
strata-hv --incoming unix:/tmp/b-in.sock --net vhost-user=/tmp/pb2.sock --control /tmp/b2.ctl --console /tmp/b.console \
  2> /tmp/b2.stderr &
pid_b2=$!
wait_for_line /tmp/b2.stderr 'waiting for a migration' 60 || fail "the destination did not start"

# Two migrations that must fail and leave the guest running here: to a
# destination that is not there, and to one that cannot attach the guest
# (its --net socket is not served: no such port on the switch).
if r=$(hv_remote b migrate unix:/tmp/nowhere.sock 2>&1); then fail "a migration to nowhere succeeded: $r"; fi
echo "NESTED: migrate to nowhere -> $r"
echo "$r" | grep -q 'cannot connect to migration destination' || fail "no clear reason for the unreachable destination"
strata-hv --incoming unix:/tmp/b-bad.sock --net vhost-user=/tmp/no-such-port.sock --console /tmp/bad.console 2> /tmp/bad.stderr &
pid_bad=$!
wait_for_line /tmp/bad.stderr 'waiting for a migration' 60 || fail "the bad destination did not start"
if r=$(hv_remote b migrate unix:/tmp/b-bad.sock 2>&1); then fail "a migration to a destination without the port succeeded: $r"; fi
echo "NESTED: migrate to a destination without the port -> $r"
echo "$r" | grep -q 'cannot connect to vhost-user socket /tmp/no-such-port.sock' || fail "no clear reason for the failed destination"
wait_pid_timeout "$pid_bad" 30 > /dev/null
r=$(hv_remote b status) && [ "$(json_field "$r" state)" = running ] || fail "b is not running on the source after the failed migrations: $r"

sleep $((FRAMES / RATE / 5))
t0=$(now_ms)
r_mig=$(hv_remote b migrate unix:/tmp/b-in.sock) || fail "migrate: $r_mig"
t1=$(now_ms)
echo "NESTED: migrate -> $r_mig ($((t1 - t0)) ms with strata-hv-remote)"
migrated "$pid_b" b2

wait_pid_timeout "$pid_a" $((FRAMES / RATE + 120)); rc_a=$?
[ "$rc_a" = 0 ] || fail "a exited $rc_a"
echo "NESTED: switch after the exchange:"; ctl sw port-stats br0
paced_verdict a "$FRAMES" || rc=1
pb2_tx=$(tx_of sw br0 pb2)
[ -n "$pb2_tx" ] && [ "$pb2_tx" -gt 0 ] || fail "the switch sent nothing to pb2: it did not follow the guest"
echo "MIGRATION downtime_ms=$(json_field "$r_mig" downtime_ms) lost=$(paced_field a lost) duplicated=$(paced_field a duplicated) total_ms=$(json_field "$r_mig" total_ms) transport=unix max_gap_ms=$(( $(paced_field a max_gap_us | grep . || echo 0) / 1000 )) restore_ms=$(json_field "$r_mig" restore_ms)"

r_stop=$(hv_remote b2 stop) || fail "stop: $r_stop"
wait_pid_timeout "$pid_b2" 30 || fail "the destination did not stop"
for g in a b; do echo "---- guest $g ----"; cat /tmp/$g.console; grep strata-hv /tmp/$g.stderr; done
echo "---- destination (stderr) ----"; cat /tmp/b2.stderr
[ $rc = 0 ] || { echo "---- stratad ----"; tail -30 /tmp/sw.log; }
cleanup
exit $rc
