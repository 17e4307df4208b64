# Helpers for the scenarios that run inside L1 (busybox sh).

# now_ms: milliseconds of L1 uptime.
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

# wait_for_line FILE PATTERN SECONDS: 0 once grep finds PATTERN in FILE.
wait_for_line() {
  local file=$1 pattern=$2 deadline=$(( $(now_ms) + $3 * 1000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# wait_for_socket PATH SECONDS
wait_for_socket() {
  local deadline=$(( $(now_ms) + $2 * 1000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    [ -S "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

# wait_pid_timeout PID SECONDS: waits for a child; kills it after SECONDS.
# Returns its exit status (or 124 on timeout).
wait_pid_timeout() {
  local pid=$1 deadline=$(( $(now_ms) + $2 * 1000 ))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(now_ms)" -ge "$deadline" ]; then
      kill "$pid" 2>/dev/null; sleep 0.5; kill -9 "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      return 124
    fi
    sleep 0.1
  done
  wait "$pid"
}

# result_field LOG KEY: the value of KEY= on the guest's result line.
result_field() {
  grep 'strata-guest: result' "$1" | tail -1 | tr ' ' '\n' | grep "^$2=" | cut -d= -f2
}
