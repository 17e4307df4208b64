# A guest exchanging numbered frames with a peer is paused, snapshotted,
# killed and restored from the snapshot; the exchange goes on.
#
#   stratad: pa, pb  access 88a8:100/8100:200 (one tenant)
#   guest a (pa): paced sender, FRAMES frames at RATE/s to b
#   guest b (pb): echoes; paused + snapshotted + SIGKILLed mid-exchange,
#                 then `strata-hv --restore` on the same port
#
# Passes when a's echoes come back after the restore (its last frames are
# echoed), nothing but its own echoes reached it, and the restored b runs
# on. Prints the frames lost while b was away and the times of each step.
. /nested/lib.sh
. /nested/stratad_lib.sh
. /nested/paced_lib.sh
cleanup() {
  for p in ${pid_a:-} ${pid_b:-} ${pid_b2:-}; do kill -9 "$p" 2>/dev/null; done
  stratad_stop sw
}

stratad_start sw || { cleanup; exit 1; }
ctl sw add-br br0 &&
ctl sw add-port br0 pa --type vhostuser --opt path=/tmp/pa.sock --access $T &&
ctl sw add-port br0 pb --type vhostuser --opt path=/tmp/pb.sock --access $T ||
  { echo "NESTED: could not configure the switch"; cleanup; exit 1; }

guest_start b /tmp/pb.sock $MAC_B "$(echo_cmdline)" --control /tmp/b.ctl
wait_for_line /tmp/b.console ready 60 && wait_until 30 link_up sw pb || { fail "b did not come up"; cat /tmp/b.stderr; cleanup; exit 1; }
guest_start a /tmp/pa.sock $MAC_A "$(paced_cmdline $MAC_B $FRAMES $RATE)"
wait_for_line /tmp/a.console ready 60 || fail "a did not come up"

# A fifth of the way in (the steps take 10-20 s under TCG): pause, snapshot, kill.
sleep $((FRAMES / RATE / 5))
t0=$(now_ms)
r_pause=$(hv_remote b pause) || fail "pause: $r_pause"
t1=$(now_ms)
r_snap=$(hv_remote b snapshot /tmp/snap-b) || fail "snapshot: $r_snap"
t2=$(now_ms)
echo "NESTED: pause -> $r_pause; snapshot -> $r_snap"
echo "NESTED: switch before the restore:"; ctl sw port-stats br0
kill -9 "$pid_b"; wait "$pid_b" 2>/dev/null
t3=$(now_ms)
NETNS= strata-hv --restore /tmp/snap-b --control /tmp/b.ctl --console /tmp/b.console 2> /tmp/b2.stderr &
pid_b2=$!
wait_for_line /tmp/b2.stderr 'restored the guest' 60 || fail "b was not restored"
t4=$(now_ms)
r_status=$(hv_remote b status) || fail "status after restore: $r_status"
echo "NESTED: restored b: $r_status"
echo "NESTED-TIMING: pause $((t1 - t0)) ms, snapshot $((t2 - t1)) ms, kill $((t3 - t2)) ms, restore to running $((t4 - t3)) ms (strata-hv-remote round trips included; L1 clock)"
grep 'restored the guest' /tmp/b2.stderr | sed 's/^/NESTED: /'

wait_pid_timeout "$pid_a" $((FRAMES / RATE + 120)); rc_a=$?
echo "NESTED: switch after the exchange:"; ctl sw port-stats br0; ctl sw show
[ "$rc_a" = 0 ] || fail "a exited $rc_a"
paced_verdict a "$FRAMES" || rc=1
echo "SNAPSHOT-RESTORE lost=$(paced_field a lost) duplicated=$(paced_field a duplicated) max_gap_ms=$(( $(paced_field a max_gap_us | grep . || echo 0) / 1000 )) snapshot_ms=$((t2 - t1)) restore_ms=$((t4 - t3)) memory_data_bytes=$(json_field "$r_snap" data_bytes)"
[ "$(json_field "$r_status" state)" = running ] || fail "restored b is not running"

r_stop=$(hv_remote b stop) || fail "stop: $r_stop"
wait_pid_timeout "$pid_b2" 30; rc_b=$?
[ "$rc_b" = 0 ] || fail "restored b exited $rc_b after stop"
for g in a b; do echo "---- guest $g ----"; cat /tmp/$g.console; grep strata-hv /tmp/$g.stderr; done
echo "---- restored b (stderr) ----"; cat /tmp/b2.stderr
[ $rc = 0 ] || { echo "---- stratad ----"; tail -30 /tmp/sw.log; }
cleanup
exit $rc
