# Sourced by bash (host side): finding Debian's guest kernel, starting a
# guest with a vhost-user NIC and stopping a QEMU process. Used by tests/nested/run.sh and the QEMU vhost-user test.

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

# qemu_start_vhost_guest WORK INITRD MEMORY_MIB SOCKET MAC APPEND: starts
# QEMU in the background on `kernel` (qemu_find_kernel) with one
# virtio-net NIC over vhost-user on SOCKET, the way docs/machine-facts.md says
# works under TCG: guest memory from a shared memfd (the backend maps it)
# and `vectors=0` (QEMU 7.2 segfaults in msix_set_vector_notifiers
# without it). Serial console to WORK/console.log, QEMU's own messages to
# WORK/qemu.log; sets qemu_pid (stop it with qemu_stop).
qemu_start_vhost_guest() {
  local work=$1 initrd=$2 mem=$3 sock=$4 mac=$5 append=$6
  qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m "$mem" -nodefaults -display none -no-reboot \
    -object "memory-backend-memfd,id=mem0,size=${mem}M,share=on" -numa node,memdev=mem0 \
    -chardev "socket,id=c0,path=$sock" -netdev vhost-user,id=n0,chardev=c0 \
    -device "virtio-net-pci,netdev=n0,vectors=0,mac=$mac" \
    -serial "file:$work/console.log" -kernel "$kernel" -initrd "$initrd" -append "$append" \
    < /dev/null > "$work/qemu.log" 2>&1 &
  qemu_pid=$!
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
