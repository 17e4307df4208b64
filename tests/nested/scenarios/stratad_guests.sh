# stratad inside L1 with four vhostuser ports, and four L2 test guests that
# stratad itself starts (stratactl guest-add) and stops (guest-del):
#
#   pa1  access 88a8:100/8100:200 (tenant A)  guest a1: sends N broadcasts
#                                              (payload tenantA), expects N echoes
#   pa2  access 88a8:100/8100:200 (tenant A)  guest a2: echoes N frames to their source
#   pb   access 88a8:100/8100:300 (tenant B)  guest b: sends N broadcasts (payload
#                                              tenantB), must receive nothing while
#                                              A's exchange runs
#   pt   trunk allowing 88a8:100/8100:200      guest t: must see exactly A's N
#                                              broadcasts, carrying A's stack
#   pp   access 88a8:100/8100:400 (tenant C)  guest p, first and alone: sends 1
#                                              frame; times guest-add -> the
#                                              switch's first rx, uncontended
#
# Passes only when every guest counts exactly what it should (a frame with
# the wrong tags or payload fails its guest), the switch's port counters
# agree (pa1 rx N tx N, pa2 rx N tx N, pt tx N, pb rx N tx 0), every guest
# powered off by itself (exit 0 = stopped, not restarted) and guest-del
# leaves no strata-hv process behind. Prints NESTED-TIMING lines: guest-add
# to the first frame on the switch, strata-hv start to first frame (shim
# clock), strata-hv's memory beyond guest RAM, and the packet rate.
. /nested/lib.sh
N=${STRATA_NESTED_FRAMES:-200}
B_LINGER_MS=${STRATA_NESTED_B_LINGER_MS:-90000}
TENANT_A=88a8:100/8100:200
TENANT_B=88a8:100/8100:300
ELF=/nested/bin/strata-hv-test-guest
GDIR=/tmp/guests
SOCK=/tmp/stratad.sock
rc=0
stratad_pid=
ctl() { stratactl --mgmt "unix:$SOCK" "$@"; }
fail() { echo "NESTED: FAIL: $*"; rc=1; }

# The row of one port in port-stats: "port ofport rx_pkts rx_bytes rx_drop rx_err tx_pkts ..."
port_row() { ctl port-stats br0 | awk -v p="$1" '$1 == p'; }
rx_of() { port_row "$1" | awk '{ print $3 }'; }
tx_of() { port_row "$1" | awk '{ print $7 }'; }
# guest-list columns: guest bridge ports state pid restarts "last exit" ...
guest_field() { ctl guest-list | awk -v g="$1" -v f="$2" '$1 == g { print $f }'; }
link_up() { ctl show | awk -v p="$1" '$1 == "port" && $2 == p { found = 1; next }
                                      found && $1 == "link:" { print $2; exit }' | grep -q '^up'; }
wait_until() {  # SECONDS COMMAND...: 0 once COMMAND succeeds
  local deadline=$(( $(now_ms) + $1 * 1000 )); shift
  while [ "$(now_ms)" -lt "$deadline" ]; do "$@" && return 0; sleep 0.2; done
  return 1
}
finished() { case "$(guest_field "$1" 4)" in stopped|backoff|failed) return 0 ;; esac; return 1; }

cleanup() {
  for g in a1 a2 b t; do ctl guest-del "$g" > /dev/null 2>&1; done
  if [ -n "$stratad_pid" ] && kill -0 "$stratad_pid" 2>/dev/null; then
    kill -TERM "$stratad_pid"
    wait_pid_timeout "$stratad_pid" 30 > /dev/null
  fi
}

command -v stratad > /dev/null && command -v stratactl > /dev/null ||
  { echo "NESTED: SKIP: stratad/stratactl are not in the initramfs (build them)"; exit 77; }
t0=$(now_ms)
stratad --no-huge --memory 256 --mbufs 8191 --file-prefix nested --db /tmp/strata.db --mgmt "unix:$SOCK" \
  --guest-dir "$GDIR" > /tmp/stratad.log 2>&1 &
stratad_pid=$!
if ! wait_for_line /tmp/stratad.log 'running:' 90; then
  if ! kill -0 "$stratad_pid" 2>/dev/null; then
    wait "$stratad_pid"; code=$?
    # 132 = SIGILL: a stratad built for this machine's CPU (-march=native,
    # AVX-512) cannot run on QEMU TCG's; -DSTRATA_MARCH=x86-64-v2 can.
    if [ "$code" = 132 ]; then
      echo "NESTED: SKIP: stratad died of SIGILL in L1: configure the build with -DSTRATA_MARCH=x86-64-v2"
      exit 77
    fi
  fi
  echo "NESTED: stratad did not start"; cat /tmp/stratad.log; cleanup; exit 1
