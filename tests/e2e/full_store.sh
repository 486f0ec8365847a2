#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# More processes than the record store holds (issue 16, "full maps"): the
# store shrunk to --records 1024, then 3,000 sleeping processes (a
# pre-forking server's workers, started while the tool watches, so each
# wants a record), left to age; then a classic bomb under --kill. The bomb
# takes the slots of old sleepers, is named by its root and contained; the
# processes that found no room are counted and reported; none of the
# sleepers is killed, and the tool runs on and exits cleanly.
. "$(dirname "$0")/lib.sh"
need_root
SLEEPERS=3000
SERVER_PID=""
cleanup_full_store() {
	# The server and its workers: a process group of their own.
	[ -n "$SERVER_PID" ] && kill -KILL -- "-$SERVER_PID" 2>/dev/null
	cleanup_e2e
}
trap cleanup_full_store EXIT

workers() { pgrep -P "$SERVER_PID" | wc -l; }

start_tool --kill --records 1024 -l "$WORK/metrics.log"
setsid "$BOMB" as fwsleeper server "$SLEEPERS" 300 &
SERVER_PID=$!
for _ in $(seq 300); do [ "$(workers)" -ge "$SLEEPERS" ] && break; sleep 0.1; done
[ "$(workers)" -eq "$SLEEPERS" ] || fail "the server started $(workers) of its $SLEEPERS workers"
# Old enough to give way: FW_RANK_EPOCH (4) windows of 1 s.
sleep 5
grep -q "the record store (1024) is full" "$WORK/err.txt" ||
	fail "no warning that the record store was full"

run_bomb classic
sleep 0.3 # the last sweep's report
[ "$(workers)" -eq "$SLEEPERS" ] || fail "$((SLEEPERS - $(workers))) of the sleeping workers were killed"
kill -0 "$SERVER_PID" || fail "the server was killed"
stop_tool

live=$(awk '/live [0-9]+ at the end/ { for (i = 1; i < NF; i++) if ($i == "live") print $(i + 1) }' "$WORK/bomb.txt")
[ "${live:-1}" -eq 0 ] || fail "${live:-?} of the bomb's processes were alive when its time was up"
first=$(first_alert)
names_root_first classic "$first" ||
	fail "the first alert does not name the bomb's root $BOMB_ROOT: ${first:-none}"
kill=$(kills | jq -c --argjson r "$BOMB_ROOT" 'select(.root.pid == $r)' | head -1)
[ -n "$kill" ] || fail "no kill names the bomb's root $BOMB_ROOT"
others=$(kills | jq -c --argjson r "$BOMB_ROOT" --argjson h "$FIRST_HALF" 'select(.root.pid != $r and .root.pid != $h)')
[ -z "$others" ] || fail "kills naming another root: $(head -3 <<< "$others")"
sum=$(summary)
evicted=$(jq .evicted <<< "$sum") untracked=$(jq .untracked <<< "$sum")
[ "$evicted" -gt 0 ] || fail "no record made room for the bomb: $sum"
[ "$untracked" -gt 0 ] || fail "no process counted as untracked: $sum"
echo "PASS: full store (1024 records, $SLEEPERS sleepers): $(describe_alert "$first" "$BOMB_START"); $(jq -r '"killed \(.killed)"' <<< "$kill"); $evicted records made room, $untracked processes untracked; all $SLEEPERS sleepers alive"
