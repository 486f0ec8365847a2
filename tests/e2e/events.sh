#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --events: one record per new process and thread, with the ids the test
# itself created (the originals reported the caller's thread id as pid and
# the caller's parent as ppid). Then the filters: -c, and -p with -u.
. "$(dirname "$0")/lib.sh"
need_root
# "perf": the perf buffers of kernels before 5.8 (a test hook), on any.
buffers=ring
if [ "${1:-}" = perf ]; then
	export FORKWATCH_TEST_PERF_BUFFERS=1
	buffers=perf
fi
n=20 t=10

# 1. -c: exactly what fw-bomb made under the name fwev, with its ids.
start_tool --no-log --events --threads --syscalls -c fwev
expect_buffers "$buffers"
"$BOMB" as fwev fork-n $n > "$WORK/forks.txt" || fail "fork-n"
"$BOMB" as fwev threads-report $t > "$WORK/threads.txt" || fail "threads-report"
"$BOMB" fork-n 5 > /dev/null || fail "unnamed fork-n" # filtered out: comm fw-bomb
stop_tool
ev() { jq -c --arg k "$1" 'select(.event == $k)' "$WORK/out.json"; }
# has ARGS...: some input line passes the jq filter (jq -e alone looks at the last line only).
has() { jq -c "$@" | grep -q .; }
self=$(awk '/^self/ { print $2 }' "$WORK/forks.txt")
[ "$(ev process | wc -l)" -eq $n ] || fail "expected $n process events, got $(ev process | wc -l)"
for child in $(awk '/^child/ { print $2 }' "$WORK/forks.txt"); do
	ev process | has --argjson c "$child" --argjson p "$self" \
		'select(.pid == $c and .tid == $c and .ppid == $p and .comm == "fwev" and .syscall == "clone")' \
		|| fail "no process event with pid $child, ppid $self: $(ev process | grep -F "\"pid\":$child,")"
done
read -r _ tself _ tparent <<< "$(grep '^self' "$WORK/threads.txt")"
[ "$(ev thread | wc -l)" -eq $t ] || fail "expected $t thread events, got $(ev thread | wc -l)"
for tid in $(awk '/^thread/ { print $2 }' "$WORK/threads.txt"); do
	ev thread | has --argjson tid "$tid" --argjson p "$tself" --argjson pp "$tparent" \
		'select(.tid == $tid and .pid == $p and .tgid == $p and .ppid == $pp and .syscall == "clone3")' \
		|| fail "no thread event with tid $tid in process $tself (parent $tparent)"
done
summary | jq -e --argjson e $((n + t)) '.events == $e and .lost_events == 0' > /dev/null ||
	fail "summary does not count $((n + t)) events, none lost: $(summary)"
echo "-c: $n process and $t thread events with the right ids"

# 2. -p with -u: only processes made by user nobody below a shell that
# existed before the tool. The shell waits on a fifo until the tool runs.
mkfifo "$WORK/go"
bash -c "read -r _ < '$WORK/go'; setpriv --reuid 65534 --regid 65534 --clear-groups '$BOMB' fork-n 4 > '$WORK/below.txt'; '$BOMB' fork-n 3 > /dev/null" &
shell=$!
start_tool --no-log --events -p $shell -u 65534
echo go > "$WORK/go"
wait $shell || fail "the filtered shell failed"
setpriv --reuid 65534 --regid 65534 --clear-groups "$BOMB" fork-n 3 > /dev/null || fail "outside fork-n" # nobody, but not below
stop_tool
got=$(ev process | jq -r .pid | sort -n | tr '\n' ' ')
want=$(awk '/^child/ { print $2 }' "$WORK/below.txt" | sort -n | tr '\n' ' ')
[ "$got" = "$want" ] || fail "-p $shell -u 65534: expected exactly [$want], got [$got]"
echo "PASS: events ($(jq -r 'select(.event == "start") | "\(.mode) mode, \(.buffers) buffers"' "$WORK/out.json")): ids match; -c, -p and -u keep exactly the test's own children"
