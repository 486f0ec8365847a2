#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Children made by clone3 (posix_spawn, pthread_create) and by vfork are
# counted, and attributed to the syscall that made them: the originals,
# probing sys_clone alone, saw none of these. Attribution comes from the
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
stop_tool
s=$(summary)
check() { jq -e "$1" <<< "$s" > /dev/null || fail "expected $1 in $s"; }
check ".processes_by.clone3 >= $n"  # posix_spawn
check ".processes_by.vfork >= $n"
check ".threads_by.clone3 >= $n"    # pthread_create
check ".calls.clone3 >= $((2 * n))"
check ".calls.vfork >= $n"
check ".threads >= $n and .processes >= $((2 * n))"
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
