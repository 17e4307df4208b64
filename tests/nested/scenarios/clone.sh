# Templates and clones: a booted echo guest is paused and snapshotted as a
# template; three clones are restored from it (strata-hv --restore DIR
# --clone), each with a MAC of its own on a port of its own. Each clone
# sees its clone generation change, reads its new MAC (as a guest does on
# a VMGenID change) and echoes a paced sender's frames from that MAC.
#
#   stratad: pt (the template's guest), pc1..pc3 (clones), pa (sender),
#            all access 88a8:100/8100:200
#
# Passes when every clone reports generation 1 with its own MAC and echoes
# at least 90% of the frames sent to that MAC. Prints restore time per
# clone and the memory each clone has resident (the template's pages are
# copied into each clone's memfd: MAP_SHARED memory the switch maps too).
. /nested/lib.sh
. /nested/stratad_lib.sh
. /nested/paced_lib.sh
FRAMES=${STRATA_NESTED_CLONE_FRAMES:-300}
MAC_T=$MAC_B
cleanup() {
  for p in ${pid_t:-} ${pid_a:-} ${pid_c1:-} ${pid_c2:-} ${pid_c3:-}; do kill -9 "$p" 2>/dev/null; done
  stratad_stop sw
}
clone_mac() { echo "02:00:00:00:01:0$1"; }

stratad_start sw || { cleanup; exit 1; }
ctl sw add-br br0 || { cleanup; exit 1; }
for p in pt pa pc1 pc2 pc3; do
  ctl sw add-port br0 $p --type vhostuser --opt path=/tmp/$p.sock --access $T || { echo "NESTED: could not configure the switch"; cleanup; exit 1; }
done

guest_start t /tmp/pt.sock $MAC_T "$(echo_cmdline)" --control /tmp/t.ctl
wait_for_line /tmp/t.console ready 60 && wait_until 30 link_up sw pt || { fail "the template's guest did not come up"; cleanup; exit 1; }
r=$(hv_remote t pause) && r=$(hv_remote t snapshot /tmp/template) || fail "making the template: $r"
echo "NESTED: template: $r"
hv_remote t stop > /dev/null; wait_pid_timeout "$pid_t" 30 > /dev/null

for i in 1 2 3; do
  strata-hv --restore /tmp/template --clone --net "vhost-user=/tmp/pc$i.sock,mac=$(clone_mac $i)" --control /tmp/c$i.ctl \
    --console /tmp/c$i.console 2> /tmp/c$i.stderr &
  eval "pid_c$i=$!"
done
for i in 1 2 3; do
  wait_for_line /tmp/c$i.console "clone generation 1, net0 $(clone_mac $i)" 60 || fail "clone $i did not take its identity"
  grep 'restored a clone' /tmp/c$i.stderr | sed "s/^/NESTED: clone $i: /"
done
for i in 1 2 3; do
  eval "pid=\$pid_c$i"
  [ -r /proc/$pid/smaps ] && awk -v c=$i '/^[0-9a-f]+-[0-9a-f]+ / { ram = ($0 ~ /memfd:strata-hv-guest-ram/) }
      /^Rss:/ { if (ram) g += $2; else o += $2 }
      END { printf "NESTED-TIMING: clone %d memory: guest RAM resident %d KiB, everything else %d KiB\n", c, g, o }' /proc/$pid/smaps
done

for i in 1 2 3; do
  guest_start a /tmp/pa.sock 02:00:00:00:00:0a "$(paced_cmdline $(clone_mac $i) $FRAMES $RATE)"
  wait_pid_timeout "$pid_a" $((FRAMES / RATE + 90)) > /dev/null
  recv=$(paced_field a received)
  echo "NESTED: clone $i ($(clone_mac $i)): a sent $(paced_field a sent), $recv echoed, wrong $(paced_field a wrong)"
  [ -n "$recv" ] && [ "$recv" -ge $((FRAMES * 9 / 10)) ] && [ "$(paced_field a wrong)" = 0 ] || fail "clone $i did not echo"
  cp /tmp/a.console /tmp/a$i.console; : > /tmp/a.console
done
ctl sw port-stats br0
for i in 1 2 3; do
  r=$(hv_remote c$i status) && echo "NESTED: clone $i: $r"
  [ "$(json_field "$r" generation)" = 1 ] || fail "clone $i has generation $(json_field "$r" generation), not 1"
  hv_remote c$i stop > /dev/null
  eval "wait_pid_timeout \$pid_c$i 30" > /dev/null
done
echo "CLONE clones=3 restore_ms=$(grep -h 'restored a clone' /tmp/c*.stderr | sed 's/.* in \([0-9.]*\) ms.*/\1/' | tr '\n' ' ')"
for i in 1 2 3; do echo "---- clone $i ----"; cat /tmp/c$i.console; cat /tmp/c$i.stderr; done
cleanup
exit $rc
