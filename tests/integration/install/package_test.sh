#!/usr/bin/env bash
# The Debian package as a user gets it: built by CPack from the build tree,
# its dependencies resolvable by apt on this Debian 12 machine, installed
# with dpkg into a private root (nothing touches the machine's /usr or /etc),
# then the installed programs, units, man pages and completion are checked,
# and the package is purged. Everything is under one temp dir, removed on
# any exit.
# Usage: package_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
tmp=$(mktemp -d /tmp/strata-install-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "cpack -G DEB"
cpack -G DEB -B "$tmp/pkg" --config "$build/CPackConfig.cmake" > "$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; fail "cpack"; }
deb=$(ls "$tmp"/pkg/strata_*_amd64.deb)
echo "$(basename "$deb"): $(du -h "$deb" | cut -f1)"

step "control: dependencies from dpkg-shlibdeps, conffiles"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in librte-eal librte-net-vhost librte-net-af-xdp librte-net-pcap librte-mempool-ring libgrpc libprotobuf libbpf libboost-program-options iproute2; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done
dpkg-deb -e "$deb" "$tmp/control"
diff <(sort "$tmp/control/conffiles") <(printf '/etc/strata/dcn-agent.env\n/etc/strata/stratad.conf\n/etc/strata/stratad.env\n') ||
  fail "conffiles"
for script in preinst postinst prerm postrm; do
  [ ! -e "$tmp/control/$script" ] || fail "the package has a $script (it must enable or start nothing)"
done

step "apt resolves it here (simulated apt-get install ./strata_*.deb)"
apt-get install --simulate "$deb" > "$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "apt-get install --simulate"; }
grep -q '^Inst strata ' "$tmp/apt.log" || { cat "$tmp/apt.log"; fail "apt would not install strata"; }

step "dpkg --root: install into $root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
# Its dependencies are this machine's libraries, not the private root's.
dpkg --root="$root" --force-depends --log=/dev/null -i "$deb" > "$tmp/dpkg.log" 2>&1 ||
  { cat "$tmp/dpkg.log"; fail "dpkg -i"; }

step "the installed programs run"
"$root/usr/bin/stratad" --version | tee "$tmp/version"
grep -Eq '^stratad [0-9]+\.[0-9]+\.[0-9]+' "$tmp/version" || fail "stratad --version: no version"
grep -q '^DPDK ' "$tmp/version" || fail "stratad --version: no DPDK version"
"$root/usr/bin/stratactl" --help > "$tmp/help"
grep -q '^  add-port ' "$tmp/help" || fail "stratactl --help lists no add-port"
for p in stratactl strata-hv strata-dcn-agent; do
  "$root/usr/bin/$p" --version | grep -Eq "^$p [0-9]" || fail "$p --version"
done
"$root/usr/bin/stratactl" add-port --help > "$tmp/add-port"
for type in vhostuser vhostuserclient virtio-user afxdp afpacket tap pcap ring null; do
  grep -Eq "^  $type " "$tmp/add-port" || fail "stratactl add-port --help does not list $type"
done

step "units: ExecStart binaries exist, systemd-analyze verify"
units=("$root"/usr/lib/systemd/system/*.service)
[ ${#units[@]} -eq 2 ] || fail "expected 2 units, got ${units[*]}"
for unit in "${units[@]}"; do
  grep -q '^ExecReload' "$unit" && fail "$(basename "$unit") has an ExecReload stratad cannot honour"
  while read -r exe; do
    [ -x "$root$exe" ] || fail "$(basename "$unit"): ExecStart $exe is not installed"
    echo "$(basename "$unit"): $exe installed"
  done < <(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
  env_file=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$unit")
  [ -f "$root$env_file" ] || fail "$(basename "$unit"): EnvironmentFile $env_file is not installed"
done
grep -q '^RuntimeDirectory=strata$' "$root/usr/lib/systemd/system/stratad.service" || fail "RuntimeDirectory"
# systemd-analyze verify checks that the programs and man pages exist on
# this machine: it verifies copies whose /usr/bin and /etc/strata paths
# point into the private root, with MANPATH there too. (--root would want
# the root to hold systemd's own units.)
mkdir -p "$tmp/verify"
for unit in "${units[@]}"; do
  sed -e "s#=/usr/bin/#=$root/usr/bin/#g" -e "s#/etc/strata/#$root/etc/strata/#g" "$unit" > "$tmp/verify/$(basename "$unit")"
done
MANPATH=$root/usr/share/man systemd-analyze verify "$tmp"/verify/*.service > "$tmp/verify.log" 2>&1 ||
  { cat "$tmp/verify.log"; fail "systemd-analyze verify failed"; }
[ ! -s "$tmp/verify.log" ] || { cat "$tmp/verify.log"; fail "systemd-analyze verify complained"; }
echo "systemd-analyze verify: $(cd "$tmp/verify" && echo *.service) accepted"

step "man pages render"
for p in stratad stratactl strata-hv strata-dcn-agent; do
  page=$root/usr/share/man/man8/$p.8
  [ -f "$page" ] || page=$page.gz
  MANWIDTH=80 man -P cat -l "$page" > "$tmp/$p.txt" 2> "$tmp/$p.err" || { cat "$tmp/$p.err"; fail "man -l $p"; }
  [ ! -s "$tmp/$p.err" ] || { cat "$tmp/$p.err"; fail "man -l $p: warnings"; }
  grep -q -- '--version' "$tmp/$p.txt" || fail "$p.8 does not mention --version"
  echo "$p.8: $(wc -l < "$tmp/$p.txt") lines"
done

step "bash completion"
completion=$root/usr/share/bash-completion/completions/stratactl
PATH=$root/usr/bin:$PATH bash -c '
  source "$1"
  COMP_WORDS=(stratactl add-p); COMP_CWORD=1; _stratactl
  [ "${COMPREPLY[*]}" = add-port ] || { echo "completed add-p to: ${COMPREPLY[*]}"; exit 1; }
  COMP_WORDS=(stratactl add-port br0 p1 --type vhostuserc); COMP_CWORD=5; _stratactl
  [ "${COMPREPLY[*]}" = vhostuserclient ] || { echo "completed --type vhostuserc to: ${COMPREPLY[*]}"; exit 1; }
' _ "$completion" || fail "bash completion"

step "the rest of the payload"
for f in usr/lib/strata/bpf/container_tag.bpf.o usr/share/strata/proto/strata/v1/config.proto \
         usr/share/strata/proto/strata/v1/management.proto usr/share/strata/proto/strata/v1/flows.proto \
         usr/share/doc/strata/LICENSE usr/share/doc/strata/CHANGELOG.md usr/share/doc/strata/docs/DESIGN.md \
         etc/strata/stratad.conf etc/strata/stratad.env etc/strata/dcn-agent.env; do
  [ -f "$root/$f" ] || fail "/$f is not installed"
done

step "the installed stratad runs on the installed default configuration"
"$root/usr/bin/stratad" --config "$root/etc/strata/stratad.conf" --no-db --no-huge --memory 256 --mbufs 8191 \
  --file-prefix "strata-install-$$" --mgmt "unix:$tmp/stratad.sock" --guest-dir "$tmp/guests" \
  > "$tmp/stratad.log" 2>&1 &
stratad_pid=$!
trap 'kill -TERM $stratad_pid 2>/dev/null || true; wait $stratad_pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 300); do
  grep -q 'running:' "$tmp/stratad.log" && break
  kill -0 $stratad_pid 2>/dev/null || break
  sleep 0.1
done
grep -q 'running:' "$tmp/stratad.log" || { cat "$tmp/stratad.log"; fail "stratad did not start"; }
bridges=$("$root/usr/bin/stratactl" --mgmt "unix:$tmp/stratad.sock" list-br)
[ "$bridges" = br0 ] || fail "the default configuration's bridges: '$bridges', expected br0"
kill -TERM $stratad_pid
wait $stratad_pid || fail "stratad did not stop cleanly on SIGTERM"
trap 'rm -rf "$tmp"' EXIT

step "dpkg --purge leaves nothing of the package"
dpkg --root="$root" --log=/dev/null --purge strata > "$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log"; fail "dpkg --purge"; }
left=$(cd "$root" && find . -path ./var/lib/dpkg -prune -o -type f -print)
[ -z "$left" ] || fail "left after purge: $left"
echo "PASS"
exit 0
