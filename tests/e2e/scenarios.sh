#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every bomb mode and every benign load, one after another, under a single
# long-running instance of the tool (with --threads): each bomb is named by
# an alert, no alert falls within a benign load. One compile for all of it,
# which is what makes the kprobe path affordable in the vm tests.
. "$(dirname "$0")/lib.sh"
need_root
BOMB_SECONDS=2

start_tool --no-log --threads
for mode in classic spawn c-loop vfork clone3 threads; do
	run_bomb "$mode"
	sleep 1.5 # a quiet window: the next scenario is a new burst
	first=$(bomb_alert "$mode" "$BOMB_ROOT")
	[ -n "$first" ] || fail "$mode: no alert names the bomb's root $BOMB_ROOT"
	echo "  $mode: $(describe_alert "$first" "$BOMB_START")"
done
before=$(alerts | wc -l)
for load in make shell-loop xargs server; do
	benign_load "$load"
	t0=$(date +%s.%N)
	"${LOAD_CMD[@]}" > /dev/null 2>&1 || fail "$load failed"
	t1=$(date +%s.%N)
	sleep 1.2
	during=$(alerts | jq -c --argjson a "$t0" --argjson b "$t1" 'select(.timestamp >= $a and .timestamp <= $b + 1)')
	[ -z "$during" ] || fail "$load raised alerts: $during"
	echo "  $load: no alert ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
done
stop_tool
[ "$(summary | jq .lost)" -eq 0 ] || fail "lost samples"
[ "$(alerts | wc -l)" -eq "$before" ] || fail "alerts after the last bomb"
echo "PASS: scenarios: 6 bombs named, 4 benign loads silent, under one instance"
