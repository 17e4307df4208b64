# The paced exchange the guest-state scenarios share (sourced after lib.sh):
# guest A (paced mode, hv/guest/paced.h) sends numbered frames at a fixed
# rate to an echo guest B, which the scenario pauses, snapshots, restores,
# migrates or clones meanwhile; A's result says what that cost.
#   guest_start NAME SOCKET MAC "CMDLINE" [EXTRA strata-hv ARGS...]
#       starts strata-hv in the background ($NETNS, if set, is the network
#       namespace): console /tmp/NAME.console, stderr /tmp/NAME.stderr,
#       PID in pid_NAME
#   echo_cmdline / paced_cmdline DST FRAMES RATE   the test guest's keys
#   paced_field NAME KEY     a key of A's result line (in $CONSOLE_DIR, default /tmp)
#   hv_remote NAME ARGS...   strata-hv-remote on /tmp/NAME.ctl, reply echoed
#   json_field JSON KEY      a number or string field of a one-line reply
ELF=/nested/bin/strata-hv-test-guest
PAYLOAD=${PAYLOAD:-tenantT}
# What every guest-state scenario shares: the exchange's size and pace, the
# tenant's stack, the two guests' MACs, and the verdict so far.
FRAMES=${STRATA_NESTED_PACED_FRAMES:-4000}
RATE=${STRATA_NESTED_PACED_RATE:-100}
T=88a8:100/8100:200
MAC_A=02:00:00:00:00:0a MAC_B=02:00:00:00:00:0b
rc=0
fail() { echo "NESTED: FAIL: $*"; rc=1; }

# migrated SOURCE_PID DEST_NAME: the source ended as "migrated" (80) and the
# destination's strata-hv runs the guest.
migrated() {
  local code reply
  wait_pid_timeout "$1" 60; code=$?
  [ "$code" = 80 ] || fail "the source exited $code, not 80 (migrated)"
  reply=$(hv_remote "$2" status) || fail "status at the destination: $reply"
  [ "$(json_field "$reply" state)" = running ] || fail "the destination is not running the guest: $reply"
}

guest_start() {
  local name=$1 sock=$2 mac=$3 cmdline=$4
  shift 4
  if [ -n "${NETNS:-}" ]; then
    /nested/bin/ip netns exec "$NETNS" strata-hv --elf "$ELF" --memory 16 --net "vhost-user=$sock,mac=$mac" --cmdline "$cmdline" \
      --console "/tmp/$name.console" "$@" 2> "/tmp/$name.stderr" &
  else
    strata-hv --elf "$ELF" --memory 16 --net "vhost-user=$sock,mac=$mac" --cmdline "$cmdline" \
      --console "/tmp/$name.console" "$@" 2> "/tmp/$name.stderr" &
  fi
  eval "pid_$name=$!"
}
# B echoes for as long as the scenario needs it; the scenario stops it.
echo_cmdline() { echo "strata.echo=1 strata.payload=$PAYLOAD strata.linger_ms=3600000 strata.timeout_ms=3600000"; }
paced_cmdline() { echo "strata.send=$2 strata.rate=$3 strata.dst=$1 strata.payload=$PAYLOAD strata.linger_ms=3000"; }
paced_field() { result_field "${CONSOLE_DIR:-/tmp}/$1.console" "$2"; }
hv_remote() { local n=$1; shift; strata-hv-remote "/tmp/$n.ctl" "$@"; }
json_field() { echo "$1" | tr ',{}' '\n\n\n' | sed -n "s/^\"$2\":\"\{0,1\}\([^\"]*\)\"\{0,1\}$/\1/p" | head -1; }

# paced_verdict NAME FRAMES LINE_PREFIX: checks A's result, prints what the
# interruption cost; returns 1 when the exchange did not go on after it.
paced_verdict() {
  local a=$1 frames=$2 sent recv lost dup gap last
  sent=$(paced_field "$a" sent); recv=$(paced_field "$a" received); lost=$(paced_field "$a" lost)
  dup=$(paced_field "$a" duplicated); gap=$(paced_field "$a" max_gap_us); last=$(paced_field "$a" last_seq)
  echo "NESTED: $a sent=$sent received=$recv lost=$lost duplicated=$dup wrong=$(paced_field "$a" wrong) other=$(paced_field "$a" other) max_gap_us=$gap last_seq=$last lost_seqs=$(paced_field "$a" lost_first)..$(paced_field "$a" lost_last)"
  [ "$(paced_field "$a" status)" = PASS ] || { echo "NESTED: FAIL: $a: $(paced_field "$a" status)"; return 1; }
  [ "$sent" = "$frames" ] || { echo "NESTED: FAIL: $a sent $sent of $frames"; return 1; }
  # The exchange went on after the interruption: the last frames came back.
  [ "$last" -ge $((frames - frames / 10)) ] || { echo "NESTED: FAIL: $a's last echo was frame $last of $frames"; return 1; }
  [ "$recv" -ge $((frames / 2)) ] || { echo "NESTED: FAIL: $a got only $recv of $frames echoes"; return 1; }
}
