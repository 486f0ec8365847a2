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

# How long a start may take to attach, in seconds: every start compiles
# the probe, and in an emulated guest that takes minutes (the vm tests
# raise it).
ATTACH_SECONDS=${FW_ATTACH_SECONDS:-60}

# start_tool [ARGS...]: JSON on out.json, stderr on err.txt.
start_tool() {
	: > "$WORK/out.json"
	: > "$WORK/err.txt"
	(cd "$WORK" && exec "$TOOL" --json "${EXTRA[@]}" "$@" > "$WORK/out.json" 2> "$WORK/err.txt") &
	TOOL_PID=$!
	for _ in $(seq $((ATTACH_SECONDS * 10))); do
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
	fail "the tool did not attach within $ATTACH_SECONDS s"
}

# expect_buffers ring|perf: the running tool's records go out through these
# (its start line). Ring buffers are asked of kernels from 5.8 on only.
expect_buffers() {
	if [ "$1" = ring ]; then
		local v
		v=$(uname -r | awk -F. '{ printf "%d%03d", $1, $2 }')
		[ "$v" -ge 5008 ] || return 0
	fi
	jq -e --arg b "$1" 'select(.event == "start") | .buffers == $b' "$WORK/out.json" > /dev/null ||
		fail "records do not go through $1 buffers: $(head -1 "$WORK/out.json")"
}

