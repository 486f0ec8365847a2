#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What a kill -9'ed instance leaves, and the next start taking it back.
# Perf-event kprobes die with their descriptors; where the kernel has no
# kprobe PMU, libbcc writes legacy kprobe_events entries named
# <event>_bcc_<pid>, and those outlive the process. The first instance here
# runs with the kprobe PMU hidden (a tmpfs over it in a mount namespace of
# its own), so libbcc takes that legacy path on a kernel that has both. It
# is killed with SIGKILL; its entries stay. The next instance removes them
# and the half-written textfile it left, says so, and leaves alone an entry
# and a file whose pid is alive. Needs a kernel with kprobes (the vm tests).
. "$(dirname "$0")/lib.sh"
need_root
kprobes_supported || { echo "SKIP: this kernel has no kprobes (the vm tests run this)"; exit 77; }
tracefs=/sys/kernel/tracing
[ -e "$tracefs/kprobe_events" ] || tracefs=/sys/kernel/debug/tracing
[ -w "$tracefs/kprobe_events" ] || { echo "SKIP: no writable kprobe_events"; exit 77; }
[ -e /sys/bus/event_source/devices/kprobe/type ] || { echo "SKIP: no kprobe PMU to hide"; exit 77; }
command -v unshare > /dev/null || { echo "SKIP: no unshare"; exit 77; }

A="" LIVE="" B=""
cleanup_stale() {
	[ -n "$A" ] && kill -9 "$A" 2> /dev/null
	[ -n "$LIVE" ] && echo "-:$LIVE" >> "$tracefs/kprobe_events"
	# Whatever this test's first instance left, if the check failed.
	[ -n "$A" ] && grep -o "kprobes/[^ ]*_bcc_$A\b" "$tracefs/kprobe_events" | while read -r ev; do
		echo "-:$ev" >> "$tracefs/kprobe_events"
	done
	cleanup_e2e
}
trap cleanup_stale EXIT

ours() { grep -c "^[pr][0-9]*:kprobes/[^ ]*_bcc_$1 " "$tracefs/kprobe_events"; }

# The first instance, on the legacy path. unshare and bash exec the tool:
# $! is its pid, and its events carry it.
(cd "$WORK" && exec unshare -m bash -c \
	'mount -t tmpfs fw-no-kprobe-pmu /sys/bus/event_source/devices/kprobe && exec "$0" "$@"' \
	"$TOOL" --json --no-log "${EXTRA[@]}" --probe-mode kprobe > "$WORK/a.json" 2> "$WORK/a.err") &
A=$!
for _ in $(seq 1800); do
	grep -q attached "$WORK/a.err" && break
	kill -0 "$A" 2> /dev/null || fail "the first instance exited before attaching: $(tail -3 "$WORK/a.err")"
	sleep 0.1
done
grep -q "attached: kprobes" "$WORK/a.err" || fail "the first instance did not attach kprobes: $(tail -3 "$WORK/a.err")"
left=$(ours "$A")
[ "$left" -ge 1 ] || fail "the legacy path made no kprobe_events entry for pid $A: $(cat "$tracefs/kprobe_events")"
kill -9 "$A"
wait "$A" 2> /dev/null
[ "$(ours "$A")" -eq "$left" ] || fail "SIGKILL: expected $left entries of pid $A to outlive it, found $(ours "$A")"
echo "stale: SIGKILL left $left kprobe_events entries of pid $A"

# A live pid's entry (this shell's) and files, and a dead one's file.
sym=$(sed -n "s/^p[0-9]*:kprobes\/[^ ]*_bcc_$A \([^ ]*\).*/\1/p" "$tracefs/kprobe_events" | head -1)
LIVE=kprobes/p_fw_stale_live_bcc_$$
echo "p:$LIVE $sym" >> "$tracefs/kprobe_events" || fail "cannot add a kprobe event on $sym"
mkdir -p "$WORK/prom"
echo "half" > "$WORK/prom/metrics.prom.tmp.$A"
echo "live" > "$WORK/prom/metrics.prom.tmp.$$"

start_tool --no-log --metrics-textfile "$WORK/prom/metrics.prom"
B=$TOOL_PID
want="left by pid $A (no longer running): $left kprobe events removed, 1 temporary file removed"
[ "$left" -eq 1 ] && want="left by pid $A (no longer running): 1 kprobe event removed, 1 temporary file removed"
grep -qF "$want" "$WORK/err.txt" || fail "the start did not say '$want': $(head -5 "$WORK/err.txt")"
[ "$(ours "$A")" -eq 0 ] || fail "entries of pid $A remain: $(grep "_bcc_$A " "$tracefs/kprobe_events")"
grep -q "^p:$LIVE " "$tracefs/kprobe_events" || fail "the live pid's entry $LIVE was removed"
[ ! -e "$WORK/prom/metrics.prom.tmp.$A" ] || fail "the dead instance's temporary file remains"
[ -e "$WORK/prom/metrics.prom.tmp.$$" ] || fail "a live pid's temporary file was removed"
A=""

# SIGKILL on the kprobe PMU path: nothing of it stays (its kprobes were
# never kprobe_events entries, and its programs die with it).
# Its programs, by the ids its descriptors name (bpftool's pid column
# needs the kernel's BTF, hidden in the vm tests).
progs=$(cat /proc/"$B"/fdinfo/* 2> /dev/null | sed -n 's/^prog_id:[[:space:]]*//p' | sort -un | jq -sc .)
[ "$progs" != "[]" ] || fail "no program descriptor held by pid $B"
kill -9 "$B"
wait "$B" 2> /dev/null
TOOL_PID=""
[ "$(ours "$B")" -eq 0 ] || fail "pid $B left kprobe_events entries on the PMU path"
still=$(bpftool prog show -j | jq -c --argjson o "$progs" '[.[] | select(.id as $i | $o | index($i)) | .id]')
[ "$still" = "[]" ] || fail "programs of pid $B outlived it: $still"
[ -z "$(bpftool perf show -j | jq -r --argjson p "$B" '.[] | select(.pid == $p)')" ] || fail "perf events of pid $B outlived it"
echo "PASS: SIGKILL's $left legacy kprobe events and temporary file taken back by the next start; a live pid's left; nothing of a SIGKILLed PMU-path instance remains"
