#!/usr/bin/env bash
# Runs emulator_fault (which failures run.sh retries in a fresh L1) over
# small fixture logs shaped like real ones from CI and local runs: each
# emulator signature must be named, and each failure of the scenario's own
# (or a pass) must give nothing, or a real bug would be retried away.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/emulator_fault.sh"
dir=$(mktemp -d /tmp/strata-emulator-fault.XXXXXX)
trap 'rm -rf "$dir"' EXIT
failures=0

boot='NESTED: L1 userspace up at 3.65 s of L1 uptime
NESTED: /dev/kvm ready at 4.06 s'
started="$boot
NESTED: running scenario SCENARIO at 4.09 s"
l2_hang='strata-hv: last exit from KVM_RUN 86980.9 ms before the stop report
strata-hv: vCPU 0: rip 0xffffffff81a5a1a9 rsp 0xffa0000000003e60 rflags RFLAGS rax 0x101 cs 0x10 cr0 0x80050033
strata-hv: stopped by Terminated after 99882.0 ms; userspace exits: io 52774, mmio 0, other 1, unhandled 33195'

# check NAME SCENARIO RESULT SILENT_MS EXPECTED SERIAL [QEMU_DEBUG]
check() {
  local name=$1 scenario=$2 result=$3 silent=$4 expected=$5 got
  # Serial consoles end lines with CR LF; emulator_fault must not care.
  printf '%s\n' "${6//SCENARIO/$scenario}" | sed 's/$/\r/' > "$dir/serial.log"
  printf '%s\n' "${7:-}" > "$dir/qemu-debug.log"
  got=$(emulator_fault "$scenario" "$dir/serial.log" "$dir/qemu-debug.log" "$result" "$silent")
  if [ "$got" = "$expected" ]; then
    echo "ok: $name"
  else
    echo "FAIL: $name: expected '${expected}', got '${got}'"
    failures=$(( failures + 1 ))
  fi
}
rc() { echo "NESTED-RESULT: scenario=$1 rc=$2"; }

# Emulator faults: retried.
check "L1 panic" stratad_guests "" 2000 "L1's kernel panicked" \
  "$started"$'\n''[  61.2] Kernel panic - not syncing: corrupted stack end detected inside scheduler'
check "L1 triple fault in QEMU's log" stratad_guests "" 2000 "L1 itself triple-faulted" \
  "$started" $'CPU Reset (CPU 0)\nTriple fault'
check "L1 never started the scenario" elf_smoke "" 2000 \
  "L1 never started the scenario (stalled or died booting or loading KVM)" "$boot"
check "L1 heartbeat stopped" elf_smoke "" 31000 "L1 froze (no heartbeat for 31 s)" \
  "$started"$'\nNESTED-HEARTBEAT'
check "L2 test guest triple fault" two_guests "$(rc two_guests 1)" 0 "an L2 test guest triple-faulted" \
  "$started"$'\nstrata-hv: error: vCPU 0: guest triple-faulted at rip 0x1000'
check "L2 Linux triple fault" linux_boot "$(rc linux_boot 1)" 0 "the L2 Linux triple-faulted" \
  "$started"$'\nstrata-hv: error: vCPU 0: guest triple-faulted (shutdown) after 7804.0 ms'
check "L2 test guest without exits" stratad_guests "$(rc stratad_guests 1)" 0 \
  "an L2 test guest made no exit for 10 s or more" "$started"$'\n'"${l2_hang//RFLAGS/0x202}"
check "L2 Linux spinning with interrupts off" linux_boot "$(rc linux_boot 1)" 0 \
  "the L2 Linux spun with interrupts disabled and no exit for 10 s or more" \
  "$started"$'\n'"${l2_hang//RFLAGS/0x2}"$'\nNESTED: L2 vCPU 0 stopped in native_queued_spin_lock_slowpath+0x69'

# The scenario's own failures and passes: never retried.
check "pass" elf_smoke "$(rc elf_smoke 0)" 0 "" "$started"
check "skip" stratad_guests "$(rc stratad_guests 77)" 0 "" "$started"
check "scenario failure" two_guests "$(rc two_guests 1)" 0 "" \
  "$started"$'\nNESTED: FAIL: B counted 199 frames, expected 200'
check "slow scenario still beating" stratad_guests "" 4000 "" "$started"$'\nNESTED-HEARTBEAT'
check "L2 Linux hang with interrupts on" linux_boot "$(rc linux_boot 1)" 0 "" \
  "$started"$'\n'"${l2_hang//RFLAGS/0x246}"
check "L2 Linux stopped with a recent exit" linux_boot "$(rc linux_boot 1)" 0 "" \
  "$started"$'\nstrata-hv: last exit from KVM_RUN 3.1 ms before the stop report\nstrata-hv: vCPU 0: rip 0xffffffff81a5a1a9 rsp 0x0 rflags 0x2 rax 0x0'
check "L2 Linux hang without registers" linux_boot "$(rc linux_boot 1)" 0 "" \
  "$started"$'\nstrata-hv: last exit from KVM_RUN 86980.9 ms before the stop report'
check "panic text after a result" stratad_guests "$(rc stratad_guests 1)" 0 "" \
  "$started"$'\nKernel panic - not syncing: after the result'

[ "$failures" -eq 0 ] && echo "PASS: emulator_fault" || { echo "FAIL: $failures case(s)"; exit 1; }
