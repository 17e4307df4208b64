# strata-hv boots Debian's kernel (bzImage, 64-bit boot protocol) with a
# busybox initramfs under nested KVM; the guest's shell prints a line and
# reboots, which strata-hv reports as a clean exit 0.
#
# The L2 boots in 17-21 s of host time; the scenario gives it 90 s so that
# it reports (strata-hv's stop report: the vCPU's registers and how long
# since its last exit) well inside run.sh's limit per attempt (CTest: 150
# s, with L1's own boot). nokaslr lets kernel_symbol name the function a
# hung L2 spins in.
. /nested/lib.sh
[ -f /nested/l2/vmlinuz ] || { echo "NESTED: no L2 kernel in the initramfs"; exit 1; }
t0=$(now_ms)
strata-hv --kernel /nested/l2/vmlinuz --initrd /nested/l2/initrd.gz --memory 256 \
  --cmdline "console=ttyS0 reboot=k panic=-1 no_timer_check i8042.noaux i8042.nokbd nokaslr" > /tmp/linux.log 2>&1 &
wait_pid_timeout $! 90; rc=$?
echo "NESTED-TIMING: L2 Linux, strata-hv start to exit after its shell line: $(( $(now_ms) - t0 )) ms"
if [ $rc -ne 0 ]; then
  grep -v 'CPUID\[' /tmp/linux.log | tail -60
  rip=$(grep -o 'vCPU 0: rip 0x[0-9a-f]*' /tmp/linux.log | tail -1 | cut -d' ' -f4)
  sym=$(kernel_symbol "$rip") && echo "NESTED: L2 vCPU 0 stopped in $sym"
  echo "NESTED: strata-hv exited $rc"
  exit 1
fi
tail -30 /tmp/linux.log
grep -q 'strata-l2-linux: shell up' /tmp/linux.log && grep -q 'guest rebooted' /tmp/linux.log