fi
echo "NESTED: stratad up in $(( $(now_ms) - t0 )) ms"
ctl add-br br0 &&
ctl add-port br0 pa1 --type vhostuser --opt path=/tmp/pa1.sock --access $TENANT_A &&
ctl add-port br0 pa2 --type vhostuser --opt path=/tmp/pa2.sock --access $TENANT_A &&
ctl add-port br0 pb --type vhostuser --opt path=/tmp/pb.sock --access $TENANT_B &&
ctl add-port br0 pt --type vhostuser --opt path=/tmp/pt.sock --trunk $TENANT_A &&
ctl add-port br0 pp --type vhostuser --opt path=/tmp/pp.sock --access 88a8:100/8100:400 ||
  { echo "NESTED: could not configure the switch"; cat /tmp/stratad.log; cleanup; exit 1; }

add_guest() {  # NAME PORT MAC CMDLINE
  local t=$(now_ms)
  ctl guest-add br0 "$1" --elf "$ELF" --memory 16 --port "$2,mac=$3" --cmdline "$4 strata.timeout_ms=180000" ||
    { fail "guest-add $1"; return 1; }
  local pid=$(guest_field "$1" 5)
  echo "NESTED: guest-add $1 returned in $(( $(now_ms) - t )) ms (pid $pid)"
  case "$pid" in [0-9]*) pids="$pids $pid" ;; esac
}
pids=
# strata-hv's memory beyond guest RAM: every mapping's Rss but the guest RAM
# memfd's (in L1 the programs live on the initramfs, a tmpfs, so their
# pages count as shmem too and VmRSS - RssShmem undercounts).
memory_report() {  # PID WHAT
  [ -r "/proc/$1/smaps" ] || return
  awk -v what="$2" '/^[0-9a-f]+-[0-9a-f]+ / { ram = ($0 ~ /memfd:strata-hv-guest-ram/) }
       /^Rss:/ { if (ram) g += $2; else o += $2 }
       END { printf "NESTED-TIMING: strata-hv memory (%s): guest RAM (memfd) resident %d KiB; everything else %d KiB\n", what, g, o }' "/proc/$1/smaps"
  awk -v what="$2" '/^(VmRSS|RssAnon|RssFile|RssShmem):/ { v[$1] = $2 }
       END { printf "NESTED-TIMING: strata-hv /proc status (%s): VmRSS %d KiB, RssAnon %d, RssFile %d, RssShmem %d; VmRSS - RssShmem = %d KiB\n", what, v["VmRSS:"], v["RssAnon:"], v["RssFile:"], v["RssShmem:"], v["VmRSS:"] - v["RssShmem:"] }' "/proc/$1/status"
}

# Guest start to its first frame on the switch, with nothing else running.
t_add=$(now_ms)
add_guest p pp 02:00:00:00:00:0c "strata.send=1 strata.linger_ms=3000"
t_first=
while [ $(( $(now_ms) - t_add )) -lt 60000 ]; do
  r=$(rx_of pp)
  [ -n "$r" ] && [ "$r" -gt 0 ] && { t_first=$(( $(now_ms) - t_add )); break; }
done
echo "NESTED-TIMING: guest-add p (alone) to the first frame counted on the switch (pp rx > 0, polled with stratactl): ${t_first:-none} ms"
memory_report "$(guest_field p 5)" "guest p, 16 MiB, running alone"
wait_until 60 finished p || fail "p did not finish"
echo "NESTED-TIMING: p strata-hv start to first frame sent (shim clock): $(grep 'mark 1 at' "$GDIR/p.stderr" | sed 's/.*mark 1 at \([0-9.]*\) ms.*/\1/') ms (guest entry $(result_field "$GDIR/p.console" guest_entry_us) us after strata-hv start)"
[ "$(result_field "$GDIR/p.console" status)" = PASS ] || fail "p: $(result_field "$GDIR/p.console" status)"
ctl guest-del p || fail "guest-del p"

add_guest t pt 02:00:00:00:00:0f "strata.expect=$N strata.expect_tags=$TENANT_A strata.payload=tenantA"
add_guest a2 pa2 02:00:00:00:00:a2 "strata.expect=$N strata.echo=1 strata.payload=tenantA"
for g in t a2; do
  wait_for_line "$GDIR/$g.console" 'ready' 60 || fail "guest $g did not come up"
done
wait_until 30 link_up pt && wait_until 30 link_up pa2 || fail "the switch did not see pt and pa2 up"
add_guest b pb 02:00:00:00:00:0b "strata.send=$N strata.payload=tenantB strata.linger_ms=$B_LINGER_MS"
wait_for_line "$GDIR/b.console" 'ready' 60 || fail "guest b did not come up"
wait_until 30 link_up pb || fail "the switch did not see pb up"

memory_report "$(guest_field b 5)" "guest b, 16 MiB, sending"

# a1: guest-add to the first frame the switch receives on pa1.
t_add=$(now_ms)
add_guest a1 pa1 02:00:00:00:00:a1 "strata.send=$N strata.expect=$N strata.payload=tenantA"
t_first=
while [ $(( $(now_ms) - t_add )) -lt 60000 ]; do
  r=$(rx_of pa1)
  [ -n "$r" ] && [ "$r" -gt 0 ] && { t_first=$(( $(now_ms) - t_add )); break; }
