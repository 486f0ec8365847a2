#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Events that find the event buffer full (ring or perf) are counted and reported, never
# dropped silently: with a one-page buffer and a burst of opens, the events
# printed plus the events counted lost is exactly what the test made. The
# tool is stopped (SIGSTOP) during the burst, so the buffer surely fills, on
# a fast host as in a one-CPU emulated guest.
. "$(dirname "$0")/lib.sh"
need_root
# "perf": the perf buffers of kernels before 5.8 (a test hook), on any.
buffers=ring
if [ "${1:-}" = perf ]; then
	export FORKWATCH_TEST_PERF_BUFFERS=1
	buffers=perf
fi
n=20000

start_tool --no-log --opens -c fwlost --buffer-pages 1
expect_buffers "$buffers"
kill -STOP "$TOOL_PID"
"$BOMB" as fwlost open-n $n /etc/hostname || fail "open-n"
kill -CONT "$TOOL_PID"
sleep 1.5 # the loss report comes once per second
stop_tool
printed=$(jq -c 'select(.event == "open" and .path == "/etc/hostname")' "$WORK/out.json" | wc -l)
lost=$(summary | jq .lost_events)
[ "$lost" -gt 0 ] || fail "a one-page buffer lost nothing of $n opens: the test proves nothing"
[ $((printed + lost)) -eq $n ] || fail "printed $printed + lost $lost != $n"
grep -q "lost [0-9]* events" "$WORK/err.txt" || fail "the loss was not reported on stderr"
echo "PASS: lost ($(jq -r 'select(.event == "start") | "\(.mode) mode, \(.buffers) buffers"' "$WORK/out.json")): $printed printed + $lost counted lost = $n, reported on stderr"
