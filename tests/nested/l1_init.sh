#!/bin/busybox sh
# /init of the L1 guest: mounts, loads KVM, runs the scenario named by
# strata.scenario= on the kernel command line, reports, powers off.
/bin/busybox --install -s /bin
export PATH=/nested/bin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
echo "NESTED: L1 userspace up at $(cut -d' ' -f1 /proc/uptime) s of L1 uptime"

for m in irqbypass kvm ccp kvm-amd; do
  insmod /nested/modules/$m.ko || echo "NESTED: insmod $m failed"
done
if [ ! -e /dev/kvm ] && [ -e /sys/class/misc/kvm/dev ]; then
  mknod /dev/kvm c $(tr ':' ' ' < /sys/class/misc/kvm/dev)
fi
if [ -e /dev/kvm ]; then
  echo "NESTED: /dev/kvm ready at $(cut -d' ' -f1 /proc/uptime) s"
else
  echo "NESTED: no /dev/kvm after loading the modules"; dmesg | grep -i kvm | tail -5
fi

scenario=
for word in $(cat /proc/cmdline); do
  case "$word" in strata.scenario=*) scenario=${word#strata.scenario=} ;; esac
done
if [ -n "$scenario" ] && [ -f "/nested/$scenario.sh" ]; then
  sh "/nested/$scenario.sh"
  rc=$?
else
  echo "NESTED: no scenario '$scenario'"
  rc=2
fi
echo "NESTED-RESULT: scenario=$scenario rc=$rc"
sync
poweroff -f
