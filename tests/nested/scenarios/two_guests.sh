# Two L2 guests (strata-hv + the test guest) on two vhost-user ports of one
# backend. Guest B echoes; guest A sends N tagged frames to B and expects N
# echoes. Passes only when both guests count exactly N with the right tags.
. /nested/lib.sh
. "/nested/backends/${STRATA_NESTED_BACKEND:-testpmd}.sh"
N=${STRATA_NESTED_FRAMES:-200}
MAC_A=02:00:00:00:00:0a
MAC_B=02:00:00:00:00:0b
rc=0

t0=$(now_ms)
if ! backend_start /tmp/vhost-a.sock /tmp/vhost-b.sock; then
  echo "NESTED: backend $BACKEND_NAME did not serve its sockets"; backend_stop; exit 1
fi
echo "NESTED: backend $BACKEND_NAME up in $(( $(now_ms) - t0 )) ms"

strata-hv --elf /nested/bin/strata-hv-test-guest --memory 16 \
  --net "vhost-user=/tmp/vhost-b.sock,mac=$MAC_B" \
  --cmdline "strata.expect=$N strata.echo=1 strata.expect_tags=$BACKEND_EXPECT_TAGS_B strata.timeout_ms=120000" \
  > /tmp/guest-b.log 2>&1 &
pid_b=$!
if ! wait_for_line /tmp/guest-b.log 'ready' 60; then
  echo "NESTED: guest B did not come up"; cat /tmp/guest-b.log; kill $pid_b; backend_stop; exit 1
fi

t_a=$(now_ms)
strata-hv --elf /nested/bin/strata-hv-test-guest --memory 16 \
  --net "vhost-user=/tmp/vhost-a.sock,mac=$MAC_A" \
  --cmdline "strata.send=$N strata.expect=$N strata.dst=$MAC_B strata.tags=$BACKEND_SEND_TAGS_A strata.timeout_ms=120000" \
  > /tmp/guest-a.log 2>&1 &
pid_a=$!
wait_pid_timeout $pid_a 150; rc_a=$?
echo "NESTED: guest A ran $(( $(now_ms) - t_a )) ms (strata-hv start to exit)"
wait_pid_timeout $pid_b 30; rc_b=$?
backend_stats
backend_stop

echo "---- guest A (sender) ----"; cat /tmp/guest-a.log
echo "---- guest B (echo) ----"; cat /tmp/guest-b.log
[ $rc_a -eq 0 ] || { echo "NESTED: guest A exited $rc_a"; rc=1; }
[ $rc_b -eq 0 ] || { echo "NESTED: guest B exited $rc_b"; rc=1; }
[ "$(result_field /tmp/guest-a.log received)" = "$N" ] || { echo "NESTED: A did not receive $N echoes"; rc=1; }
[ "$(result_field /tmp/guest-b.log received)" = "$N" ] || { echo "NESTED: B did not receive $N frames"; rc=1; }
[ "$(result_field /tmp/guest-b.log wrong_tags)" = "0" ] || { echo "NESTED: B saw frames with the wrong tags"; rc=1; }
set -- $(backend_forwarded)
echo "NESTED: $BACKEND_NAME forwarded rx=$1 tx=$2 tx_dropped=$3 (want $((2 * N)) each, 0 dropped)"
[ "$1" = $((2 * N)) ] && [ "$2" = $((2 * N)) ] && [ "$3" = 0 ] || { echo "NESTED: backend counts are off"; rc=1; }
echo "NESTED-TIMING: L2 boot to first frame (strata-hv start to guest A's first send, shim clock): $(grep 'mark 1 at' /tmp/guest-a.log | sed 's/.*mark 1 at \([0-9.]*\) ms.*/\1/') ms"
echo "NESTED-TIMING: of which strata-hv start to guest entry: $(result_field /tmp/guest-a.log guest_entry_us) us, guest entry to first frame: $(result_field /tmp/guest-a.log boot_to_first_frame_us) us"
echo "NESTED-TIMING: A's data phase ($N frames out, $N echoes in): $(result_field /tmp/guest-a.log data_phase_us) us"
# Userspace exits between marks 1 and 2, less the guest's own clock reads:
# what the data path cost. strata-hv's design says 0.
for g in a b; do
  exits=$(grep 'mark 2 at' /tmp/guest-$g.log | sed 's/.*ms, \([0-9]*\) userspace.*/\1/')
  reads=$(result_field /tmp/guest-$g.log data_phase_clock_reads)
  echo "NESTED: guest $g data phase: ${exits:-?} userspace exits, ${reads:-?} of them its own clock reads"
  [ -n "$exits" ] && [ -n "$reads" ] && [ $((exits - reads)) -eq 0 ] || { echo "NESTED: guest $g's data path made userspace exits"; rc=1; }
done
exit $rc
