#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The systemd unit (examples/bcc-forkwatch.service) matches what the code
# needs: started with exactly the unit's CapabilityBoundingSet as its
# bounding set (and without CAP_SYS_ADMIN on kernels that have CAP_BPF), the
# tool attaches, serves metrics and contains a bomb under --kill; and every
# syscall it makes from start to exit is one the unit's SystemCallFilter
# lets through.
. "$(dirname "$0")/lib.sh"
need_root
RUN_EXTRA=()
UNIT=$SRC/examples/bcc-forkwatch.service
command -v setpriv > /dev/null || { echo "SKIP: no setpriv"; exit 77; }

# The unit's bounding set, as setpriv spells it: -all,+bpf,+perfmon,...
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
[ -n "$caps" ] || fail "the unit sets no CapabilityBoundingSet"
bounding() {
	local c list=-all
	for c in $caps; do
		[ "$c" = "${1:-}" ] && continue
		list+=",+$(tr 'A-Z' 'a-z' <<< "${c#CAP_}")"
	done
	echo "$list"
}

# run_bounded BOUNDING [strace]: the tool under that bounding set, --kill, a
# classic bomb contained, exit 0 after SIGTERM (the unit's KillSignal).
run_bounded() {
	local set=$1 trace=${2:-} port=$((20000 + RANDOM % 20000)) wrap=()
	[ -n "$trace" ] && wrap=(strace -f -qq -o "$WORK/trace.txt")
	: > "$WORK/out.json"
	: > "$WORK/err.txt"
	(cd "$WORK" && exec "${wrap[@]}" setpriv --bounding-set="$set" -- "$TOOL" --json --no-log --kill \
		--metrics-addr "127.0.0.1:$port" "${RUN_EXTRA[@]}" "${EXTRA[@]}" > "$WORK/out.json" 2> "$WORK/err.txt") &
	TOOL_PID=$!
	for _ in $(seq 900); do
		grep -q attached "$WORK/err.txt" && break
		kill -0 "$TOOL_PID" 2> /dev/null || { wait "$TOOL_PID"; TOOL_PID=""; fail "bounding set $set: exited before attaching"; }
		sleep 0.1
	done
	grep -q attached "$WORK/err.txt" || fail "bounding set $set: did not attach in 90 s"
	curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^forkwatch_tasks_created_total' ||
		fail "bounding set $set: no metrics"
	BOMB_SECONDS=4 BOMB_MAX=512 run_bomb classic
	grep -q "live 0 at the end" "$WORK/bomb.txt" ||
		fail "bounding set $set: the bomb was not contained: $(tail -1 "$WORK/bomb.txt")"
	# Under strace the tool is strace's child (setpriv execs it): the
	# signal goes to the tool, and strace ends with its status.
	local target=$TOOL_PID
	[ -n "$trace" ] && target=$(pgrep -P "$TOOL_PID" | head -1)
	[ -n "$target" ] || fail "no traced tool to stop"
	kill -TERM "$target"
	wait "$TOOL_PID"
	local rc=$?
	TOOL_PID=""
	[ "$rc" -eq 0 ] || fail "bounding set $set: exit $rc after SIGTERM"
	kills | jq -e 'select(.killed > 0)' > /dev/null || fail "bounding set $set: no kill reported"
}

run_bounded "$(bounding)"
echo "unit: the unit's bounding set ($(bounding)): attached, served, contained"
# Without CAP_SYS_ADMIN on a CAP_BPF kernel, unless perf_event_paranoid is
# 3 or more (Debian's default): Debian's kernels then refuse
# perf_event_open without it.
if [ "$(cat /proc/sys/kernel/cap_last_cap)" -ge 39 ] &&
	[ "$(cat /proc/sys/kernel/perf_event_paranoid)" -lt 3 ]; then
	run_bounded "$(bounding CAP_SYS_ADMIN)"
	echo "unit: without CAP_SYS_ADMIN (CAP_BPF kernel, perf_event_paranoid < 3): attached, served, contained"
fi

# The filter: every syscall of a traced run is in the unit's
# SystemCallFilter, as systemd expands it.
if ! command -v systemd-analyze > /dev/null || ! command -v strace > /dev/null; then
	echo "unit: SystemCallFilter not checked (no systemd-analyze or strace)"
	echo "PASS: unit"
	exit 0
fi
# The traced run with the unit's --pid-file (flock, ftruncate, unlink) and
# --syslog (socket, connect): their syscalls are checked too.
RUN_EXTRA=(--pid-file "$WORK/fw.pid" --syslog)
run_bounded "$(bounding)" strace
RUN_EXTRA=()
allowed=$WORK/allowed.txt
: > "$allowed"
# expand ITEM: a syscall, or a group with its nested groups, as systemd does.
expand() {
	local sub
	case "$1" in
	@*)
		for sub in $(systemd-analyze syscall-filter "$1" | awk 'NR > 1 && /^ +[@a-z_0-9-]+$/ { print $1 }'); do
			expand "$sub"
		done ;;
	*) echo "$1" >> "$allowed" ;;
	esac
}
for item in $(sed -n 's/^SystemCallFilter=//p' "$UNIT"); do
	expand "$item"
done
[ "$(sort -u "$allowed" | wc -l)" -gt 100 ] || fail "the unit's SystemCallFilter expanded to too few syscalls: $(wc -l < "$allowed")"
# The syscalls of the tool's own processes (setpriv's exec, the watcher,
# its compiler helper): not the bomb's, which strace does not follow.
awk '{ s = $2; sub(/\(.*/, "", s); if (s ~ /^[a-z_0-9]+$/) print s }' "$WORK/trace.txt" | sort -u > "$WORK/used.txt"
missing=$(grep -vxF -f "$allowed" "$WORK/used.txt" | tr '\n' ' ')
[ -z "$missing" ] || fail "syscalls the unit's SystemCallFilter refuses: $missing"
echo "unit: $(wc -l < "$WORK/used.txt") syscalls used from start to exit, all in the unit's filter"
echo "PASS: unit"
