#!/usr/bin/env bash
# Installs the Debian 12 packages Strata needs, by need, and says what it
# installs and why. Without --for it installs what building and running
# need; each make target asks for the peers its tests use:
#
#   build   compilers, the libraries stratad links, clang for the eBPF object,
#           help2man for the man pages, dpkg-dev and file for `make package`
#   run     what the installed programs run: iproute2 (strata-dcn-agent's ip)
#   test    integration-test peers: namespaces and ping, tshark, scapy,
#           Python gRPC, ovs-ofctl, os-ken, testpmd, QEMU, a guest kernel
#   fuzz    libFuzzer and clang's sanitizer runtimes
#   demo    what scripts/demo.sh uses: ping, tshark, scapy
#   bench   OVS-DPDK and testpmd to measure against, gnuplot
#
# build and run are always included. Then it reserves 2 MiB hugepages when
# the kernel allows it (everything also runs without them).
# Idempotent and quick when everything is present: installed packages are
# checked with dpkg-query first, and apt runs only for what is missing.
# Usage: scripts/install-deps.sh [--for GROUP]... [--no-hugepages] [--list]   (as root)
set -euo pipefail

log() { printf 'install-deps: %s\n' "$*"; }

# One package per word; each group says why it is needed.
declare -A why packages
why[build]="to build Strata"
packages[build]="build-essential cmake ninja-build pkg-config git
  clang llvm
  dpdk-dev libdpdk-dev libnuma-dev libpcap-dev libbpf-dev libxdp-dev linux-libc-dev
  libboost-program-options-dev libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  nlohmann-json3-dev zlib1g-dev catch2 libspdlog-dev libfmt-dev
  help2man dpkg-dev file"
why[run]="to run the programs"
packages[run]="iproute2"
why[test]="for the integration tests' peers (make test)"
packages[test]="iputils-ping procps psmisc tshark tcpdump
  python3 python3-scapy python3-grpcio python3-grpc-tools python3-protobuf
  dpdk openvswitch-common python3-os-ken
  qemu-system-x86 linux-image-amd64 busybox-static cpio kmod"
why[fuzz]="for the libFuzzer targets (make fuzz, and make test's fuzz runs)"
packages[fuzz]="clang lld llvm libclang-rt-14-dev libfuzzer-14-dev"
why[demo]="for the demo (make demo)"
packages[demo]="iputils-ping tshark python3 python3-scapy"
why[bench]="for the benchmarks' peers (make bench)"
packages[bench]="dpdk openvswitch-common openvswitch-switch-dpdk gnuplot-nox python3"
order=(build run test fuzz demo bench)

groups=(build run)
want_hugepages=1
list_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --for)
      [ $# -ge 2 ] && [ -n "${why[$2]+x}" ] || { echo "install-deps.sh: --for needs one of: ${order[*]}" >&2; exit 2; }
      groups+=("$2"); shift ;;
    --no-hugepages) want_hugepages=0 ;;
    --list) list_only=1 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

if [ $list_only -eq 1 ]; then
  for g in "${order[@]}"; do printf '%s (%s):\n  %s\n' "$g" "${why[$g]}" "$(echo ${packages[$g]})"; done
  exit 0
fi

# What is missing, group by group, each package counted once.
declare -A seen
missing=()
for g in "${order[@]}"; do
  [[ " ${groups[*]} " == *" $g "* ]] || continue
  group_missing=()
  for p in ${packages[$g]}; do
    [ -z "${seen[$p]+x}" ] || continue
    seen[$p]=1
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || group_missing+=("$p")
  done
  if [ ${#group_missing[@]} -gt 0 ]; then
    log "${why[$g]}: ${group_missing[*]}"
    missing+=("${group_missing[@]}")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: ${#missing[@]} package(s) missing (above) and not root: run as root" >&2
    exit 1
  fi
  log "installing ${#missing[@]} package(s) with apt-get (with their dependencies; this can take minutes)"
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
  log "apt-get update"
  apt-get update -qq
  # apt's own progress lines (Unpacking, Setting up) say what is happening.
  apt-get install -y -q --no-install-recommends "${missing[@]}" |
    grep --line-buffered -E '^(Unpacking|Setting up) ' | sed -u 's/^/install-deps:   /' || true
  still=()
  for p in "${missing[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || still+=("$p")
  done
  [ ${#still[@]} -eq 0 ] || { echo "install-deps: apt-get did not install: ${still[*]}" >&2; exit 1; }
  log "packages installed"
else
  log "all packages present for: ${groups[*]}"
fi

# Hugepages: DPDK is ~2.5x faster on 2 MiB pages here than on 4 KiB pages,
# but every Strata program also runs without them (--no-huge fallback).
if [ $want_hugepages -eq 1 ] && [ "$(id -u)" -eq 0 ]; then
  target=${STRATA_HUGEPAGES:-1024}   # 2 GiB of 2 MiB pages
  nr=/proc/sys/vm/nr_hugepages
  if [ -w "$nr" ]; then
    cur=$(cat "$nr")
    if [ "$cur" -lt "$target" ]; then
      log "hugepages: reserving $target x 2 MiB for DPDK (STRATA_HUGEPAGES=N to change, --no-hugepages to skip)"
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
