#!/usr/bin/env bash
# `make install` as it runs it (cmake --install with --prefix and DESTDIR):
# everything lands under DESTDIR, the units name the prefix's programs, the
# configuration goes to PREFIX/etc/strata (to /etc only for PREFIX=/usr),
# and an edited configuration survives a second install.
# Usage: destdir_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
tmp=$(mktemp -d /tmp/strata-destdir-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for prefix in /usr/local /usr; do
  stage=$tmp/stage${prefix//\//_}
  DESTDIR=$stage cmake --install "$build" --prefix "$prefix" > "$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; fail "cmake --install --prefix $prefix"; }
  if [ "$prefix" = /usr ]; then etc=/etc; else etc=$prefix/etc; fi
  for f in $prefix/bin/stratad $prefix/bin/stratactl $prefix/bin/strata-hv $prefix/bin/strata-dcn-agent \
           $prefix/lib/systemd/system/stratad.service $prefix/lib/systemd/system/strata-dcn-agent.service \
           $prefix/share/man/man8/stratad.8 $prefix/share/bash-completion/completions/stratactl \
           $etc/strata/stratad.conf; do
    [ -e "$stage$f" ] || fail "PREFIX=$prefix: $f not installed"
  done
  grep -qx "ExecStart=$prefix/bin/stratad --config $etc/strata/stratad.conf \$STRATAD_OPTIONS" \
    "$stage$prefix/lib/systemd/system/stratad.service" || fail "PREFIX=$prefix: stratad.service ExecStart"
  outside=$(cd "$stage" && find . -type f | grep -v -e "^\.$prefix/" -e "^\.$etc/strata/" || true)
  [ -z "$outside" ] || fail "PREFIX=$prefix: installed outside PREFIX and $etc/strata: $outside"
  echo "PREFIX=$prefix: $(cd "$stage" && find . -type f | wc -l) files"
done

echo '# edited' >> "$tmp/stage_usr/etc/strata/stratad.conf"
DESTDIR=$tmp/stage_usr cmake --install "$build" --prefix /usr > "$tmp/install.log" 2>&1 || fail "second install"
grep -q '^# edited' "$tmp/stage_usr/etc/strata/stratad.conf" || fail "a second install overwrote the edited stratad.conf"
echo PASS
