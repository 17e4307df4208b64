#!/usr/bin/env bash
# run.sh SCENARIO [BUILD_DIR]
#
# Boots Debian's kernel in QEMU with software emulation (TCG, -cpu max: it
# emulates AMD SVM, so KVM works inside) with an initramfs holding strata-hv,
# and runs one scenario of tests/nested/scenarios there (L1); the scenario
# starts L2 guests with strata-hv. Prints timings; the QEMU process and the
# temporary directory are removed on every exit path. Exit 0 = pass,
# 77 = cannot run here (no QEMU or kernel), anything else = fail.
set -uo pipefail
scenario=${1:?usage: run.sh SCENARIO [BUILD_DIR]}
build=${2:-${STRATA_BUILD_DIR:-}}
[ -n "$build" ] || { echo "run.sh: give BUILD_DIR or set STRATA_BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../qemu/vm.sh"
timeout_s=${STRATA_NESTED_TIMEOUT:-420}
l1_mem=${STRATA_NESTED_L1_MEMORY:-2048}
# QEMU's accelerator for L1: one TCG thread for both vCPUs. With a thread
# per vCPU (STRATA_NESTED_ACCEL=tcg), QEMU 7.2's emulated SVM corrupted L1
# often enough to fail CI three runs in a row (L1 panics, L1 and L2 triple
# faults, L1 freezes); one thread rules out races between vCPU threads and,
# measured here, costs no time (stratad_guests 135-148 s, elf_smoke 11-13 s).
l1_accel=${STRATA_NESTED_ACCEL:-tcg,thread=single}

qemu_find_kernel kernel/arch/x86/kvm/kvm-amd.ko || exit $?
qemu=$(command -v qemu-system-x86_64)

case "$scenario" in linux_*) export STRATA_NESTED_L2_LINUX=1 ;; esac

work=$(mktemp -d /tmp/strata-nested.XXXXXX)
qemu_pid=
cleanup() {
  qemu_stop "$qemu_pid"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ms() { date +%s%3N; }
t_build=$(ms)
"$here/build_initramfs.sh" "$build" "$kver" "$work/initrd.gz" || { echo "FAIL: could not build the initramfs"; exit 1; }
echo "nested: initramfs $(du -h "$work/initrd.gz" | cut -f1) built in $(( $(ms) - t_build )) ms; kernel $kernel"

boot_l1() {  # runs the scenario in a fresh L1; sets result, total, qemu_end, resets
  t0=$(ms)
  : > "$work/serial.log"; : > "$work/qemu-debug.log"
  "$qemu" -accel "$l1_accel" -cpu max -smp 2 -m "$l1_mem" -nographic -no-reboot \
    -kernel "$kernel" -initrd "$work/initrd.gz" \
    -append "console=ttyS0 quiet panic=-1 strata.scenario=$scenario" \
    -d cpu_reset,guest_errors -D "$work/qemu-debug.log" \
    < /dev/null > "$work/serial.log" 2>&1 &
  qemu_pid=$!

  local l1_up= deadline beats=0 n
  deadline=$(( t0 + timeout_s * 1000 ))
  result=
  last_beat=$t0
  while [ "$(ms)" -lt "$deadline" ]; do
    if [ -z "$l1_up" ] && grep -q 'NESTED: L1 userspace up' "$work/serial.log"; then
      l1_up=$(( $(ms) - t0 ))
      echo "nested: L1 boot (QEMU start to L1 userspace): $l1_up ms"
    fi
    n=$(grep -ac 'NESTED-HEARTBEAT' "$work/serial.log")
    [ "$n" != "$beats" ] && { beats=$n; last_beat=$(ms); }
    result=$(tr -d '\r' < "$work/serial.log" | grep -a 'NESTED-RESULT:' | tail -1)
    [ -n "$result" ] && break
    kill -0 "$qemu_pid" 2>/dev/null || break
    sleep 0.5
  done
  total=$(( $(ms) - t0 ))
  silent=$(( $(ms) - last_beat ))  # host ms since L1's last heartbeat
  # Give L1 a moment to power off by itself; cleanup() kills it otherwise.
  for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
  # How L1 ended, for a failure: QEMU's own exit status, and the CPU resets it
  # logged (-d cpu_reset: two at power-on, one per vCPU; more mean L1 reset or
  # triple-faulted, which -no-reboot turns into an exit without a word on the
  # console).
  qemu_end=running
  if ! kill -0 "$qemu_pid" 2>/dev/null; then
    wait "$qemu_pid"; qemu_end="exited with status $?"; qemu_pid=
  fi
  resets=$(grep -c '^CPU Reset' "$work/qemu-debug.log" 2>/dev/null)
}

source "$here/emulator_fault.sh"
attempts=${STRATA_NESTED_ATTEMPTS:-3}
for attempt in $(seq 1 "$attempts"); do
  boot_l1
  why=$(emulator_fault "$scenario" "$work/serial.log" "$work/qemu-debug.log" "$result" "$silent")
  if [ -n "$why" ] && [ "$attempt" -lt "$attempts" ]; then
    echo "nested: $why on attempt $attempt of $attempts (QEMU $qemu_end, ${resets:-0} CPU resets logged); starting a fresh L1. The evidence:"
    tr -d '\r' < "$work/serial.log" |
      grep -a -E -A12 'Kernel panic|NESTED: FAIL|NESTED: L2 vCPU|strata-hv: error|strata-hv: last exit|strata-hv: vCPU' | head -60
    qemu_stop "$qemu_pid"; qemu_pid=
    continue
  fi
  break
done

tr -d '\r' < "$work/serial.log" | grep -a -E '^(NESTED|strata-hv|strata-guest|strata-l2|MIGRATION|SNAPSHOT-RESTORE|STRATAD-RESTART|CLONE)|Port|packets|error|Error' | grep -av -E 'NESTED-RESULT|NESTED-HEARTBEAT'
echo "nested: scenario $scenario finished in $total ms of host time (timeout ${timeout_s} s)"
case "$result" in
  *" rc=0") echo "PASS: nested $scenario"; exit 0 ;;
  *" rc=77") echo "SKIP: nested $scenario cannot run here (see its NESTED: SKIP line)"; exit 77 ;;
  "") echo "FAIL: nested $scenario produced no result (QEMU $qemu_end, ${resets:-0} CPU resets logged); L1 console follows"
      tr -d '\r' < "$work/serial.log" | grep -av NESTED-HEARTBEAT | tail -80
      grep -a -v -E '^(CPU Reset|[A-Z0-9 ]+=|GDT|IDT|LDT|TR |CS |DS |ES |SS |FS |GS |EFER|FCW|F[0-7]|XMM|YMM|CCS|CR0|DR[0-9])' "$work/qemu-debug.log" | tail -20
      exit 1 ;;
  *) echo "FAIL: nested $scenario: $result; L1 console follows"; tr -d '\r' < "$work/serial.log" | grep -av NESTED-HEARTBEAT | tail -120; exit 1 ;;
esac
