#!/usr/bin/env bash
# Writes the man page of one Strata program from its own --help and
# --version (help2man), with the hand-written sections of INCLUDE. With
# --commands, each command's `PROG COMMAND --help` is added too (stratactl,
# strata-dcn-agent), so the page says everything --help says.
# Usage: manpage.sh [--commands] PROG "one-line description" INCLUDE OUT
set -euo pipefail
commands=0
if [ "$1" = --commands ]; then commands=1; shift; fi
prog=$1 description=$2 include=$3 out=$4
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cat "$include" > "$tmp"
if [ $commands -eq 1 ]; then
  printf '[COMMANDS]\n' >> "$tmp"
  for c in $("$prog" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p'); do
    printf '.SS %s\n.nf\n' "$c" >> "$tmp"
    # The global options follow every command's help; the page has them once.
    "$prog" "$c" --help | sed -e '/^Global options/,$d' -e 's/\\/\\e/g' -e 's/^\./\\\&./' >> "$tmp"
    printf '.fi\n' >> "$tmp"
  done
fi
help2man --no-info --section 8 --name "$description" --include "$tmp" --output "$out.tmp" "$prog"
mv "$out.tmp" "$out"
