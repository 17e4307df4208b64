#!/usr/bin/env bash
# The man pages (build/man, made from --help by packaging/manpage.sh) say
# what the programs' --help says: every option each program (and each
# stratactl / strata-dcn-agent command) prints is on its page, every
# command has a section, the page renders without groff warnings, and it
# carries the program's --version.
# Usage: man_pages_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
tmp=$(mktemp -d /tmp/strata-man-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

commands_of() { "$1" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p'; }

for p in stratad stratactl strata-hv strata-dcn-agent; do
  exe=$build/bin/$p
  page=$build/man/$p.8
  [ -f "$page" ] || fail "$page is missing (target man_pages)"
  MANWIDTH=200 man --warnings -P cat -l "$page" > "$tmp/page" 2> "$tmp/err" || fail "man -l $page"
  [ ! -s "$tmp/err" ] || { cat "$tmp/err"; fail "$p.8: groff warnings"; }
  "$exe" --help > "$tmp/help"
  commands=$(commands_of "$exe" || true)
  for c in $commands; do
    grep -Eq "^   $c\b" "$tmp/page" || fail "$p.8 has no section for the command $c"
    "$exe" "$c" --help >> "$tmp/help"
  done
  n=0
  for opt in $(grep -o -- '--[a-z][a-z0-9-]*' "$tmp/help" | sort -u); do
    grep -q -- "$opt" "$tmp/page" || fail "$p.8 does not mention $opt, which --help does"
    n=$((n + 1))
  done
  version=$("$exe" --version | head -1 | cut -d' ' -f2)
  grep -q -- "$version" "$tmp/page" || fail "$p.8 is not of version $version"
  echo "$p.8: $n options, $(wc -w <<<"$commands") commands, version $version"
done
echo PASS
