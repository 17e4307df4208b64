# strata-hv boots Debian's kernel (bzImage, 64-bit boot protocol) with a
# busybox initramfs under nested KVM; the guest's shell prints a line and
# reboots, which strata-hv reports as a clean exit 0.
. /nested/lib.sh
[ -f /nested/l2/vmlinuz ] || { echo "NESTED: no L2 kernel in the initramfs"; exit 1; }
t0=$(now_ms)
strata-hv --kernel /nested/l2/vmlinuz --initrd /nested/l2/initrd.gz --memory 256 \
  --cmdline "console=ttyS0 reboot=k panic=-1 no_timer_check i8042.noaux i8042.nokbd" > /tmp/linux.log 2>&1 &
wait_pid_timeout $! 300; rc=$?
echo "NESTED-TIMING: L2 Linux, strata-hv start to exit after its shell line: $(( $(now_ms) - t0 )) ms"
tail -30 /tmp/linux.log
[ $rc -eq 0 ] || { echo "NESTED: strata-hv exited $rc"; exit 1; }
grep -q 'strata-l2-linux: shell up' /tmp/linux.log && grep -q 'guest rebooted' /tmp/linux.log
