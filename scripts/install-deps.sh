#!/usr/bin/env bash
# Installs every Debian 12 package that Strata's build, tests, demo and
# benchmarks need, then reserves 2 MiB hugepages when the kernel allows it.
#
# Idempotent and quick when everything is present: installed packages are
# checked with dpkg-query first, and apt runs only for what is missing.
# Usage: scripts/install-deps.sh [--no-hugepages]   (as root)
set -euo pipefail

want_hugepages=1
for arg in "$@"; do
  case "$arg" in
    --no-hugepages) want_hugepages=0 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

log() { printf 'install-deps: %s\n' "$*"; }

# Grouped by what needs them; one package per word.
packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang lld llvm
  libclang-rt-14-dev libfuzzer-14-dev
  # libraries the build links
  dpdk dpdk-dev libdpdk-dev libnuma-dev libpcap-dev
  libbpf-dev libxdp-dev bpftool xdp-tools linux-libc-dev
  libboost-program-options-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  nlohmann-json3-dev zlib1g-dev
  catch2 libspdlog-dev libfmt-dev
  # integration tests and the demo: namespaces, tagged peers, dissectors
  iproute2 iputils-ping procps psmisc tshark tcpdump
  python3 python3-scapy python3-grpcio python3-grpc-tools python3-protobuf
  # OpenFlow peers: ovs-ofctl and the OVS-DPDK benchmark peer, os-ken apps
  openvswitch-common openvswitch-switch-dpdk python3-os-ken
  # nested guests: QEMU (TCG), a kernel with kvm-amd and 8021q, initramfs tools
  qemu-system-x86 linux-image-amd64 busybox-static cpio kmod
  # benchmark plots
  gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages (${missing[*]}) and not root: run as root" >&2
    exit 1
  fi
  log "installing ${#missing[@]} package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Package scripts must not start services here (ovs-vswitchd, ...): the
  # tests start their own private instances. policy-rc.d exit 101 = "deny".
  policy=/usr/sbin/policy-rc.d
  placed_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 0755 "$policy"
    placed_policy=1
  fi
  trap '[ $placed_policy -eq 1 ] && rm -f "$policy"' EXIT
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "packages installed"
else
  log "all ${#packages[@]} packages present"
fi

# Hugepages: DPDK is ~2.5x faster on 2 MiB pages here than on 4 KiB pages,
# but every Strata program also runs without them (--no-huge fallback).
if [ $want_hugepages -eq 1 ] && [ "$(id -u)" -eq 0 ]; then
  target=${STRATA_HUGEPAGES:-1024}   # 2 GiB of 2 MiB pages
  nr=/proc/sys/vm/nr_hugepages
  if [ -w "$nr" ]; then
    cur=$(cat "$nr")
    if [ "$cur" -lt "$target" ]; then
      echo "$target" > "$nr" 2>/dev/null || true
      cur=$(cat "$nr")
    fi
    if ! mountpoint -q /dev/hugepages 2>/dev/null; then
      mkdir -p /dev/hugepages
      mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages 2>/dev/null || true
    fi
    if [ "$cur" -gt 0 ] && mountpoint -q /dev/hugepages; then
      log "hugepages: $cur x 2 MiB reserved, hugetlbfs on /dev/hugepages"
    else
      log "hugepages: could not reserve ($cur pages); DPDK programs will run with --no-huge"
    fi
  else
    log "hugepages: $nr not writable; DPDK programs will run with --no-huge"
  fi
fi
