#!/bin/bash
# make bench: Strata vs OVS-DPDK 3.1 vs testpmd io-forward, every scenario
# of bench/README.md. `bench/run.sh --quick` is the CI version (CTest label
# bench); `bench/run.sh --help` lists the options.
# Debian's python3 (not a pyenv one on PATH): the standard library is all
# it needs, and it is always there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
[ -x "$py" ] || py=python3
exec "$py" "$here/bench.py" "$@"
