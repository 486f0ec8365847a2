#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One bomb mode of scripts/fork_bomb.sh under the tool: the first alert
# names the bomb's own root, by the mode's rule, says why, and is in the
# console JSON and in metrics.log.
. "$(dirname "$0")/lib.sh"
need_root
mode=${1:?mode}
extra=()
[ "$mode" = threads ] && extra=(--threads)

start_tool -l "$WORK/metrics.log" "${extra[@]}"
run_bomb "$mode"
stop_tool

first=$(first_alert)
[ -n "$first" ] || fail "no alert for the bomb (root $BOMB_ROOT)"
names_root_first "$mode" "$first" &&
	jq -e --arg k "$(bomb_rule "$mode")" '.rule == $k and (.why | length) > 20' <<< "$first" > /dev/null ||
	fail "the first alert does not name the bomb's root $BOMB_ROOT by the $(bomb_rule "$mode") rule: $first"
# Later alerts repeat it (a line of the bomb may be named on its own once
# it is no longer young): never above the bomb.
outside=$(outside_alerts "$LAUNCHER" $$ 1)
[ -z "$outside" ] || fail "alerts naming a process outside the bomb: $(head -3 <<< "$outside")"

# The same alert in metrics.log: the original's five columns, then ours.
head -1 "$WORK/metrics.log" | grep -q '^timestamp,pid,tgid,hostname,subprocesses,event,rule,' || fail "metrics.log header"
log_has alert "$(bomb_rule "$mode")" "$BOMB_ROOT" || fail "metrics.log has no alert line naming $BOMB_ROOT"
[ "$(summary | jq .lost)" -eq 0 ] || fail "lost samples"
echo "PASS: $mode: $(describe_alert "$first" "$BOMB_START"): $(jq -r .why <<< "$first")"
