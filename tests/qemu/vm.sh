# Sourced by bash (host side): finding Debian's guest kernel and stopping a
# QEMU process. Used by tests/nested/run.sh and the QEMU vhost-user test.

# qemu_find_kernel MODULE_KO: sets `kernel` and `kver` to the newest
# /boot/vmlinuz-* whose modules include MODULE_KO (a path below
# /lib/modules/VER, e.g. kernel/net/8021q/8021q.ko). Returns 77 with a SKIP
# line naming the package when QEMU or such a kernel is missing.
qemu_find_kernel() {
  local k v
  command -v qemu-system-x86_64 >/dev/null ||
    { echo "SKIP: qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"; return 77; }
  kernel= kver=
  for k in $(ls -v /boot/vmlinuz-* 2>/dev/null); do
    v=${k#/boot/vmlinuz-}
    [ -f "/lib/modules/$v/$1" ] && kernel=$k kver=$v
  done
  [ -n "$kernel" ] || { echo "SKIP: no /boot/vmlinuz-* with $1 (apt-get install linux-image-amd64)"; return 77; }
  [ -r "$kernel" ] || { echo "SKIP: $kernel is not readable"; return 77; }
  return 0
}

# qemu_stop PID: ends the QEMU process we started: SIGTERM, up to 5 s to
# exit, then SIGKILL; reaps it when it is our child.
qemu_stop() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}
