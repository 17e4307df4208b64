#!/usr/bin/env bash
# build_initramfs.sh BUILD_DIR KERNEL_VERSION OUT.cpio.gz
#
# The L1 root filesystem for the nested tests: busybox, the KVM modules of
# Debian's kernel, strata-hv and the test guest, the vhost-user backends the
# scenarios use (dpdk-testpmd with its net_vhost and mempool PMDs), every
# library `ldd` names for them, and the scripts in this folder.
set -euo pipefail
build=$1 kver=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
mods=/lib/modules/$kver/kernel
pmds=$(ls -d /usr/lib/x86_64-linux-gnu/dpdk/pmds-* 2>/dev/null | head -1)

need() { [ -e "$1" ] || { echo "build_initramfs: missing $1 ($2)" >&2; exit 1; }; }
need /bin/busybox "apt-get install busybox-static"
need "$mods/arch/x86/kvm/kvm-amd.ko" "apt-get install linux-image-amd64"
need "$build/bin/strata-hv" "build the strata-hv target"
need "$build/bin/strata-hv-test-guest" "build the strata-hv-test-guest target"

root=$(mktemp -d /tmp/strata-initramfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,var/run,etc,nested/bin,nested/modules,nested/pmds}
cp /bin/busybox "$root/bin/busybox"

# Copies each ELF file's libraries (as ldd resolves them) to the same paths.
copy_libs() {
  local f lib
  for f in "$@"; do
    ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' |
      while read -r lib; do
        [ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
      done
  done
}

# Our programs, without debug info (it is most of their size).
strip -o "$root/nested/bin/strata-hv" "$build/bin/strata-hv"
cp "$build/bin/strata-hv-test-guest" "$root/nested/bin/"
copy_libs "$build/bin/strata-hv"

# The backend: testpmd with exactly the two plugins it needs.
if [ -n "$pmds" ] && [ -x /usr/bin/dpdk-testpmd ]; then
  cp /usr/bin/dpdk-testpmd "$root/nested/bin/"
  for p in librte_net_vhost librte_mempool_ring; do
    cp -L "$pmds/$p.so" "$root/nested/pmds/$p.so"
    copy_libs "$pmds/$p.so"
  done
  copy_libs /usr/bin/dpdk-testpmd
fi
# stratad, once it exists, comes along the same way.
if [ -x "$build/bin/stratad" ]; then
  strip -o "$root/nested/bin/stratad" "$build/bin/stratad"
  copy_libs "$build/bin/stratad"
  [ -x "$build/bin/stratactl" ] && strip -o "$root/nested/bin/stratactl" "$build/bin/stratactl" && copy_libs "$build/bin/stratactl"
fi

# Extra programs for debugging a scenario by hand: STRATA_NESTED_EXTRA="FILE...".
for f in ${STRATA_NESTED_EXTRA:-}; do
  cp "$f" "$root/nested/bin/"
  copy_libs "$f"
done

# An L2 Linux (scenarios linux_*): Debian's kernel and a busybox initramfs.
if [ "${STRATA_NESTED_L2_LINUX:-0}" = 1 ]; then
  kernel=/boot/vmlinuz-$kver
  need "$kernel" "apt-get install linux-image-amd64"
  l2=$(mktemp -d /tmp/strata-l2-initramfs.XXXXXX)
  mkdir -p "$l2"/{bin,proc,sys,dev} "$root/nested/l2"
  cp /bin/busybox "$l2/bin/busybox"
  cp "$here/l2_linux_init.sh" "$l2/init"
  chmod 0755 "$l2/init"
  (cd "$l2" && find . | cpio -o -H newc --quiet | gzip -1) > "$root/nested/l2/initrd.gz"
  rm -rf "$l2"
  cp "$kernel" "$root/nested/l2/vmlinuz"
fi

# KVM for AMD SVM, which QEMU's TCG emulates (MACHINE-FACTS.md), in load order.
for m in virt/lib/irqbypass arch/x86/kvm/kvm drivers/crypto/ccp/ccp arch/x86/kvm/kvm-amd; do
  cp "$mods/$m.ko" "$root/nested/modules/"
done

cp "$here/l1_init.sh" "$root/init"
cp "$here/lib.sh" "$root/nested/"
cp "$here"/scenarios/*.sh "$root/nested/"
mkdir -p "$root/nested/backends"
cp "$here"/backends/*.sh "$root/nested/backends/"
chmod 0755 "$root/init" "$root"/nested/*.sh

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
