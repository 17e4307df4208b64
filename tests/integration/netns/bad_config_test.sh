#!/usr/bin/env bash
# stratad refuses a bad --config with one clear line naming the field and a
# non-zero exit, before starting anything (no DPDK files, no devices).
# usage: bad_config_test.sh BUILD_DIR
set -uo pipefail
source "$(dirname "$0")/stratad_args.sh"
stratad=${1:-build}/bin/stratad
work=$(mktemp -d /tmp/strata-badconf.XXXXXX)
mapfile -t private < <(private_stratad_args "$stratad" "$work")
trap 'rm -rf "$work"' EXIT
fail=0

case_() {  # case_ NAME EXPECTED-SUBSTRING CONFIG-TEXT
  local name=$1 want=$2
  printf '%s\n' "$3" > "$work/c.conf"
  rm -f "$work/conf.db"
  out=$("$stratad" "${private[@]}" --config "$work/c.conf" --file-prefix "bc$$" 2>&1)
  rc=$?
  lines=$(printf '%s\n' "$out" | grep -c .)
  if [ $rc -ne 0 ] && [ "$lines" -eq 1 ] && [[ "$out" == *"$want"* ]]; then
    printf '  ok    %-28s %s\n' "$name" "$out"
  else
    printf '  FAIL  %-28s rc=%s lines=%s: %s\n' "$name" "$rc" "$lines" "$out"
    fail=1
  fi
}

case_ "vid out of range" "bridges[0].ports[0].access.stack.tags[1].vid: 4096 is out of range" \
  'bridges { name: "br0" ports { name: "p" type: "null" access { stack { tags { tpid: 0x88a8 vid: 1 } tags { vid: 4096 } } } } }'
case_ "unknown TPID" "bridges[0].ports[0].access.stack.tags[0].tpid: 0x1234 is not a recognised TPID" \
  'bridges { name: "br0" ports { name: "p" type: "null" access { stack { tags { tpid: 0x1234 vid: 1 } } } } }'
case_ "pcp out of range" "pcp: 9 is out of range 0..7" \
  'bridges { name: "br0" ports { name: "p" type: "null" access { stack { tags { vid: 1 pcp: 9 } } } } }'
case_ "unknown port type" "bridges[0].ports[1].type: unknown port type 'bogus'" \
  'bridges { name: "br0" ports { name: "p" type: "null" } ports { name: "q" type: "bogus" } }'
case_ "duplicate port" "bridges[1].ports[0].name: port 'p' is defined twice" \
  'bridges { name: "a" ports { name: "p" type: "null" } } bridges { name: "b" ports { name: "p" type: "null" } }'
case_ "duplicate ofport" "ofport: 5 is used twice" \
  'bridges { name: "a" ports { name: "p" type: "null" ofport: 5 } ports { name: "q" type: "null" ofport: 5 } }'
case_ "nine tags" "at most 8" \
  'bridges { name: "a" ports { name: "p" type: "null" access { stack { tags { vid: 1 } tags { vid: 2 } tags { vid: 3 } tags { vid: 4 } tags { vid: 5 } tags { vid: 6 } tags { vid: 7 } tags { vid: 8 } tags { vid: 9 } } } } }'
case_ "wildcard on access" "any_vid: a wildcard VID is allowed in trunk stacks only" \
  'bridges { name: "a" ports { name: "p" type: "null" access { stack { tags { any_vid: true } } } } }'
case_ "syntax error" "line 1, column" 'bridges { name: "a" ports { nme: "p" } }'
rm -f "$work/c.conf"
out=$("$stratad" "${private[@]}" --config "$work/nonexistent.conf" 2>&1); rc=$?
if [ $rc -ne 0 ] && [[ "$out" == *"cannot read config file"* ]]; then echo "  ok    missing file"; else echo "  FAIL  missing file: $out"; fail=1; fi
# A driver-level error (here: a missing pcap file) is found when the port is
# created; the daemon still exits non-zero with the port and field named.
rm -f "$work/conf.db"
printf '%s\n' 'bridges { name: "a" ports { name: "src" type: "pcap" options { key: "rx" value: "/nonexistent.pcap" } } }' > "$work/c.conf"
out=$("$stratad" "${private[@]}" --config "$work/c.conf" --file-prefix "bc$$" --no-huge --memory 128 --mbufs 1023 2>&1 | grep -v '^20..-'); rc=${PIPESTATUS[0]}
if [ $rc -ne 0 ] && [[ "$out" == *"port 'src': rx file '/nonexistent.pcap' does not exist"* ]]; then
  echo "  ok    driver error at start: $out"
else
  echo "  FAIL  driver error at start (rc=$rc): $out"; fail=1
fi
exit $fail
