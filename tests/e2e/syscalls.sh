#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Children made by clone3 (posix_spawn, pthread_create) and by vfork are
# counted, and attributed to the syscall that made them: the originals,
# probing sys_clone alone, saw none of these.
. "$(dirname "$0")/lib.sh"
need_root
n=200

start_tool --no-log
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
echo "PASS: syscalls ($(jq -r .mode <<< "$(jq -c 'select(.event == "start")' "$WORK/out.json")") mode): $(jq -c '{processes_by, threads_by}' <<< "$s")"
