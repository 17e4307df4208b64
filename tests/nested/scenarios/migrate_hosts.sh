# Live migration between two "hosts": two stratad instances in two network
# namespaces, joined by a veth trunk that carries S-tagged stacks (and a
# second veth pair for the migration's TCP stream). The echo guest moves
# from host A to host B over TCP (pre-copy with KVM's and the backend's
# dirty logs) while its peer on host A keeps sending numbered frames; after
# the move the echoes come back across the trunk.
#
#   host A (netns hostA, stratad swa)           host B (netns hostB, stratad swb)
#   pa   access T: guest a, paced sender        pb2  access T: b after the move
#   pb1  access T: guest b before the move
#   pu   access U: guest u, tenant U, paced broadcasts
#   ta   afpacket veth ta<->tb, trunk T,U  ====  tb   afpacket, trunk T,U
#   T = 88a8:100/8100:200, U = 88a8:100/8100:300 (same S-tag, other C-tag)
#
# Passes when the migration succeeds (the source exits 80), a's last frames
# come back through pb2 and the trunk (an access port of stack T delivers
# only frames that crossed with stack T), the trunks counted them, and no
# frame of tenant U reached a or b (u gets no echo, a sees only its own).
. /nested/lib.sh
. /nested/stratad_lib.sh
. /nested/paced_lib.sh
U=88a8:100/8100:300
MAC_U=02:00:00:00:00:0e
cleanup() {
  for p in ${pid_a:-} ${pid_b:-} ${pid_b2:-} ${pid_u:-}; do kill -9 "$p" 2>/dev/null; done
  stratad_stop swa
  stratad_stop swb
  ip netns del hostA 2>/dev/null
  ip netns del hostB 2>/dev/null
}

# busybox sh runs its own ip applet before any on PATH, and that one has
# no netns: iproute2's, by its full path.
ip() { /nested/bin/ip "$@"; }
[ -x /nested/bin/ip ] || { echo "NESTED: SKIP: no iproute2 ip in the initramfs"; exit 77; }
mkdir -p /run/netns
# Names no ip keyword starts with, and `name` before new ones: iproute2
# reads "ma" as an abbreviation of "master".
make_hosts() {
  local step
  while read -r step; do
    [ -n "$step" ] || continue
    ip $step || { echo "NESTED: could not make the two hosts: ip $step failed"; return 1; }
  done <<STEPS
netns add hostA
netns add hostB
link add name ta type veth peer name tb
link set ta netns hostA
link set tb netns hostB
link add name miga type veth peer name migb
link set miga netns hostA
link set migb netns hostB
-n hostA link set lo up
-n hostB link set lo up
-n hostA link set ta up
-n hostB link set tb up
-n hostA addr add 10.9.0.1/24 dev miga
-n hostB addr add 10.9.0.2/24 dev migb
-n hostA link set miga up
-n hostB link set migb up
STEPS
}
make_hosts || { lsmod 2>/dev/null | grep veth; cleanup; exit 1; }

stratad_start swa hostA && stratad_start swb hostB || { cleanup; exit 1; }
{ ctl swa add-br br0 &&
  ctl swa add-port br0 pa --type vhostuser --opt path=/tmp/pa.sock --access $T &&
  ctl swa add-port br0 pb1 --type vhostuser --opt path=/tmp/pb1.sock --access $T &&
  ctl swa add-port br0 pu --type vhostuser --opt path=/tmp/pu.sock --access $U &&
  ctl swa add-port br0 ta --type afpacket --opt iface=ta --trunk $T,$U &&
  ctl swb add-br br0 &&
  ctl swb add-port br0 pb2 --type vhostuser --opt path=/tmp/pb2.sock --access $T &&
  ctl swb add-port br0 tb --type afpacket --opt iface=tb --trunk $T,$U; } ||
  { echo "NESTED: could not configure the switches"; cleanup; exit 1; }