# tool_map_u64 NAME: key 0 of the running tool's own map NAME, as a number
# (bpftool by name would see every instance on the machine; the tool's
# descriptors' fdinfo says which maps are its own).
tool_map_u64() {
	local id b hex=""
	for id in $(grep -hs '^map_id:' /proc/"$TOOL_PID"/fdinfo/* | awk '{ print $2 }' | sort -un); do
		[ "$(bpftool map show id "$id" -j | jq -r .name)" = "$1" ] || continue
		for b in $(bpftool map lookup id "$id" key 0 0 0 0 -j | jq -r '.value[]'); do
			hex="${b#0x}$hex" # little-endian bytes
		done
		[ -n "$hex" ] && echo $((16#$hex)) && return 0
	done
	return 1
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
kills() { jq -c 'select(.event == "kill")' "$WORK/out.json"; }

# The rule each fork_bomb.sh mode is named by.
bomb_rule() {
	case "$1" in
	spawn) echo spawner ;;
	chain|c-chain) echo chain ;;
	threads) echo threads ;;
	*) echo replicator ;;
	esac
}

# run_bomb MODE [ARGS...]: runs scripts/fork_bomb.sh MODE (with ARGS, e.g.
# -g CGROUP); sets BOMB_ROOT, BOMB_START and LAUNCHER (fork_bomb.sh's pid:
# the bomb's parent, which must live).
# FW_BOMB_SECONDS lets a slow machine (a one-CPU emulated guest) give a bomb
# the time it needs to reach the thresholds; BOMB_MAX is its pids.max.
run_bomb() {
	"$SRC/scripts/fork_bomb.sh" "$1" -t "${FW_BOMB_SECONDS:-${BOMB_SECONDS:-3}}" -m "${BOMB_MAX:-1024}" -b "$BOMB" "${@:2}" > "$WORK/bomb.txt" 2>&1 &
	LAUNCHER=$!
	wait "$LAUNCHER" || fail "fork_bomb.sh $1 failed"
	BOMB_ROOT=$(awk '/ root / { for (i = 1; i < NF; i++) if ($i == "root") print $(i + 1); exit }' "$WORK/bomb.txt")
	BOMB_START=$(awk '/ root / { for (i = 1; i < NF; i++) if ($i == "start") print $(i + 1); exit }' "$WORK/bomb.txt")
	[ -n "$BOMB_ROOT" ] || fail "fork_bomb.sh $1 did not report its root"
	grep -q "all cleaned up" "$WORK/bomb.txt" || fail "fork_bomb.sh $1 did not clean up"
}

# first_alert [SINCE]: the first alert (of any rule but rate) from SINCE on.
first_alert() {
	alerts | jq -c --argjson s "${1:-0}" 'select(.kind != "rate" and .timestamp >= $s)' | head -1
}

# bomb_alert MODE ROOT: the first alert that names ROOT, by the mode's rule.
bomb_alert() {
	alerts | jq -c --argjson r "$2" --arg k "$(bomb_rule "$1")" 'select(.kind == $k and .root.pid == $r)' | head -1
}

# names_root_first MODE ALERT: does the first ALERT name the bomb's root
# by the mode's rule? Or, the one race it may lose, its first child with a
# later alert naming the root: on two CPUs a root can be starved after its
# first fork while that child's lineage runs ahead (a perl or bash root
# seen forking its second child 60 ms late, or not before the lineage had
# filled its pids.max). Sets FIRST_HALF to that child's pid (0 if exact).
names_root_first() {
	FIRST_HALF=0
	jq -e --argjson r "$BOMB_ROOT" --arg k "$(bomb_rule "$1")" '.root.pid == $r and .kind == $k' <<< "${2:-null}" > /dev/null && return 0
	jq -e --argjson r "$BOMB_ROOT" --arg k "$(bomb_rule "$1")" '.root.ppid == $r and .kind == $k' <<< "${2:-null}" > /dev/null || return 1
	[ -n "$(bomb_alert "$1" "$BOMB_ROOT")" ] || return 1
	FIRST_HALF=$(jq -r .root.pid <<< "$2")
	echo "note: the first alert named $FIRST_HALF, the root's first child; a later one the root"
}

# describe_alert ALERT START: "replicator alert names root R (comm), N counted, M ms after start".
describe_alert() {
	echo "$(jq -r .kind <<< "$1") alert names root $(jq -r .root.pid <<< "$1") ($(jq -r .root.comm <<< "$1")), $(jq -r .subprocesses <<< "$1") counted, $(jq -r --argjson s "$2" '(.timestamp - $s) * 1000 | floor' <<< "$1") ms after the bomb started"
}

# outside_alerts PID...: alerts naming one of these (the bomb's ancestors).
outside_alerts() {
	local p
	for p in "$@"; do
		alerts | jq -c --argjson p "$p" 'select(.root.pid == $p)'
	done
}

# A metrics.log line of this event (alert, kill) and rule naming ROOT.
log_has() {
	awk -F, -v e="$1" -v k="$2" -v r="$3" 'NR > 1 && $6 == e && $7 == k && $11 == r { found = 1 } END { exit !found }' "$WORK/metrics.log"
}

# make_tree DIR LEVELS KIND: a directory tree for recursive make (see rmake).
make_tree() {
	local dir=$1 levels=$2 kind=$3 sub objs=""
	mkdir -p "$dir"
	if [ "$levels" -eq 0 ] || [ "$kind" = rmake ]; then
		printf 'int f_%s(void) { return %d; }\n' "$(echo "$dir" | md5sum | cut -c1-8)" "$levels" > "$dir/x.c"
		cp "$dir/x.c" "$dir/y.c"
		sed -i 's/int f_/int g_/' "$dir/y.c"
		objs="x.o y.o"
	fi
	{
		if [ "$levels" -gt 0 ]; then
			echo "SUBDIRS := a b"
			echo "all: \$(SUBDIRS) $objs"
			printf '$(SUBDIRS):\n\t$(MAKE) -C $@\n'
			echo ".PHONY: all \$(SUBDIRS)"
		else
			echo "all: $objs"
		fi
		[ -n "$objs" ] && printf '%%.o: %%.c\n\tcc -c -o $@ $<\n'
	} > "$dir/Makefile"
	if [ "$levels" -gt 0 ]; then
		for sub in a b; do make_tree "$dir/$sub" $((levels - 1)) "$kind"; done
	fi
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
	server500) LOAD_CMD=("$BOMB" server 500 3) LOAD_EXPECT=500 ;;
	rmake|rmake-descend)
		# A recursive build (make -C per directory, as $(MAKE) runs it: an
		# exec of make itself), 4 levels of 2 directories. In rmake each
		# directory compiles two files of its own; in rmake-descend only the
		# leaves do: the shape the model names from 5 such levels on.
		rm -rf "$WORK/$1"
		make_tree "$WORK/$1" 4 "$1"
		LOAD_CMD=(make -s -j8 -C "$WORK/$1") LOAD_EXPECT=62 ;;
	*) fail "unknown load $1" ;;
	esac
}
summary() { jq -c 'select(.event == "summary")' "$WORK/out.json"; }
