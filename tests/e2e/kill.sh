#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One bomb mode of scripts/fork_bomb.sh under --kill: one verdict names
# the bomb's own root, and its alert and its kill name that same root by
# the same rule; when the bomb's time is up none of its processes is alive,
# while fork_bomb.sh (which forks beside the bomb) and the tool live on.
# With "preexisting", the bomb's root exists before the tool starts (a
# bomb typed into an old shell).
#
# FW_KILL_ARGS adds options.
. "$(dirname "$0")/lib.sh"
need_root
mode=${1:?mode}
shape=${2:-}
extra=(--kill -l "$WORK/metrics.log")
[ "$mode" = threads ] && extra+=(--threads)
read -r -a more <<< "${FW_KILL_ARGS:-}"
# pids.max: far above what a contained replicator reaches; a spawner is
# judged by harm, so it gets one it fills well within its time on any
# machine (its 'sleep &' loop made 3,482 in 3 s here: short of 4096).
max=4096
[ "$mode" = spawn ] && max=1024

if [ "$shape" = preexisting ]; then
	# The root starts and waits; the tool starts; then the bomb goes.
	"$SRC/scripts/fork_bomb.sh" "$mode" -t "${FW_BOMB_SECONDS:-3}" -m "$max" -b "$BOMB" \
		-w "$WORK/go" > "$WORK/bomb.txt" 2>&1 &
	bomb_pid=$!
	for _ in $(seq 100); do grep -q waiting "$WORK/bomb.txt" && break; sleep 0.05; done
	grep -q waiting "$WORK/bomb.txt" || fail "fork_bomb.sh -w did not start its root"
	start_tool "${extra[@]}" "${more[@]}"
	echo go > "$WORK/go"
	wait "$bomb_pid" || fail "fork_bomb.sh $mode -w failed"
	BOMB_ROOT=$(awk '/ start / { for (i = 1; i < NF; i++) if ($i == "root") print $(i + 1); exit }' "$WORK/bomb.txt")
	BOMB_START=$(awk '/ start / { for (i = 1; i < NF; i++) if ($i == "start") print $(i + 1); exit }' "$WORK/bomb.txt")
	grep -q "all cleaned up" "$WORK/bomb.txt" || fail "fork_bomb.sh $mode did not clean up"
else
	start_tool "${extra[@]}" "${more[@]}"
	BOMB_MAX=$max run_bomb "$mode"
fi
sleep 0.3 # the last sweep's report
stop_tool

live=$(awk '/live [0-9]+ at the end/ { for (i = 1; i < NF; i++) if ($i == "live") print $(i + 1) }' "$WORK/bomb.txt")
[ -n "$live" ] || fail "fork_bomb.sh did not say how many were alive at the end"
[ "$live" -eq 0 ] || fail "$live of the bomb's processes were still alive when its time was up"

rule=$(bomb_rule "$mode")
first=$(first_alert)
names_root_first "$mode" "$first" ||
	fail "the first alert does not name the bomb's root $BOMB_ROOT by the $rule rule: ${first:-none}"
half=$FIRST_HALF
# A thread storm is reported at --thread-threshold and killed at twice it.
if [ "$mode" = threads ]; then
	jq -e '.action == "report"' <<< "$first" > /dev/null || fail "the thread alert does not say it reports: $first"
else
	jq -e '.action == "kill"' <<< "$first" > /dev/null || fail "the alert does not say it kills: $first"
fi
kill=$(kills | jq -c --argjson h "$half" 'select(.root.pid != $h)' | head -1)
jq -e --argjson r "$BOMB_ROOT" --arg k "$rule" '.root.pid == $r and .rule == $k and .killed >= 1' <<< "${kill:-null}" > /dev/null ||
	fail "the first kill does not name the bomb's root $BOMB_ROOT by the $rule rule: ${kill:-none}"
# No kill names anything else: one decision, one root (and the first
# half above).
others=$(kills | jq -c --argjson r "$BOMB_ROOT" --argjson h "$half" 'select(.root.pid != $r and .root.pid != $h)')
[ -z "$others" ] || fail "kills naming another root: $(head -3 <<< "$others")"
log_has kill "$rule" "$BOMB_ROOT" || fail "metrics.log has no kill line for $BOMB_ROOT"
[ "$(summary | jq .lost)" -eq 0 ] || fail "lost alert samples"
[ "$(summary | jq .kills_failed)" -eq 0 ] || fail "the kernel refused kills"
echo "PASS: $mode${shape:+ ($shape root)}: $(describe_alert "$first" "$BOMB_START"); $(jq -r --argjson s "$BOMB_START" '"killed \(.killed) (probe \(.killed_kernel), sweep \(.killed_sweep)), named \(((.timestamp - $s) * 1000) | floor) ms after the start"' <<< "$kill"); peak $(awk '/peak/ { for (i = 1; i < NF; i++) if ($i == "peak") print $(i + 1) }' "$WORK/bomb.txt") tasks; none alive at its end"
