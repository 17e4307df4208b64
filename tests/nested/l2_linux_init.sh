#!/bin/busybox sh
# /init of the L2 Linux guest that strata-hv boots in the linux_boot
# scenario: reach a shell, print one line the scenario looks for, reboot
# (reboot=k: the keyboard-controller reset that strata-hv turns into exit 0).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
sh -c 'echo "strata-l2-linux: shell up at $(cut -d" " -f1 /proc/uptime) s of L2 uptime, $(grep -c ^processor /proc/cpuinfo) CPU(s), $(grep MemTotal /proc/meminfo | tr -s " ")"'
echo "strata-l2-linux: virtio devices: $(ls /sys/bus/virtio/devices 2>/dev/null | tr '\n' ' ')"
echo "strata-l2-linux: clock says $(date -u '+%Y-%m-%d %H:%M')"
reboot -f
