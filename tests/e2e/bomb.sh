#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One bomb mode of scripts/fork_bomb.sh under the tool: an alert must name
# the bomb's root, in the console JSON and in metrics.log.
. "$(dirname "$0")/lib.sh"
need_root
mode=${1:?mode}
extra=()
[ "$mode" = threads ] && extra=(--threads)

start_tool -l "$WORK/metrics.log" "${extra[@]}"
"$SRC/scripts/fork_bomb.sh" "$mode" -t 3 -m 1024 -b "$BOMB" > "$WORK/bomb.txt" 2>&1 ||
	fail "fork_bomb.sh failed"
stop_tool

root=$(awk '/ root / { for (i = 1; i < NF; i++) if ($i == "root") print $(i + 1); exit }' "$WORK/bomb.txt")
start=$(awk '/ root / { for (i = 1; i < NF; i++) if ($i == "start") print $(i + 1); exit }' "$WORK/bomb.txt")
[ -n "$root" ] || fail "fork_bomb.sh did not report its root"
grep -q "all cleaned up" "$WORK/bomb.txt" || fail "fork_bomb.sh did not clean up"

if [ "$mode" = threads ]; then
	first=$(alerts | jq -c --argjson r "$root" 'select(.kind == "threads" and .tgid == $r)' | head -1)
else
	first=$(alerts | jq -c --argjson r "$root" 'select((.kind == "tree" or .kind == "process") and .root.pid == $r)' | head -1)
fi
[ -n "$first" ] || fail "no alert names the bomb's root $root (alerts: $(alerts | jq -c '{kind, root: .root.pid, tgid}' | tr '\n' ' '))"

# The same alert in metrics.log: the original's five columns, then ours.
head -1 "$WORK/metrics.log" | grep -q '^timestamp,pid,tgid,hostname,subprocesses,' || fail "metrics.log header"
awk -F, -v r="$root" 'NR > 1 && $10 == r { found = 1 } END { exit !found }' "$WORK/metrics.log" ||
	fail "metrics.log has no line with root $root"
[ "$(summary | jq .lost)" -eq 0 ] || fail "lost samples"

latency=$(jq -r --argjson s "$start" '(.timestamp - $s) * 1000 | floor' <<< "$first")
echo "PASS: $mode: $(jq -r '.kind' <<< "$first") alert names root $root ($(jq -r .root.comm <<< "$first")), $(jq -r .subprocesses <<< "$first") counted, ${latency} ms after the bomb started"