NETNS=hostA guest_start b /tmp/pb1.sock $MAC_B "$(echo_cmdline)" --control /tmp/b.ctl
wait_for_line /tmp/b.console ready 60 && wait_until 30 link_up swa pb1 || { fail "b did not come up"; cat /tmp/b.stderr; cleanup; exit 1; }
NETNS=hostA guest_start a /tmp/pa.sock $MAC_A "$(paced_cmdline $MAC_B $FRAMES $RATE)"
NETNS=hostA PAYLOAD=tenantU guest_start u /tmp/pu.sock $MAC_U "$(PAYLOAD=tenantU paced_cmdline ff:ff:ff:ff:ff:ff $((FRAMES / 4)) $((RATE / 4)))"
wait_for_line /tmp/a.console ready 60 && wait_for_line /tmp/u.console ready 60 || fail "a or u did not come up"

# The destination listens in host B's namespace.
ip netns exec hostB strata-hv --incoming tcp:10.9.0.2:7000 --net vhost-user=/tmp/pb2.sock --control /tmp/b2.ctl \
  --console /tmp/b.console 2> /tmp/b2.stderr &
pid_b2=$!
wait_for_line /tmp/b2.stderr 'waiting for a migration' 60 || fail "the destination did not start"

sleep $((FRAMES / RATE / 5))
t0=$(now_ms)
r_mig=$(hv_remote b migrate tcp:10.9.0.2:7000) || fail "migrate: $r_mig"
t1=$(now_ms)
echo "NESTED: migrate -> $r_mig ($((t1 - t0)) ms with strata-hv-remote)"
migrated "$pid_b" b2

wait_pid_timeout "$pid_a" $((FRAMES / RATE + 120)); rc_a=$?
[ "$rc_a" = 0 ] || fail "a exited $rc_a"
wait_pid_timeout "$pid_u" 120 > /dev/null
echo "NESTED: host A's switch:"; ctl swa port-stats br0
echo "NESTED: host B's switch:"; ctl swb port-stats br0
paced_verdict a "$FRAMES" || rc=1
[ "$(paced_field a wrong)" = 0 ] || fail "a received frames of another tenant"
echo "NESTED: u sent=$(paced_field u sent) received=$(paced_field u received) wrong=$(paced_field u wrong)"
[ "$(paced_field u received)" = 0 ] && [ "$(paced_field u wrong)" = 0 ] || fail "tenant U's broadcasts reached tenant T's guests (u got answers)"
[ "$(tx_of swb br0 pb2)" -gt 0 ] && [ "$(rx_of swb br0 tb)" -gt 0 ] && [ "$(tx_of swa br0 ta)" -gt 0 ] ||
  fail "the frames did not cross the trunk to pb2"
echo "MIGRATION downtime_ms=$(json_field "$r_mig" downtime_ms) lost=$(paced_field a lost) duplicated=$(paced_field a duplicated) total_ms=$(json_field "$r_mig" total_ms) transport=tcp rounds=$(json_field "$r_mig" rounds) bytes_sent=$(json_field "$r_mig" bytes_sent) final_bytes=$(json_field "$r_mig" final_bytes) max_gap_ms=$(( $(paced_field a max_gap_us | grep . || echo 0) / 1000 ))"

# DPDK's vhost library warns when a ring's used index in guest memory
# disagrees with the position it was given (frames then go out twice).
grep -ih 'mismatch' /tmp/swa.log /tmp/swb.log | sed 's/^/NESTED: vhost: /'
r_stop=$(hv_remote b2 stop) || fail "stop: $r_stop"
wait_pid_timeout "$pid_b2" 30 || fail "the destination did not stop"
for g in a b u; do echo "---- guest $g ----"; cat /tmp/$g.console; grep strata-hv /tmp/$g.stderr; done
echo "---- destination (stderr) ----"; cat /tmp/b2.stderr
[ $rc = 0 ] || { echo "---- stratad A ----"; tail -20 /tmp/swa.log; echo "---- stratad B ----"; tail -20 /tmp/swb.log; }
cleanup
exit $rc
