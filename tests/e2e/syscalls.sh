#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Children made by clone3 (posix_spawn, pthread_create, the syscall itself)
# and by vfork are counted, and attributed to the syscall that made them:
# the originals, probing sys_clone alone, saw none of these. Attribution comes from the
# entry kprobes, or without kprobes from --syscalls. Then: the default
# attaches no syscalls:* tracepoint (each would tax every syscall on the
# machine), as the kernel lists what the tool attached.
. "$(dirname "$0")/lib.sh"
need_root
n=200

# syscall_tracepoints PID: the syscalls:* tracepoints the kernel has BPF
# programs of PID attached to (bpftool perf), one per line.
syscall_tracepoints() {
	bpftool perf show --json 2> /dev/null |
		jq -r --argjson p "$1" '.[] | select(.pid == $p and (.tracepoint // "" | test("^sys_(enter|exit)_"))) | .tracepoint'
}

start_tool --no-log --syscalls
"$BOMB" spawn-n $n || fail "spawn-n"
"$BOMB" vfork-n $n || fail "vfork-n"
"$BOMB" threads-n $n || fail "threads-n"
"$BOMB" clone3-n $n || fail "clone3-n"
stop_tool
s=$(summary)
check() { jq -e "$1" <<< "$s" > /dev/null || fail "expected $1 in $s"; }
# The children of the clone3 syscall itself, on every arch.
check ".threads >= $n and .processes >= $((3 * n))"
case "$(uname -m)" in
aarch64)
	# arm64 has no native fork or vfork (those entries serve 32-bit compat
	# tasks): glibc's vfork() is clone(CLONE_VM | CLONE_VFORK), and
	# bookworm's glibc (2.36) has no clone3 wrapper there, so posix_spawn
	# and pthread_create make their children with clone too.
	check ".processes_by.clone >= $((2 * n))" # posix_spawn, vfork
	check ".threads_by.clone >= $n"           # pthread_create
	check ".processes_by.clone3 >= $n"        # clone3-n
	check ".processes_by.vfork == 0 and .processes_by.fork == 0"
	check ".calls.clone >= $((3 * n)) and .calls.clone3 >= $n"
	;;
*)
	check ".processes_by.clone3 >= $((2 * n))" # posix_spawn, clone3-n
	check ".processes_by.vfork >= $n"
	check ".threads_by.clone3 >= $n"           # pthread_create
	check ".calls.clone3 >= $((3 * n))"
	check ".calls.vfork >= $n"
	;;
esac
mode=$(jq -r 'select(.event == "start") | .mode' "$WORK/out.json")
if command -v bpftool > /dev/null; then
	start_tool --no-log
	"$BOMB" fork-n 50 > /dev/null || fail "fork-n"
	attached=$(syscall_tracepoints "$TOOL_PID" | sort -u | tr '\n' ' ')
	stop_tool
	[ -z "$attached" ] || fail "the default mode attached syscalls tracepoints: $attached"
	if [ "$mode" = tracepoint ]; then
		start_tool --no-log --syscalls
		attached=$(syscall_tracepoints "$TOOL_PID" | sort -u | tr '\n' ' ')
		stop_tool
		[[ "$attached" == *sys_enter_clone* && "$attached" == *sys_exit_clone* ]] ||
			fail "--syscalls did not attach the clone tracepoints: '$attached'"
	fi
	echo "default mode: no syscalls:* tracepoint attached"
else
	echo "no bpftool: what is attached not checked"
fi
echo "PASS: syscalls ($(jq -r .mode <<< "$(jq -c 'select(.event == "start")' "$WORK/out.json")") mode): $(jq -c '{processes_by, threads_by}' <<< "$s")"
