#!/usr/bin/env bash
# build_initramfs.sh BUILD_DIR KERNEL_VERSION OUT.cpio.gz
#
# The L1 root filesystem for the nested tests: busybox, the KVM modules of
# Debian's kernel, strata-hv and the test guest, the vhost-user backends the
# scenarios use (dpdk-testpmd with its net_vhost and mempool PMDs), every
# library `ldd` names for them, and the scripts in this folder. The
# building blocks are tests/qemu/initramfs.sh, shared with the other tests
# that boot Debian's kernel in QEMU.
set -euo pipefail
build=$1 kver=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../qemu/initramfs.sh"
mods=/lib/modules/$kver/kernel
pmds=$(ls -d /usr/lib/x86_64-linux-gnu/dpdk/pmds-* 2>/dev/null | head -1)

need() { [ -e "$1" ] || { echo "build_initramfs: missing $1 ($2)" >&2; exit 1; }; }
need "$mods/arch/x86/kvm/kvm-amd.ko" "apt-get install linux-image-amd64"
need "$build/bin/strata-hv" "build the strata-hv target"
need "$build/bin/strata-hv-test-guest" "build the strata-hv-test-guest target"

root=$(initramfs_new)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/nested/{bin,pmds}
copy_libs() { initramfs_copy_libs "$root" "$@"; }

# Our programs, without debug info (it is most of their size).
initramfs_add_program "$root" "$build/bin/strata-hv" /nested/bin/strata-hv strip
[ -x "$build/bin/strata-hv-remote" ] && initramfs_add_program "$root" "$build/bin/strata-hv-remote" /nested/bin/strata-hv-remote strip
cp "$build/bin/strata-hv-test-guest" "$root/nested/bin/"

# The backend: testpmd with exactly the two plugins it needs.
if [ -n "$pmds" ] && [ -x /usr/bin/dpdk-testpmd ]; then
  cp /usr/bin/dpdk-testpmd "$root/nested/bin/"
  for p in librte_net_vhost librte_mempool_ring; do
    cp -L "$pmds/$p.so" "$root/nested/pmds/$p.so"
    copy_libs "$pmds/$p.so"
  done
  copy_libs /usr/bin/dpdk-testpmd
fi
# stratad and stratactl, when built. stratad's EAL loads its drivers as
# plugins from DPDK's own plugin directory: the ones it needs go there
# (net_pcap drives afpacket ports: migrate_hosts' trunk).
if [ -x "$build/bin/stratad" ]; then
  initramfs_add_program "$root" "$build/bin/stratad" /nested/bin/stratad strip
  [ -x "$build/bin/stratactl" ] && initramfs_add_program "$root" "$build/bin/stratactl" /nested/bin/stratactl strip
  if [ -n "$pmds" ]; then
    mkdir -p "$root$pmds"
    for p in librte_net_vhost librte_mempool_ring librte_net_pcap; do
      cp -L "$pmds/$p.so" "$root$pmds/$p.so"
      copy_libs "$pmds/$p.so"
    done
  fi
fi

# iproute2's ip (busybox's has no `ip netns`): the migrate_hosts scenario
# makes two "hosts" as network namespaces joined by veth (the module is
# loaded with KVM's below).
if [ -x /usr/bin/ip ] || [ -x /sbin/ip ]; then
  ipbin=$(command -v /usr/bin/ip /sbin/ip | head -1)
  cp "$ipbin" "$root/nested/bin/ip"
  copy_libs "$ipbin"
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
  l2=$(initramfs_new)
  mkdir -p "$root/nested/l2"
  install -m 0755 "$here/l2_linux_init.sh" "$l2/init"
  initramfs_pack "$l2" "$root/nested/l2/initrd.gz"
  rm -rf "$l2"
  cp "$kernel" "$root/nested/l2/vmlinuz"
fi

# KVM for AMD SVM, which QEMU's TCG emulates (docs/machine-facts.md), with what
# it needs (irqbypass, kvm, ccp) in load order, from modules.dep.
initramfs_add_modules "$root" "$kver" /nested/modules kvm-amd veth

mkdir -p "$root/qemu"
cp "$here/../qemu/guest_lib.sh" "$root/qemu/"
cp "$here/l1_init.sh" "$root/init"
cp "$here/lib.sh" "$here/stratad_lib.sh" "$here/paced_lib.sh" "$root/nested/"
cp "$here"/scenarios/*.sh "$root/nested/"
mkdir -p "$root/nested/backends"
cp "$here"/backends/*.sh "$root/nested/backends/"
chmod 0755 "$root/init" "$root"/nested/*.sh

initramfs_pack "$root" "$out"
