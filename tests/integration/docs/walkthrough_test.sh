#!/usr/bin/env bash
# Runs a walkthrough in docs/ the way a reader would: every ```sh block in
# order, with the built programs first on PATH, as one bash script with
# errexit. A line that starts with "! " must fail (bash's errexit ignores
# a negated command, so such lines become explicit checks). The blocks
# under "## Clean up" run at the end whatever happened. Then nothing the
# walkthrough started may be left: no process in its session, no new
# network namespace or interface.
# Usage: walkthrough_test.sh BUILD_DIR DOC.md [--needs COMMAND]...   (77 = cannot run here)
# (WALKTHROUGH_TIMEOUT: seconds for the whole walkthrough, default 240)
set -uo pipefail
build=$(cd "$1" && pwd)
doc=$2
shift 2
while [ $# -gt 0 ]; do
  [ "$1" = --needs ] || { echo "usage: walkthrough_test.sh BUILD_DIR DOC.md [--needs COMMAND]..." >&2; exit 2; }
  command -v "$2" > /dev/null || { echo "SKIP: $2 is not installed (scripts/install-deps.sh --for test)"; exit 77; }
  shift 2
done
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for p in stratad stratactl strata-dcn-agent; do
  [ -x "$build/bin/$p" ] || { echo "FAIL: build $p in $build first"; exit 1; }
done

tmp=$(mktemp -d /tmp/strata-walkthrough-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# main.sh and cleanup.sh from the blocks; each main block announced.
awk -v doc="$(basename "$doc")" -v main="$tmp/main.sh" -v cleanup="$tmp/cleanup.sh" '
  /^## / { in_cleanup = ($0 == "## Clean up"); heading = substr($0, 4); gsub(/["$`\\]/, "", heading) }
  /^```sh$/ { inblock = 1; n++; announce = !in_cleanup; next }
  /^```$/ && inblock { inblock = 0; next }
  inblock {
    out = in_cleanup ? cleanup : main
    if (announce) { printf "echo \"== %s, block %d (%s)\"\n", doc, n, heading > out; announce = 0 }
    if ($0 ~ /^! /) {
      printf "if %s; then echo \"FAIL: %s line %d must fail\" >&2; exit 1; fi\n", substr($0, 3), doc, NR > out
    } else {
      print > out
    }
  }' "$doc"
[ -s "$tmp/main.sh" ] && [ -s "$tmp/cleanup.sh" ] || { echo "FAIL: $doc has no sh blocks or no '## Clean up'"; exit 1; }
{
  echo "ps -o sid= -p \$\$ | tr -d ' ' > $tmp/sid"
  echo "set -eo pipefail"
  echo "trap 'set +e; echo \"== clean up\"; source $tmp/cleanup.sh' EXIT"
  echo "trap 'exit 143' TERM INT"
  cat "$tmp/main.sh"
} > "$tmp/walk.sh"

netns_before=$(ip netns list | awk '{print $1}' | sort)
links_before=$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort)
start=$(date +%s)
# A session of its own, so whatever it leaves running can be found; a
# step that waits forever is ended after WALKTHROUGH_TIMEOUT seconds (the
# clean-up still runs: SIGTERM ends the script through its EXIT trap).
PATH=$build/bin:$PATH setsid --wait timeout --kill-after=20 "${WALKTHROUGH_TIMEOUT:-240}" bash "$tmp/walk.sh" < /dev/null
rc=$?
echo "== $(basename "$doc"): exit $rc after $(( $(date +%s) - start )) s"

left=""
if [ -s "$tmp/sid" ]; then
  for pid in $(pgrep -s "$(cat "$tmp/sid")"); do
    left+=" $pid($(cat /proc/$pid/comm 2>/dev/null))"
    kill -9 "$pid" 2>/dev/null
  done
fi
[ -z "$left" ] || { echo "FAIL: processes left by the walkthrough (killed):$left"; rc=1; }
new_netns=$(comm -13 <(echo "$netns_before") <(ip netns list | awk '{print $1}' | sort))
[ -z "$new_netns" ] || { echo "FAIL: network namespaces left: $new_netns"; rc=1; }
new_links=$(comm -13 <(echo "$links_before") <(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort))
[ -z "$new_links" ] || { echo "FAIL: interfaces left: $new_links"; rc=1; }
[ $rc -eq 0 ] && echo "PASS: $(basename "$doc")" || echo "FAIL: $(basename "$doc")"
exit $rc
