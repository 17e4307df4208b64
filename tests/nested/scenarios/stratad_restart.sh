# Guests outlive stratad: kill -9 of stratad under traffic; its guests keep
# running, reconnect their vhost-user sessions when the restarted stratad
# serves the sockets again, and frames flow again. The restarted stratad
# adopts the running guests (same PIDs) instead of starting new ones.
#
#   stratad (guest-add): pa, pb access 88a8:100/8100:200
#   guest a (pa): paced sender, FRAMES at RATE/s to b;  guest b (pb): echoes
#
# Passes when a's last frames are echoed after the restart, guest-list
# shows both guests running with their old PIDs and no restarts, stratactl
# guest-pause / guest-snapshot / guest-resume work on the adopted guest, and
# guest-del then stops them. Prints the frames lost across the restart.
. /nested/lib.sh
. /nested/stratad_lib.sh
. /nested/paced_lib.sh
GDIR=/tmp/sw-guests
CONSOLE_DIR=$GDIR
guest_field() { ctl sw guest-list | awk -v g="$1" -v f="$2" '$1 == g { print $f }'; }
cleanup() {
  for g in a b; do ctl sw guest-del $g > /dev/null 2>&1; done
  stratad_stop sw
  # guests outlive stratad by design: the test ends its own by PID
  for p in ${pid_of_a:-} ${pid_of_b:-}; do kill -9 "$p" 2>/dev/null; done
}

stratad_start sw || { cleanup; exit 1; }
ctl sw add-br br0 &&
ctl sw add-port br0 pa --type vhostuser --opt path=/tmp/pa.sock --access $T &&
ctl sw add-port br0 pb --type vhostuser --opt path=/tmp/pb.sock --access $T ||
  { echo "NESTED: could not configure the switch"; cleanup; exit 1; }
ctl sw guest-add br0 b --elf "$ELF" --memory 16 --port "pb,mac=$MAC_B" --cmdline "$(echo_cmdline)" || fail "guest-add b"
wait_for_line "$GDIR/b.console" ready 60 && wait_until 30 link_up sw pb || { fail "b did not come up"; cleanup; exit 1; }
ctl sw guest-add br0 a --elf "$ELF" --memory 16 --port "pa,mac=$MAC_A" --cmdline "$(paced_cmdline $MAC_B $FRAMES $RATE)" ||
  fail "guest-add a"
wait_for_line "$GDIR/a.console" ready 60 || fail "a did not come up"
pid_of_a=$(guest_field a 5) pid_of_b=$(guest_field b 5)
echo "NESTED: guests a (pid $pid_of_a) and b (pid $pid_of_b) running"

sleep $((FRAMES / RATE / 5))
eval "old=\$stratad_pid_sw"
t0=$(now_ms)
kill -9 "$old"; wait "$old" 2>/dev/null
echo "NESTED: stratad killed (-9) under traffic"
kill -0 "$pid_of_a" 2>/dev/null && kill -0 "$pid_of_b" 2>/dev/null || fail "a guest died with stratad"
stratad_start sw || { cleanup; exit 1; }
t1=$(now_ms)
wait_until 30 link_up sw pa && wait_until 30 link_up sw pb || fail "the guests did not reconnect"
t2=$(now_ms)
echo "NESTED-TIMING: kill -9 to stratad up $((t1 - t0)) ms, to both guests reconnected $((t2 - t0)) ms"
grep -h 'reconnect\|hung up' "$GDIR/a.stderr" "$GDIR/b.stderr" | sed 's/^/NESTED: /'
grep 'adopted' /tmp/sw.log | sed 's/^/NESTED: stratad: /'
[ "$(guest_field a 5)" = "$pid_of_a" ] && [ "$(guest_field b 5)" = "$pid_of_b" ] ||
  fail "the restarted stratad did not adopt the running guests (pids now $(guest_field a 5) $(guest_field b 5))"
[ "$(guest_field a 4)" = running ] && [ "$(guest_field b 4)" = running ] || fail "guests not shown as running"

# The adopted guest is controlled through stratad: pause, snapshot, resume.
r=$(ctl sw guest-pause b) || fail "guest-pause b: $r"
r=$(ctl sw guest-status b) && [ "$(json_field "$r" state)" = paused ] || fail "guest-status b after guest-pause: $r"
r=$(ctl sw guest-snapshot b /tmp/snap-b) || fail "guest-snapshot b: $r"
echo "NESTED: guest-snapshot b -> $r"
[ -s /tmp/snap-b/state ] && [ -e /tmp/snap-b/memory ] || fail "guest-snapshot wrote no snapshot"
r=$(ctl sw guest-resume b) || fail "guest-resume b: $r"
r=$(ctl sw guest-status b) && [ "$(json_field "$r" state)" = running ] || fail "guest-status b after guest-resume: $r"

wait_until $((FRAMES / RATE + 120)) sh -c "! kill -0 $pid_of_a 2>/dev/null" || fail "a did not finish"
ctl sw port-stats br0
paced_verdict a "$FRAMES" || rc=1
echo "STRATAD-RESTART lost=$(paced_field a lost) duplicated=$(paced_field a duplicated) max_gap_ms=$(( $(paced_field a max_gap_us | grep . || echo 0) / 1000 )) reconnect_ms=$((t2 - t0))"
for g in a b; do ctl sw guest-del $g || fail "guest-del $g"; done
kill -0 "$pid_of_b" 2>/dev/null && fail "guest-del left b's strata-hv running"
for g in a b; do echo "---- guest $g ----"; cat "$GDIR/$g.console"; cat "$GDIR/$g.stderr"; done
[ $rc = 0 ] || { echo "---- stratad ----"; tail -30 /tmp/sw.log; }
cleanup
exit $rc
