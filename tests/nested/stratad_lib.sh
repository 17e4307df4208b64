# stratad for scenarios that run it in L1 (busybox sh, sourced after lib.sh).
#   stratad_start NAME [NETNS]   start stratad NAME (mgmt /tmp/NAME.sock, log
#                                /tmp/NAME.log), in network namespace NETNS if
#                                given; exits the scenario with 77 when stratad
#                                is not in the initramfs or cannot run on this CPU
#   stratad_stop NAME            SIGTERM, wait, by the PID it started
#   ctl NAME ARGS...             stratactl against stratad NAME
#   rx_of NAME BR PORT / tx_of   a port's rx / tx packet counters
#   link_up NAME PORT            0 when the port's link is up
#   wait_until SECONDS CMD...    0 once CMD succeeds
ctl() { local n=$1; shift; stratactl --mgmt "unix:/tmp/$n.sock" "$@"; }
port_row() { ctl "$1" port-stats "$2" | awk -v p="$3" '$1 == p'; }
rx_of() { port_row "$1" "$2" "$3" | awk '{ print $3 }'; }
tx_of() { port_row "$1" "$2" "$3" | awk '{ print $7 }'; }
link_up() { ctl "$1" show | awk -v p="$2" '$1 == "port" && $2 == p { found = 1; next }
                                          found && $1 == "link:" { print $2; exit }' | grep -q '^up'; }
wait_until() {
  local deadline=$(( $(now_ms) + $1 * 1000 )); shift
  while [ "$(now_ms)" -lt "$deadline" ]; do "$@" && return 0; sleep 0.2; done
  return 1
}

stratad_start() {
  local name=$1 ns=${2:-} t0 pid code
  command -v stratad > /dev/null && command -v stratactl > /dev/null ||
    { echo "NESTED: SKIP: stratad/stratactl are not in the initramfs (build them)"; exit 77; }
  t0=$(now_ms)
  if [ -n "$ns" ]; then
    /nested/bin/ip netns exec "$ns" stratad --no-huge --memory 256 --mbufs 8191 --file-prefix "$name" --db "/tmp/$name.db" \
      --mgmt "unix:/tmp/$name.sock" --guest-dir "/tmp/$name-guests" > "/tmp/$name.log" 2>&1 &
  else
    stratad --no-huge --memory 256 --mbufs 8191 --file-prefix "$name" --db "/tmp/$name.db" \
      --mgmt "unix:/tmp/$name.sock" --guest-dir "/tmp/$name-guests" > "/tmp/$name.log" 2>&1 &
  fi
  pid=$!
  eval "stratad_pid_$name=$pid"
  if ! wait_for_line "/tmp/$name.log" 'running:' 90; then
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"; code=$?
      # 132 = SIGILL: a stratad built for the build machine's CPU
      # (-march=native, AVX-512) cannot run on QEMU TCG's.
      [ "$code" = 132 ] && { echo "NESTED: SKIP: stratad died of SIGILL in L1: build with -DSTRATA_MARCH=x86-64-v3"; exit 77; }
    fi
    echo "NESTED: stratad $name did not start"; cat "/tmp/$name.log"
    return 1
  fi
  echo "NESTED: stratad $name up in $(( $(now_ms) - t0 )) ms"
}

stratad_stop() {
  local pid
  eval "pid=\${stratad_pid_$1:-}"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid"
  wait_pid_timeout "$pid" 30 > /dev/null
}
