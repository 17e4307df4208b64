# The smallest nested check: strata-hv boots the test guest with no NIC; it
# must come up, report on the UART and exit 2 through the control port
# (no virtio_mmio.device= to drive), which strata-hv passes on as its own code.
# Then its exception path: with strata.fault=1 it executes ud2, and must
# report vector 6 on the UART and exit 3 instead of triple-faulting.
# Last, a guest that never ends (strata.hang=1 spins without an exit):
# SIGTERM must get it out of KVM_RUN, and strata-hv must say where its vCPU
# was (a RIP inside the guest image, the bytes there) and exit 128+15.
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
[ $rc -eq 3 ] && grep -q 'strata-guest: exception 6 ' /tmp/fault.log && grep -q 'guest exited with code 3' /tmp/fault.log || exit 1
strata-hv --elf /nested/bin/strata-hv-test-guest --memory 8 --cmdline strata.hang=1 > /tmp/hang.log 2>&1 &
hang_pid=$!
wait_for_line /tmp/hang.log 'strata-guest: hanging' 60 || { kill -KILL $hang_pid; cat /tmp/hang.log; exit 1; }
sleep 1
kill -TERM $hang_pid
wait_pid_timeout $hang_pid 30; rc=$?
cat /tmp/hang.log
[ $rc -eq 143 ] && grep -q 'strata-hv: vCPU 0: rip 0x[0-9a-f]* rsp .*; code at rip: [0-9a-f ]*$' /tmp/hang.log &&
  grep -q 'last exit from KVM_RUN [0-9.]* ms before' /tmp/hang.log
