# Sourced by a guest's /init (busybox sh, inside QEMU): the first steps
# every test guest takes. Pairs with initramfs.sh on the host side.

# guest_boot_basics: busybox applets on PATH, /proc /sys /dev /tmp /run.
guest_boot_basics() {
  /bin/busybox --install -s /bin
  mount -t proc proc /proc
  mount -t sysfs sys /sys
  mount -t devtmpfs dev /dev
  mount -t tmpfs tmp /tmp
  mount -t tmpfs run /run
}

# guest_load_modules DIR PREFIX: insmod every module DIR/load-order names,
# in order (initramfs_add_modules wrote it); a failure is printed with
# PREFIX and counted in the return value.
guest_load_modules() {
  local dir=$1 prefix=$2 ko failed=0
  for ko in $(cat "$dir/load-order"); do
    insmod "$dir/$ko" || { echo "$prefix: insmod $ko failed"; failed=$((failed + 1)); }
  done
  return $failed
}

# guest_cmdline_values KEY: the values of every KEY=... word on the kernel
# command line, one a line, in order.
guest_cmdline_values() {
  local word
  for word in $(cat /proc/cmdline); do
    case "$word" in "$1="*) echo "${word#"$1"=}" ;; esac
  done
}
