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

# start_tool [ARGS...]: JSON on out.json, stderr on err.txt, log metrics.log.
start_tool() {
	: > "$WORK/out.json"
	: > "$WORK/err.txt"
	(cd "$WORK" && exec "$TOOL" --json "$@" > "$WORK/out.json" 2> "$WORK/err.txt") &
	TOOL_PID=$!
	for _ in $(seq 600); do
		grep -q "attached" "$WORK/err.txt" && return 0
		kill -0 "$TOOL_PID" 2>/dev/null || { wait "$TOOL_PID"; TOOL_PID=""; fail "the tool exited before attaching"; }
		sleep 0.1
	done
	fail "the tool did not attach within 60 s"
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
summary() { jq -c 'select(.event == "summary")' "$WORK/out.json"; }
