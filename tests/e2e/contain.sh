#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Containment on loads that are not bombs, so each check is exact:
#   --limit: the 6th child kills a process limited to 5; other names go free;
#   --kill: a process over the process kill threshold dies with its workers,
#     an --allow comm: one of the same shape lives, and the tool's own
#     ancestors (this script, which starts it) are never killed;
#   --dry-run: the same process lives and the report says what would go.
. "$(dirname "$0")/lib.sh"
need_root

# kills [REASON]: kill records as JSON lines.
kills() { jq -c --arg r "${1:-}" 'select(.event == "kill" and ($r == "" or .reason == $r))' "$WORK/out.json"; }

# --- --limit --------------------------------------------------------------
start_tool --no-log --limit fwlim=5
"$BOMB" as fwlim fork-n 10 > "$WORK/lim.txt"
rc=$?
"$BOMB" as fwother fork-n 10 > "$WORK/other.txt" || fail "an unlimited command failed"
sleep 0.3
stop_tool
[ "$rc" -eq 137 ] || fail "the limited process exited $rc, not by SIGKILL (137)"
[ "$(grep -c '^child' "$WORK/lim.txt")" -eq 5 ] || fail "the limited process made $(grep -c '^child' "$WORK/lim.txt") children before dying, not 5"
[ "$(grep -c '^child' "$WORK/other.txt")" -eq 10 ] || fail "an unlimited command was cut short"
self=$(awk '/^self/ {print $2}' "$WORK/lim.txt")
kills limit | jq -e --argjson p "$self" 'select(.tgid == $p and .count == 6 and .threshold == 5)' > /dev/null ||
	fail "no limit kill record for $self: $(kills)"
echo "limit: killed at its 6th child; unlimited command made all 10"

# --- --kill: process kill threshold 20 (twice -t 10) ----------------------
start_tool --no-log --kill -t 10 -T 10 --kill-threshold 20 --allow comm:fwallow
"$BOMB" as fwserv server 40 3 &
victim=$!
wait "$victim"
rc=$?
[ "$rc" -eq 137 ] || fail "a process over the kill threshold exited $rc, not by SIGKILL"
sleep 0.5
left=$(ps -C fwserv -o stat= | grep -vc '^Z') # zombies wait for their reaper
[ "$left" -eq 0 ] || fail "$left workers of the killed process are still alive"
"$BOMB" as fwallow server 40 1 || fail "an allowed process was killed"
# This script started the tool and forks on: it must still be here, and the
# probe must have spared something (its own forking counts).
stop_tool
kills | jq -e --argjson p "$victim" 'select(.root.pid == $p and .killed >= 1)' > /dev/null ||
	fail "no process kill record for $victim: $(kills)"
spared=$(summary | jq .kills_spared)
[ "$spared" -ge 1 ] || fail "nothing was spared: the allowed process never crossed the threshold"
echo "kill: $victim and its workers killed ($(kills | head -1 | jq -r '"\(.killed) killed in \(.took_ms) ms"')); allowed and ancestors spared ($spared)"

# --- --dry-run ------------------------------------------------------------
start_tool --no-log --dry-run -t 10 -T 10 --kill-threshold 20
"$BOMB" as fwserv server 40 1 || fail "--dry-run killed a process"
stop_tool
kills | jq -e 'select(.dry_run == true)' > /dev/null || fail "no dry-run report: $(kills)"
[ "$(summary | jq .dry_run)" = true ] || fail "summary does not say dry run"
echo "PASS: limit, kill with --allow and ancestors, dry run"