done
echo "NESTED-TIMING: guest-add a1 (3 other guests polling) to the first frame counted on the switch: ${t_first:-none} ms"
wait_until 180 finished a1 || fail "a1 did not finish"
echo "NESTED: a1 finished $(( $(now_ms) - t_add )) ms after guest-add"
state_b=$(guest_field b 4)
[ "$state_b" = running ] || fail "b stopped counting before A's exchange ended (state $state_b; raise STRATA_NESTED_B_LINGER_MS)"
for g in a2 t b; do wait_until 120 finished $g || fail "$g did not finish"; done
ctl guest-list
ctl port-stats br0

for g in a1 a2 t b; do
  [ "$(guest_field $g 4)" = stopped ] && [ "$(guest_field $g 7)" = "exit" ] && [ "$(guest_field $g 8)" = 0 ] ||
    fail "guest $g did not power off with exit code 0 ($(guest_field $g 4) $(guest_field $g 7) $(guest_field $g 8))"
  [ "$(guest_field $g 6)" = 0 ] || fail "guest $g was restarted"
done

grep -E 'guest|mgmt' /tmp/stratad.log | sed 's/^/NESTED: stratad: /' 
field() { result_field "$GDIR/$1.console" "$2"; }
for g in a1 a2 t b; do
  [ "$(field $g status)" = PASS ] || fail "guest $g: status $(field $g status)"
  for k in wrong_tags bad_payload malformed; do
    [ "$(field $g $k)" = 0 ] || fail "guest $g: $k=$(field $g $k)"
  done
done
[ "$(field a1 received)" = "$N" ] || fail "a1 received $(field a1 received) echoes, not $N"
[ "$(field a2 received)" = "$N" ] && [ "$(field a2 echoed)" = "$N" ] || fail "a2 received/echoed $(field a2 received)/$(field a2 echoed), not $N"
[ "$(field t received)" = "$N" ] || fail "the trunk guest received $(field t received) frames with A's stack, not $N"
[ "$(field b received)" = 0 ] && [ "$(field b other)" = 0 ] || fail "tenant B's guest received frames ($(field b received) test, $(field b other) other)"
[ "$(field b sent)" = "$N" ] || fail "b sent $(field b sent), not $N"

# The switch agrees.
set -- "$(rx_of pa1)" "$(tx_of pa1)" "$(rx_of pa2)" "$(tx_of pa2)" "$(rx_of pt)" "$(tx_of pt)" "$(rx_of pb)" "$(tx_of pb)"
echo "NESTED: switch counters rx/tx: pa1 $1/$2 pa2 $3/$4 pt $5/$6 pb $7/$8 (want $N/$N $N/$N 0/$N $N/0)"
[ "$1 $2 $3 $4 $5 $6 $7 $8" = "$N $N $N $N 0 $N $N 0" ] || fail "the switch's port counters are off"

# Data path exits, as in two_guests: 0 beyond the guest's own clock reads.
for g in a1 a2; do
  exits=$(grep 'mark 2 at' "$GDIR/$g.stderr" | sed 's/.*ms, \([0-9]*\) userspace.*/\1/')
  reads=$(field $g data_phase_clock_reads)
  [ -n "$exits" ] && [ -n "$reads" ] && [ $((exits - reads)) -eq 0 ] || fail "guest $g's data path made userspace exits ($exits exits, $reads clock reads)"
done

mark1=$(grep 'mark 1 at' "$GDIR/a1.stderr" | sed 's/.*mark 1 at \([0-9.]*\) ms.*/\1/')
dp=$(field a1 data_phase_us)
echo "NESTED-TIMING: a1 strata-hv start to first frame sent (shim clock): $mark1 ms (guest entry $(field a1 guest_entry_us) us, entry to first frame $(field a1 boot_to_first_frame_us) us)"
[ -n "$dp" ] && [ "$dp" -gt 0 ] &&
  echo "NESTED-TIMING: a1 data phase: $N broadcasts out + $N echoes in through stratad in $dp us = $(( 2 * N * 1000000 / dp )) frames/s"

# guest-del: every guest goes, and no strata-hv PID survives.
for g in a1 a2 t b; do ctl guest-del "$g" || fail "guest-del $g"; done
[ -z "$(ctl guest-list | awk 'NR > 1')" ] || fail "guest-list is not empty after guest-del"
for p in $pids; do
  [ -d "/proc/$p" ] && fail "strata-hv pid $p is still there after guest-del"
done
# After guest-del, so a guest that had to be stopped shows where its vCPU
# was (strata-hv's stop report) beside what it printed.
# p (removed long before) too: seen once in CI, p never powered off and
# nothing said why.
for g in p a1 a2 t b; do echo "---- guest $g ----"; cat "$GDIR/$g.console"; grep 'strata-hv' "$GDIR/$g.stderr"; done
# L1's KVM says what it saw of a crashed or wedged guest (SVM exits it
# could not handle, soft lockups) only in the kernel log.
[ $rc -eq 0 ] || { echo "---- L1 kernel log (last 40 lines) ----"; dmesg | tail -40; }
cleanup
exit $rc
