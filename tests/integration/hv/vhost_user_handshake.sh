#!/usr/bin/env bash
# vhost_user_handshake.sh STRATA_HV TEST_GUEST: strata-hv opens a vhost-user
# session with a real backend (DPDK testpmd's net_vhost) on this host. Without
# /dev/kvm the shim stops at "cannot open /dev/kvm", which it reaches only
# after the backend answered GET_FEATURES, GET_PROTOCOL_FEATURES and SET_OWNER;
# with /dev/kvm the guest runs and exits 0.
set -uo pipefail
hv=$1 guest=$2
command -v dpdk-testpmd >/dev/null || { echo "SKIP: dpdk-testpmd not installed"; exit 77; }
work=$(mktemp -d /tmp/strata-hv-vu.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"; sleep 1; kill -9 "$pid" 2>/dev/null
  fi
  rm -rf "$work" "/var/run/dpdk/strata-hv-vu-$$"  # EAL runtime dir of our --file-prefix
}
trap cleanup EXIT

# One net_vhost port; testpmd exits when its stdin closes, so hold it open.
mkfifo "$work/in"
dpdk-testpmd --lcores=0@0,1@0 --no-huge -m 128 --no-pci --file-prefix="strata-hv-vu-$$" \
  --log-level=lib.vhost.config:info \
  --vdev "net_vhost0,iface=$work/vu.sock,queues=1" -- -i --total-num-mbufs=2048 \
  < "$work/in" > "$work/testpmd.log" 2>&1 &
pid=$!
exec 3>"$work/in"
for _ in $(seq 100); do [ -S "$work/vu.sock" ] && break; sleep 0.1; done
[ -S "$work/vu.sock" ] || { echo "FAIL: testpmd did not create its socket"; cat "$work/testpmd.log"; exit 1; }

out=$("$hv" --elf "$guest" --memory 16 --net "vhost-user=$work/vu.sock,mac=02:00:00:00:00:01" \
  --cmdline "strata.linger_ms=0" 2>&1)
rc=$?
echo "$out"
echo quit >&3
exec 3>&-
sleep 1
grep -i 'vhost' "$work/testpmd.log" | head -20
if [ -e /dev/kvm ]; then
  [ $rc -eq 0 ] || { echo "FAIL: guest exited $rc"; exit 1; }
else
  grep -q "cannot open /dev/kvm" <<<"$out" || { echo "FAIL: strata-hv did not get past the vhost-user opening"; exit 1; }
fi
grep -qi 'new vhost user connection\|new device' "$work/testpmd.log" || { echo "FAIL: testpmd saw no connection"; exit 1; }
echo "PASS: vhost-user opening against testpmd"
