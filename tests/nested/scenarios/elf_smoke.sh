# The smallest nested check: strata-hv boots the test guest with no NIC; it
# must come up, report on the UART and exit 2 through the control port
# (no virtio_mmio.device= to drive), which strata-hv passes on as its own code.
# Then its exception path: with strata.fault=1 it executes ud2, and must
# report vector 6 on the UART and exit 3 instead of triple-faulting.
. /nested/lib.sh
t0=$(now_ms)
strata-hv --elf /nested/bin/strata-hv-test-guest --memory 8 > /tmp/smoke.log 2>&1 &
wait_pid_timeout $! 60; rc=$?
echo "NESTED-TIMING: ELF guest start to exit: $(( $(now_ms) - t0 )) ms"
cat /tmp/smoke.log
[ $rc -eq 2 ] || dmesg | tail -20
[ $rc -eq 2 ] && grep -q 'strata-guest: up with 8 MiB' /tmp/smoke.log && grep -q 'guest exited with code 2' /tmp/smoke.log || exit 1
strata-hv --elf /nested/bin/strata-hv-test-guest --memory 8 --cmdline strata.fault=1 > /tmp/fault.log 2>&1 &
wait_pid_timeout $! 60; rc=$?
cat /tmp/fault.log
[ $rc -eq 3 ] && grep -q 'strata-guest: exception 6 ' /tmp/fault.log && grep -q 'guest exited with code 3' /tmp/fault.log
