#!/bin/busybox sh
# /init of the L1 guest: mounts, loads KVM, runs the scenario named by
# strata.scenario= on the kernel command line, reports, powers off.
. /qemu/guest_lib.sh
guest_boot_basics
export PATH=/nested/bin:/bin:/sbin
echo "NESTED: L1 userspace up at $(cut -d' ' -f1 /proc/uptime) s of L1 uptime"

# irqbypass, kvm, ccp, kvm-amd (build_initramfs.sh wrote the order).
guest_load_modules /nested/modules NESTED
if [ ! -e /dev/kvm ] && [ -e /sys/class/misc/kvm/dev ]; then
  mknod /dev/kvm c $(tr ':' ' ' < /sys/class/misc/kvm/dev)
fi
if [ -e /dev/kvm ]; then
  echo "NESTED: /dev/kvm ready at $(cut -d' ' -f1 /proc/uptime) s"
else
  echo "NESTED: no /dev/kvm after loading the modules"; dmesg | grep -i kvm | tail -5
fi

scenario=$(guest_cmdline_values strata.scenario | tail -1)
if [ -n "$scenario" ] && [ -f "/nested/$scenario.sh" ]; then
  echo "NESTED: running scenario $scenario at $(cut -d' ' -f1 /proc/uptime) s"
  # A heartbeat on the console while the scenario runs: run.sh tells an L1
  # that froze (no beat for 30 s of host time) from a scenario that is slow.
  ( while sleep 5; do echo "NESTED-HEARTBEAT"; done ) &
  heartbeat=$!
  sh "/nested/$scenario.sh"
  rc=$?
  kill $heartbeat 2>/dev/null
else
  echo "NESTED: no scenario '$scenario'"
  rc=2
fi
echo "NESTED-RESULT: scenario=$scenario rc=$rc"
sync
poweroff -f
