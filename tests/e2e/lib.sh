# SPDX-License-Identifier: GPL-2.0
# Helpers for the end-to-end tests: they run the real tool on the real
# kernel (root needed) and check what it prints. Sourced, not run.
set -u

TOOL=${TOOL:?path to bcc-forkwatch}
SRC=${SRC:?source directory}
BOMB=${BOMB:?path to fw-bomb}
WORK=$(mktemp -d /tmp/fw-e2e.XXXXXX)
TOOL_PID=""

cleanup_e2e() {
	[ -n "$TOOL_PID" ] && kill -INT "$TOOL_PID" 2>/dev/null && wait "$TOOL_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup_e2e EXIT

fail() {
	echo "FAIL: $*"
	for f in "$WORK"/err.txt "$WORK"/out.json "$WORK"/bomb.txt; do
		[ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
	done
	exit 1
}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root"
		exit 77
	fi
}

# Extra options for every run, e.g. FW_EXTRA_ARGS="--probe-mode kprobe" in
# the vm tests, so the same checks cover the kprobe path.
read -r -a EXTRA <<< "${FW_EXTRA_ARGS:-}"

# start_tool [ARGS...]: JSON on out.json, stderr on err.txt.
start_tool() {
	: > "$WORK/out.json"
	: > "$WORK/err.txt"
	(cd "$WORK" && exec "$TOOL" --json "${EXTRA[@]}" "$@" > "$WORK/out.json" 2> "$WORK/err.txt") &
	TOOL_PID=$!
	for _ in $(seq 600); do
		if grep -q "attached" "$WORK/err.txt"; then
			# The vm tests say which path must be in use.
			[ -z "${FW_EXPECT_MODE:-}" ] ||
				jq -e --arg m "$FW_EXPECT_MODE" 'select(.event == "start") | .mode == $m' \
					"$WORK/out.json" > /dev/null ||
				fail "not in $FW_EXPECT_MODE mode: $(head -1 "$WORK/out.json")"
			return 0
		fi
		kill -0 "$TOOL_PID" 2>/dev/null || { wait "$TOOL_PID"; TOOL_PID=""; fail "the tool exited before attaching"; }
		sleep 0.1
	done
	fail "the tool did not attach within 60 s"
}

# kprobes_supported: can this kernel attach kprobes at all?
kprobes_supported() {
	local tracefs=/sys/kernel/tracing
	[ -d /sys/kernel/debug/tracing ] && tracefs=/sys/kernel/debug/tracing
	[ -e /sys/bus/event_source/devices/kprobe/type ] || [ -e "$tracefs/kprobe_events" ]
}

# stop_tool: Ctrl-C, and the tool must exit 0 with a summary.
stop_tool() {
	kill -INT "$TOOL_PID"
	wait "$TOOL_PID"
	local rc=$?
	TOOL_PID=""
	[ "$rc" -eq 0 ] || fail "the tool exited with $rc after Ctrl-C"
	jq -e 'select(.event == "summary")' "$WORK/out.json" > /dev/null || fail "no summary line"
	! grep -q "left open after teardown" "$WORK/err.txt" || fail "teardown leaked descriptors"
}

alerts() { jq -c 'select(.event == "alert")' "$WORK/out.json"; }

# run_bomb MODE: runs scripts/fork_bomb.sh MODE; sets BOMB_ROOT and BOMB_START.
# FW_BOMB_SECONDS lets a slow machine (a one-CPU emulated guest) give a bomb
# the time it needs to reach the thresholds; BOMB_MAX is its pids.max.
run_bomb() {
	"$SRC/scripts/fork_bomb.sh" "$1" -t "${FW_BOMB_SECONDS:-${BOMB_SECONDS:-3}}" -m "${BOMB_MAX:-1024}" -b "$BOMB" > "$WORK/bomb.txt" 2>&1 ||
		fail "fork_bomb.sh $1 failed"
	BOMB_ROOT=$(awk '/ root / { for (i = 1; i < NF; i++) if ($i == "root") print $(i + 1); exit }' "$WORK/bomb.txt")
	BOMB_START=$(awk '/ root / { for (i = 1; i < NF; i++) if ($i == "start") print $(i + 1); exit }' "$WORK/bomb.txt")
	[ -n "$BOMB_ROOT" ] || fail "fork_bomb.sh $1 did not report its root"
	grep -q "all cleaned up" "$WORK/bomb.txt" || fail "fork_bomb.sh $1 did not clean up"
}

# bomb_alert MODE ROOT: the first alert that names ROOT (threads: the process).
bomb_alert() {
	if [ "$1" = threads ]; then
		alerts | jq -c --argjson r "$2" 'select(.kind == "threads" and .tgid == $r)' | head -1
	else
		alerts | jq -c --argjson r "$2" 'select((.kind == "tree" or .kind == "process") and .root.pid == $r)' | head -1
	fi
}

# describe_alert ALERT START: "tree alert names root R (comm), N counted, M ms after start".
describe_alert() {
	echo "$(jq -r .kind <<< "$1") alert names root $(jq -r 'if .kind == "threads" then .tgid else .root.pid end' <<< "$1") ($(jq -r .root.comm <<< "$1")), $(jq -r .subprocesses <<< "$1") counted, $(jq -r --argjson s "$2" '(.timestamp - $s) * 1000 | floor' <<< "$1") ms after the bomb started"
}

# benign_load NAME: sets LOAD_CMD (array) and LOAD_EXPECT (processes it makes).
benign_load() {
	case "$1" in
	make)
		mkdir -p "$WORK/mk"
		{
			printf 'all:'; for i in $(seq 300); do printf ' t%d' "$i"; done; echo
			for i in $(seq 300); do printf 't%d:\n\t@true\n' "$i"; done
			echo ".PHONY: all $(seq -f 't%g' -s ' ' 300)"
		} > "$WORK/mk/Makefile"
		LOAD_CMD=(make -s -C "$WORK/mk" -j"$(nproc)") LOAD_EXPECT=300 ;;
	shell-loop) LOAD_CMD=(bash -c 'for i in $(seq 5000); do /bin/true; done') LOAD_EXPECT=5000 ;;
	xargs) LOAD_CMD=(bash -c 'seq 2000 | xargs -P 8 -n 1 true') LOAD_EXPECT=2000 ;;
	server) LOAD_CMD=("$BOMB" server 32 3) LOAD_EXPECT=32 ;;
	*) fail "unknown load $1" ;;
	esac
}
summary() { jq -c 'select(.event == "summary")' "$WORK/out.json"; }
