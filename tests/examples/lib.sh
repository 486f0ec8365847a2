# SPDX-License-Identifier: GPL-2.0
# Helpers for the examples' end-to-end tests: the real tools on the real
# kernel (root needed). Sourced, not run.
set -u

EXDIR=${EXDIR:?directory of the example binaries}
HELPERS=${HELPERS:?directory of fw-memhog and fw-netprobe}
# EX_EXPECT_MODE=lsm (the vm guests with BTF): the LSM variant must be the one in use.
EXPECT_MODE=${EX_EXPECT_MODE:-}
WORK=$(mktemp -d /tmp/fw-ex.XXXXXX)
EX_PID=""
CLEANUPS=()

cleanup_ex() {
	[ -n "$EX_PID" ] && kill -INT "$EX_PID" 2>/dev/null && wait "$EX_PID" 2>/dev/null
	local c
	for c in "${CLEANUPS[@]}"; do eval "$c"; done
	rm -rf "$WORK"
}
trap cleanup_ex EXIT

fail() {
	echo "FAIL: $*"
	for f in "$WORK"/err.txt "$WORK"/out.txt; do
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

# bad_input TOOL EXPECTED_TEXT ARGS...: exit 2 and exactly one line on stderr, saying EXPECTED_TEXT.
bad_input() {
	local tool=$1 text=$2 rc err
	shift 2
	err=$("$EXDIR/$tool" "$@" 2>&1 > /dev/null)
	rc=$?
	[ "$rc" -eq 2 ] || fail "$tool $*: exit $rc, not 2 ($err)"
	[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "$tool $*: more than one line: $err"
	grep -qF -- "$text" <<< "$err" || fail "$tool $*: '$err' does not say '$text'"
}

# check_privileges TOOL: once attached, each thread holds exactly the
# capabilities README (Privileges) gives the examples: CAP_BPF (CAP_SYS_ADMIN
# before 5.8), and CAP_NET_ADMIN for fw-xdp-allow's detach; nothing in the
# other sets; no_new_privs; the seccomp filter.
check_privileges() {
	local want=0 t f
	if [ "$(cat /proc/sys/kernel/cap_last_cap)" -ge 39 ]; then want=$((1 << 39)); else want=$((1 << 21)); fi
	[ "$1" = fw-xdp-allow ] && want=$((want | 1 << 12))
	want=$(printf '%016x' "$want")
	for t in /proc/"$EX_PID"/task/*; do
		f=$t/status
		[ "$(awk '/^CapEff:/ { print $2 }' "$f")" = "$want" ] ||
			fail "$1: CapEff $(awk '/^CapEff:/ { print $2 }' "$f") after attach, expected $want"
		[ "$(awk '/^CapPrm:/ { print $2 }' "$f")" = "$want" ] || fail "$1: CapPrm not $want"
		[ "$(awk '/^CapBnd:/ { print $2 }' "$f")" = 0000000000000000 ] || fail "$1: bounding set not empty"
		grep -q "^NoNewPrivs:[[:space:]]*1" "$f" || fail "$1: no no_new_privs"
		grep -q "^Seccomp:[[:space:]]*2" "$f" || fail "$1: no seccomp filter"
	done
}

# start_ex [PREFIX...] -- TOOL ARGS...: stdout on out.txt, stderr on err.txt;
# waits for "attached". PREFIX is a command to run it under (ip netns exec).
start_ex() {
	local prefix=()
	while [ "$1" != "--" ]; do prefix+=("$1"); shift; done
	shift
	: > "$WORK/out.txt"
	: > "$WORK/err.txt"
	"${prefix[@]}" "$EXDIR/$@" > "$WORK/out.txt" 2> "$WORK/err.txt" &
	EX_PID=$!
	for _ in $(seq 1800); do
		if grep -q "attached" "$WORK/err.txt"; then
			# The programs this instance holds (its descriptors say), to be
			# gone after it exits.
			OURS=$(cat /proc/"$EX_PID"/fdinfo/* 2>/dev/null | sed -n 's/^prog_id:[[:space:]]*//p' | sort -un | jq -sc .)
			[ "$OURS" != "[]" ] || fail "the tool holds no BPF program"
			check_privileges "$1"

			return 0
		fi
		kill -0 "$EX_PID" 2>/dev/null || { wait "$EX_PID"; EX_PID=""; fail "$1 exited before attaching"; }
		sleep 0.1
	done
	fail "$1 did not attach within 180 s"
}

# stop_ex: Ctrl-C; the tool must exit 0, say it detached, and leave none
# of its BPF programs behind.
stop_ex() {
	local rc left
	kill -INT "$EX_PID"
	wait "$EX_PID"
	rc=$?
	EX_PID=""
	[ "$rc" -eq 0 ] || fail "exit $rc after Ctrl-C"
	grep -q "detached" "$WORK/err.txt" || fail "no 'detached' line after Ctrl-C"
	left=$(bpftool prog show -j | jq -c --argjson o "$OURS" '[.[] | select(.id as $i | $o | index($i)) | .name]')
	[ "$left" = "[]" ] || fail "programs left after exit: $left"
}

# ex_mode: sets mode from the mode line (lsm or kill); EX_EXPECT_MODE=lsm
# insists on lsm. Not in a subshell: its fail must end the test.
ex_mode() {
	mode=$(grep -o "mode [a-z]*" "$WORK/err.txt" | head -1 | cut -d' ' -f2)
	[ -n "$mode" ] || fail "no mode line"
	[ -z "$EXPECT_MODE" ] || [ "$mode" = "$EXPECT_MODE" ] || fail "mode $mode, expected $EXPECT_MODE: $(head -1 "$WORK/err.txt")"
}
