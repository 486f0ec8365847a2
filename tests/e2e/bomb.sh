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
run_bomb "$mode"
stop_tool

first=$(bomb_alert "$mode" "$BOMB_ROOT")
[ -n "$first" ] || fail "no alert names the bomb's root $BOMB_ROOT (alerts: $(alerts | jq -c '{kind, root: .root.pid, tgid}' | tr '\n' ' '))"

# The same alert in metrics.log: the original's five columns, then ours.
head -1 "$WORK/metrics.log" | grep -q '^timestamp,pid,tgid,hostname,subprocesses,' || fail "metrics.log header"
awk -F, -v r="$BOMB_ROOT" 'NR > 1 && $10 == r { found = 1 } END { exit !found }' "$WORK/metrics.log" ||
	fail "metrics.log has no line with root $BOMB_ROOT"
[ "$(summary | jq .lost)" -eq 0 ] || fail "lost samples"
echo "PASS: $mode: $(describe_alert "$first" "$BOMB_START")"
