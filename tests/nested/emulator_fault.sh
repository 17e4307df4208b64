# emulator_fault SCENARIO SERIAL_LOG QEMU_DEBUG_LOG RESULT SILENT_MS
#
# Sourced by run.sh (and tests/nested/emulator_fault_test.sh, which runs it
# over fixture logs). Prints why an attempt failed for the emulator's sake,
# or nothing when the failure is the scenario's own. RESULT is L1's
# NESTED-RESULT line ("" when none came), SILENT_MS the host milliseconds
# since L1's last console heartbeat.
#
# Failures that only a broken emulation of the CPU can cause get one more
# fresh L1 (README: "When L1 itself fails"), and the log shows the first
# attempt's evidence; any other failure is the scenario's, reported at once:
#  - L1's kernel panicked;
#  - a test guest triple-faulted: it runs with exception handlers
#    (hv/guest/traps.c), so a fault it causes is reported, never a triple
#    fault, unless the CPU delivering it is broken; the same holds for the
#    L2 Linux once it runs its own IDT (a double-fault handler on its own
#    stack), and a boot that strata-hv set up wrong would fail every time,
#    not one run in ten (seen once with STRATA_NESTED_ACCEL=tcg, 8 s in);
#  - a test guest made no exit for 10 s or more (strata-hv's stop report):
#    its loop reads strata-hv's clock, an exit, every few milliseconds;
#  - the L2 Linux (linux_* scenarios: one vCPU, no device but the serial
#    port) made no exit for 10 s with interrupts disabled: it spins on a
#    lock nothing else can release. Seen on one TCG thread, about one boot
#    in ten, always in native_queued_spin_lock_slowpath while printing to
#    the console (kernel_symbol names it): the serial port's lock taken
#    twice on one CPU, which needs an interrupt delivered inside a
#    spin_lock_irqsave section, and L1's KVM (Debian's) decides delivery;
#  - L1 itself triple-faulted: QEMU says "Triple fault" only for a CPU
#    outside guest mode (an L2's shutdown is a #VMEXIT to L1's KVM instead),
#    and L1 runs Debian's kernel, which no program of ours can bring down;
#  - L1 never started the scenario: it stalled or died while booting or
#    loading KVM (Debian's kernel and modules, none of our code);
#  - L1 froze: its console heartbeat (a shell loop printing every 5 s of
#    L1 time, l1_init.sh) stopped for 30 s of host time; a scenario that
#    is merely slow keeps it beating.
emulator_fault() {
  local scenario=$1 serial_log=$2 debug_log=$3 result=$4 silent=$5 log
  log=$(tr -d '\r' < "$serial_log")
  if [ -z "$result" ] && grep -aq 'Kernel panic' <<< "$log"; then
    echo "L1's kernel panicked"
  elif [ -z "$result" ] && grep -aq '^Triple fault' <<< "$log"$'\n'"$(cat "$debug_log" 2>/dev/null)"; then
    echo "L1 itself triple-faulted"
  elif [ -z "$result" ] && ! grep -aq "^NESTED: running scenario $scenario" <<< "$log"; then
    echo "L1 never started the scenario (stalled or died booting or loading KVM)"
  elif [ -z "$result" ] && [ "$silent" -ge 30000 ]; then
    echo "L1 froze (no heartbeat for $(( silent / 1000 )) s)"
  elif [ -n "$result" ] && [[ "$result" != *" rc=0" && "$result" != *" rc=77" ]]; then
    if grep -aq 'strata-hv: error: vCPU [0-9]*: guest triple-faulted' <<< "$log"; then
      if [[ "$scenario" == linux_* ]]; then echo "the L2 Linux triple-faulted"; else echo "an L2 test guest triple-faulted"; fi
    elif grep -ao 'last exit from KVM_RUN [0-9]*' <<< "$log" | awk '$5 >= 10000 { found = 1 } END { exit !found }'; then
      local rflags
      rflags=$(grep -ao 'vCPU 0: rip 0x[0-9a-f]* rsp 0x[0-9a-f]* rflags 0x[0-9a-f]*' <<< "$log" | tail -1 | awk '{ print $NF }')
      if [[ "$scenario" != linux_* ]]; then
        echo "an L2 test guest made no exit for 10 s or more"
      elif [ -n "$rflags" ] && (( (rflags & 0x200) == 0 )); then
        echo "the L2 Linux spun with interrupts disabled and no exit for 10 s or more"
      fi
    fi
  fi
}
