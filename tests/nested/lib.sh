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

# kernel_symbol RIP: the function of Debian's kernel that holds RIP (hex,
# with or without 0x) in an L2 that booted the same kernel with nokaslr, so
# that a hung L2 Linux's stop report names where it spins. L1 runs that
# kernel too: its kallsyms, moved by L1's own KASLR offset, give the name.
# Kernel text lies in the top 2 GiB, so the low 32 bits carry the offset.
# Fails (prints nothing) for a RIP it cannot place.
kernel_symbol() {
  local rip=${1#0x} base lo target sym
  echo 0 > /proc/sys/kernel/kptr_restrict
  base=$(grep ' _text$' /proc/kallsyms | cut -d' ' -f1)
  [ ${#rip} -eq 16 ] && [ ${#base} -eq 16 ] || return 1
  lo=$(( 0x$(echo "$base" | cut -c9-16) + 0x$(echo "$rip" | cut -c9-16) - 0x81000000 ))
  target=ffffffff$(printf '%08x' "$lo")
  # The last symbol at or below the target (hex strings of one length
  # compare as numbers do): "ADDRESS NAME".
  sym=$(sort /proc/kallsyms | awk -v t="$target" 'length($1) == 16 && $1 <= t { s = $1 " " $3 } $1 > t { print s; exit }')
  [ -n "$sym" ] || return 1
  printf '%s+0x%x\n' "${sym#* }" $(( 0x$(echo "$target" | cut -c9-16) - 0x$(echo "$sym" | cut -c9-16) ))
}
