#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One bomb mode of scripts/fork_bomb.sh under --kill: the alert names the
# bomb's root, the probe names the same root and dooms it (the process
# itself for the thread storm), and when the bomb's time is up none of its
# processes is alive, while fork_bomb.sh (which forks beside the bomb) and
# the tool live on. With "preexisting", the bomb's root exists before the
# tool starts (a bomb typed into an old shell).
#
# FW_KILL_ARGS adds options (the vm guests lower the thresholds: emulated
# bombs grow 10 to 30 times slower).
. "$(dirname "$0")/lib.sh"
need_root
mode=${1:?mode}
shape=${2:-}
extra=(--kill -l "$WORK/metrics.log")
[ "$mode" = threads ] && extra+=(--threads)
read -r -a more <<< "${FW_KILL_ARGS:-}"

if [ "$shape" = preexisting ]; then
	# The root starts and waits; the tool starts; then the bomb goes.
	"$SRC/scripts/fork_bomb.sh" "$mode" -t "${FW_BOMB_SECONDS:-3}" -m 4096 -b "$BOMB" \
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
	BOMB_MAX=4096 run_bomb "$mode"
fi
sleep 0.3 # the last sweep's report
stop_tool

live=$(awk '/live [0-9]+ at the end/ { for (i = 1; i < NF; i++) if ($i == "live") print $(i + 1) }' "$WORK/bomb.txt")
[ -n "$live" ] || fail "fork_bomb.sh did not say how many were alive at the end"
[ "$live" -eq 0 ] || fail "$live of the bomb's processes were still alive when its time was up"

first=$(bomb_alert "$mode" "$BOMB_ROOT")
# A root older than the tool: the alert's naming (user space, at the alert)
# cannot see that a dead first child was a copy and may name a part of the
# bomb; the kill's naming (the probe's), checked below, names the root.
[ -z "$first" ] && [ "$shape" = preexisting ] &&
	first=$(alerts | jq -c --argjson r "$BOMB_ROOT" 'select(.tree.pid == $r)' | head -1)
[ -n "$first" ] || fail "no alert names the bomb's root $BOMB_ROOT (alerts: $(alerts | jq -c '{kind, root: .root.pid, tgid}' | tr '\n' ' '))"
kills() { jq -c 'select(.event == "kill")' "$WORK/out.json"; }
if [ "$mode" = threads ]; then
	kill=$(kills | jq -c --argjson r "$BOMB_ROOT" 'select(.reason == "threads" and .tgid == $r)' | head -1)
else
	kill=$(kills | jq -c --argjson r "$BOMB_ROOT" 'select(.root.pid == $r)' | head -1)
fi
# A root older than the tool whose bomb is two halves (the classic bomb's
# first pipeline): the probe may name each half, the root's children, and
# not the root (seen once, on 2 CPUs). Every process of the bomb dies
# all the same (checked above); the shell it was typed into lives.
halves=""
if [ -z "$kill" ] && [ "$shape" = preexisting ] && [ "$mode" != threads ] &&
	! kills | jq -e --argjson r "$BOMB_ROOT" 'select(.tree.pid != $r or .root.depth != 1)' > /dev/null; then
	kill=$(kills | head -1)
	halves=$(kills | jq -r '.root.pid' | sort -u | paste -sd,)
fi
[ -n "$kill" ] || fail "no kill names the bomb's root $BOMB_ROOT (kills: $(kills | jq -c '{reason, root: .root.pid, depth: .root.depth, tgid}' | tr '\n' ' '))"
# Nothing above or beside the bomb: any other doomed root lies deeper than
# the bomb's (a part of it, named before the rest); with a root older than
# the tool, every doom is in its own tree.
depth=$(jq -r '.root.depth' <<< "$first")
[ -n "$halves" ] || ! kills | jq -e --argjson r "$BOMB_ROOT" --argjson d "$depth" 'select(.root.pid != $r and .root.depth <= $d)' > /dev/null ||
	fail "a kill named a root that is not below the bomb's: $(kills | jq -c '{root, tree}' | tr '\n' ' ')"
[ "$shape" = preexisting ] && kills | jq -e --argjson r "$BOMB_ROOT" 'select(.tree.pid != $r)' > /dev/null &&
	fail "a kill outside the bomb's tree: $(kills | jq -c '{root, tree}' | tr '\n' ' ')"
logged=$BOMB_ROOT
[ -z "$halves" ] || logged=$(jq -r '.root.pid' <<< "$kill")
awk -F, -v r="$logged" 'NR > 1 && $6 ~ /^kill-/ && ($10 == r || $3 == r) { found = 1 } END { exit !found }' "$WORK/metrics.log" ||
	fail "metrics.log has no kill line for $logged"
[ "$(summary | jq .lost)" -eq 0 ] || fail "lost alert samples"
[ "$(summary | jq .kills_failed)" -eq 0 ] || fail "the kernel refused kills"
echo "PASS: $mode${shape:+ ($shape root)}: $(describe_alert "$first" "$BOMB_START"); $(jq -r --argjson s "$BOMB_START" '"killed \(.killed) (probe \(.killed_kernel), sweep \(.killed_sweep)), named \(((.timestamp - $s) * 1000) | floor) ms after the start"' <<< "$kill"); $(summary | jq -r '"\(.kills) reports, \(.processes) processes created while watching"'); none alive at its end${halves:+ (the probe named the children $halves of the root, not the root)}"
