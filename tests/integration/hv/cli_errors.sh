#!/usr/bin/env bash
# cli_errors.sh STRATA_HV TEST_GUEST: strata-hv refuses bad input with a
# one-line reason a user can act on, and never crashes (exit 1 or 2, not a
# signal). Runs without /dev/kvm: everything is checked before KVM.
set -uo pipefail
hv=$1 guest=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0 passes=0

# expect RC PATTERN ARGS...: exit code RC and PATTERN on stderr.
expect() {
  local want_rc=$1 pattern=$2
  shift 2
  local out rc
  out=$("$hv" "$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" -eq "$want_rc" ] && grep -q -- "$pattern" <<<"$out"; then
    passes=$((passes + 1))
  else
    echo "FAIL: strata-hv $*"
    echo "  want exit $want_rc and '$pattern'; got exit $rc: $out"
    fails=$((fails + 1))
  fi
}

head -c 70000 /dev/urandom > "$work/random.bin"
printf '\177ELF' > "$work/stub.elf"
cp "$guest" "$work/trunc.elf" && truncate -s 200 "$work/trunc.elf"
cp "$guest" "$work/guest.elf"

expect 2 "exactly one of --kernel FILE, --elf FILE, --restore DIR and --incoming ADDR"
expect 2 "exactly one" --kernel a --elf b
expect 2 "unrecognised option\|unrecognized option" --elf "$work/guest.elf" --frobnicate
expect 2 "--vcpus 0 is out of range" --elf "$work/guest.elf" --vcpus 0
expect 2 "expected vhost-user=SOCKET" --elf "$work/guest.elf" --net tap=foo
expect 1 "cannot open kernel $work/missing: No such file or directory" --kernel "$work/missing"
expect 1 "not a bzImage" --kernel "$work/random.bin"
expect 1 "not a bzImage" --kernel "$work/stub.elf"
expect 1 "is not a regular file" --kernel "$work"
expect 1 "not an ELF file" --elf "$work/random.bin"
expect 1 "too short" --elf "$work/stub.elf"
expect 1 "program headers run past\|past the end" --elf "$work/trunc.elf"
expect 1 "too much" --elf "$work/guest.elf" --memory 100000
expect 1 "raise --memory" --elf "$work/guest.elf" --memory 2
expect 1 "cannot connect to vhost-user socket $work/none.sock: No such file or directory" \
  --elf "$work/guest.elf" --memory 16 --net "vhost-user=$work/none.sock"
expect 2 "multicast" --elf "$work/guest.elf" --net "vhost-user=$work/x.sock,mac=03:00:00:00:00:01"
# Snapshots and migrations: refused before anything is built. The state
# file is the fuzz seed (a valid one-vCPU, one-NIC guest of 1 MiB).
seed=$(dirname "$0")/../../fuzz/corpus/fuzz_hv_state/one_vcpu_one_nic
mkdir -p "$work/snap-ok" "$work/snap-v2" "$work/snap-cut" "$work/snap-empty"
cp "$seed" "$work/snap-ok/state" && truncate -s 1M "$work/snap-ok/memory"
/usr/bin/python3 - "$seed" "$work/snap-v2/state" <<'PY'
import struct, sys, zlib
b = bytearray(open(sys.argv[1], 'rb').read())
b[8:12] = struct.pack('<I', 2)                      # format version 2
b[-4:] = struct.pack('<I', zlib.crc32(bytes(b[:-4])))
open(sys.argv[2], 'wb').write(b)
PY
head -c 3000 "$seed" > "$work/snap-cut/state"
expect 1 "is format version 2; this strata-hv reads version 1 only" --restore "$work/snap-v2"
expect 1 "damaged or truncated" --restore "$work/snap-cut"
expect 1 "holds no finished snapshot (no state file)" --restore "$work/snap-empty"
expect 1 "cannot open snapshot directory $work/none" --restore "$work/none"
cp "$seed" "$work/snap-empty/state" && truncate -s 2M "$work/snap-empty/memory"
expect 1 "the snapshot's guest has 1048576" --restore "$work/snap-empty"
expect 2 "--memory cannot change a restored" --restore "$work/snap-ok" --memory 64
expect 1 "the saved guest has 1 NIC(s); give that many --net, not 2" --restore "$work/snap-ok" \
  --net "vhost-user=$work/a.sock" --net "vhost-user=$work/b.sock"
expect 1 "give --net $work/a.sock a mac= of its own" --restore "$work/snap-ok" --clone --net "vhost-user=$work/a.sock"
expect 1 "cannot connect to vhost-user socket /s" --restore "$work/snap-ok"
expect 1 "expected unix:PATH or tcp:HOST:PORT" --incoming "$work/m.sock"
expect 1 "the port must be 1..65535" --incoming "tcp:127.0.0.1:0"
if [ -e /dev/kvm ]; then
  echo "note: /dev/kvm exists here; the missing-KVM message is not checked"
else
  expect 1 "cannot open /dev/kvm: No such file or directory" --elf "$work/guest.elf" --memory 16
fi
if [ -n "$(ls /boot/vmlinuz-* 2>/dev/null | head -1)" ] && [ -r "$(ls /boot/vmlinuz-* | head -1)" ]; then
  expect 1 "too small for this kernel" --kernel "$(ls /boot/vmlinuz-* | head -1)" --memory 8
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
