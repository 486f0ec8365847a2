#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Lifecycle and bad input: exit codes and one-line errors, --list-probes,
# signals, and a teardown that leaves no program, map, kprobe or fd behind.
. "$(dirname "$0")/lib.sh"
need_root

# expect_error CODE TEXT ARGS...: exit CODE, one line on stderr holding TEXT.
expect_error() {
	local code=$1 text=$2 rc
	shift 2
	(cd "$WORK" && "$TOOL" "$@") > "$WORK/stdout.txt" 2> "$WORK/stderr.txt"
	rc=$?
	[ "$rc" -eq "$code" ] || fail "'$*' exited $rc, expected $code: $(cat "$WORK/stderr.txt")"
	[ "$(wc -l < "$WORK/stderr.txt")" -eq 1 ] || fail "'$*' printed more than one line: $(cat "$WORK/stderr.txt")"
	grep -q -- "$text" "$WORK/stderr.txt" || fail "'$*' said '$(cat "$WORK/stderr.txt")', expected '$text'"
}

# Not root: exit 1 and one line.
chmod 755 "$WORK"
setpriv --reuid=65534 --regid=65534 --clear-groups "$TOOL" -d 1 > "$WORK/stdout.txt" 2> "$WORK/stderr.txt"
rc=$?
[ "$rc" -eq 1 ] || fail "as nobody: exit $rc, expected 1"
[ "$(wc -l < "$WORK/stderr.txt")" -eq 1 ] && grep -q "must be run as root" "$WORK/stderr.txt" ||
	fail "as nobody: $(cat "$WORK/stderr.txt")"

# Bad command lines: exit 2.
expect_error 2 "invalid --threshold '-1'" -t -1
expect_error 2 "invalid --threshold '0'" --threshold 0
expect_error 2 "-T/--tree-threshold was removed" -T many
expect_error 2 "invalid --rank 'many'" --rank many
expect_error 2 "invalid --window '0'" -w 0
expect_error 2 "invalid --duration" -d -3
expect_error 2 "from 1 to 10000000" -t 99999999999
expect_error 2 "unknown option '--bogus'" --bogus
expect_error 2 "invalid --probe-mode" --probe-mode fentry
expect_error 2 "unknown --arch-probe symbol 'sys_nonesuch'" --arch-probe sys_nonesuch
grep -q "candidates: .*sys_clone" "$WORK/stderr.txt" || fail "the --arch-probe error lists no candidates"
# An empty item after a symbol of this kernel (items are checked in order).
case "$(uname -m)" in
aarch64) entry=__arm64_sys_clone ;;
*) entry=__x64_sys_clone ;;
esac
expect_error 2 "comma-separated" --arch-probe "$entry,,x"
# A log that cannot be written: exit 3, before anything is compiled.
expect_error 3 "cannot write log /proc/nonexistent/x.log" -l /proc/nonexistent/x.log -d 1
expect_error 3 "cannot write log /: Is a directory" -l / -d 1
expect_error 3 "cannot write log /dev/null: not a regular file" -l /dev/null -d 1
# A FIFO is refused at once, not waited on for a reader.
mkfifo "$WORK/log.fifo"
expect_error 3 "cannot write log $WORK/log.fifo: not a regular file" -l "$WORK/log.fifo" -d 1
# A textfile that cannot be written, and a metrics address that cannot be
# served: exit 3, before anything is compiled.
expect_error 3 "cannot write --metrics-textfile /proc/nonexistent/fw.prom: directory /proc/nonexistent" \
	--metrics-textfile /proc/nonexistent/fw.prom --no-log -d 1
expect_error 3 "cannot write --metrics-textfile /: not a regular file" --metrics-textfile / --no-log -d 1
expect_error 3 "--metrics-addr: cannot resolve 'fw-no-such-host.invalid'" \
	--metrics-addr fw-no-such-host.invalid:9464 --no-log -d 1
# A --pid above every possible pid, and a cgroup that does not exist: exit 2.
expect_error 2 "invalid --pid 4194304: no such process" -e -p 4194304 -d 1 --no-log
if awk '$3 == "cgroup2"' /proc/mounts | grep -q .; then
	expect_error 2 "invalid --allow cgroup:/fw-no-such-cgroup: no such cgroup" --kill \
		--allow cgroup:/fw-no-such-cgroup -d 1 --no-log
else
	expect_error 2 "--allow cgroup: needs a cgroup v2 mount; none is mounted" --kill \
		--allow cgroup:/fw-no-such-cgroup -d 1 --no-log
fi
# A pid file that cannot be written: exit 2 for none, 3 for a bad place.
expect_error 2 "invalid --pid-file ''" --pid-file "" -d 1
expect_error 3 "cannot write --pid-file /proc/nonexistent/fw.pid" --pid-file /proc/nonexistent/fw.pid -d 1 --no-log
expect_error 2 "invalid --records '1000': expected a power of two from 1024" --records 1000
# A metrics port another process holds: exit 3, before anything is compiled.
port=$((20000 + RANDOM % 20000))
/usr/bin/python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); print("ready", flush=True); time.sleep(60)' \
	"$port" > "$WORK/holder.txt" &
holder=$!
for _ in $(seq 50); do grep -q ready "$WORK/holder.txt" && break; sleep 0.1; done
expect_error 3 "cannot listen on 127.0.0.1:$port" --metrics-addr "$port" --no-log -d 1
kill "$holder"; wait "$holder" 2> /dev/null
# Kernel headers that are not a tree, or not there: exit 4.
expect_error 4 "not a kernel header tree" --kernel-headers /usr -d 1
BCC_KERNEL_SOURCE=/nonexistent-fw expect_error 4 "BCC_KERNEL_SOURCE=/nonexistent-fw: no such directory" -d 1
# A tree that does not compile: exit 5 with the compiler's first error
# (libbcc 0.26 crashes on this one after clang's error: the helper says so).
mkdir -p "$WORK/badhdr/include/linux" "$WORK/badhdr/include/generated"
echo '#error this header tree is broken' > "$WORK/badhdr/include/linux/kconfig.h"
: > "$WORK/badhdr/include/generated/autoconf.h"
expect_error 5 "cannot compile the probe with the kernel headers in $WORK/badhdr: .*this header tree is broken" \
	--kernel-headers "$WORK/badhdr" -d 1 --no-log

# --help and --version go to stdout, exit 0.
"$TOOL" --help > "$WORK/help.txt" || fail "--help failed"
grep -q "Examples:" "$WORK/help.txt" || fail "--help has no examples"
"$TOOL" --version | grep -q "^bcc-forkwatch " || fail "--version"

# --list-probes: the arch's clone/clone3/fork/vfork symbols and why.
"$TOOL" --list-probes > "$WORK/list.txt" 2>&1 || fail "--list-probes failed"
case "$(uname -m)" in
x86_64) want="__x64_sys_clone3" ;;
aarch64) want="__arm64_sys_clone3" ;;
*) want="clone" ;;
esac
grep -q "$want" "$WORK/list.txt" || fail "--list-probes does not list $want"
grep -q "task:task_newtask" "$WORK/list.txt" || fail "--list-probes does not list the core tracepoints"

tracefs=/sys/kernel/tracing
[ -d /sys/kernel/debug/tracing ] && tracefs=/sys/kernel/debug/tracing
if [ -e /sys/bus/event_source/devices/kprobe/type ] || [ -e "$tracefs/kprobe_events" ]; then
	kprobes=yes
else
	kprobes=no
	# Forcing kprobes where none can attach is an error, not a silent fallback.
	expect_error 5 "cannot attach kprobes" --probe-mode kprobe -d 1 --no-log
fi

# Teardown after Ctrl-C: the programs and maps this run holds (its
# descriptors' fdinfo names them, whatever else the machine loads) are
# gone, and so are kprobe_events entries (where the kernel has them).
start_tool --no-log
held() { grep -hs "^$1_id:" /proc/"$TOOL_PID"/fdinfo/* | awk '{ print $2 }' | sort -un | jq -s -c .; }
ours_progs=$(held prog)
ours_maps=$(held map)
[ "$(jq length <<< "$ours_progs")" -ge 3 ] || fail "expected our programs loaded, found $ours_progs"
bpftool map show -j | jq -e '.[] | select(.name == "procs")' > /dev/null || fail "no procs map while running"
if [ "$kprobes" = yes ] && [ -e "$tracefs/kprobe_events" ]; then
	cp "$tracefs/kprobe_events" "$WORK/kprobe_events.during"
fi
pid=$TOOL_PID
stop_tool
left=$(bpftool prog show -j | jq -c --argjson o "$ours_progs" '[.[] | select(.id as $i | $o | index($i)) | .id]')
[ "$left" = "[]" ] || fail "programs left after exit: $left"
left=$(bpftool map show -j | jq -c --argjson o "$ours_maps" '[.[] | select(.id as $i | $o | index($i)) | .id]')
[ "$left" = "[]" ] || fail "maps left after exit: $left"
if [ -e "$tracefs/kprobe_events" ]; then
	! grep -q "_bcc_$pid" "$tracefs/kprobe_events" || fail "kprobe_events still holds our probes"
	echo "checked: kprobe_events holds nothing of ours"
else
	echo "note: no kprobe_events on this kernel; the vm tests check it"
fi

# SIGHUP does not end it (it reopens the log; with none it says so), and
# its pid file is locked while it runs: a second instance is refused it.
start_tool --no-log --pid-file "$WORK/held.pid"
[ "$(cat "$WORK/held.pid")" = "$TOOL_PID" ] || fail "--pid-file holds '$(cat "$WORK/held.pid")', not $TOOL_PID"
expect_error 3 "cannot write --pid-file $WORK/held.pid: another running instance holds it" \
	--pid-file "$WORK/held.pid" -d 1 --no-log
kill -HUP "$TOOL_PID"
for _ in $(seq 50); do grep -q "SIGHUP: no log to reopen" "$WORK/err.txt" && break; sleep 0.1; done
grep -q "SIGHUP: no log to reopen" "$WORK/err.txt" || fail "SIGHUP: $(tail -2 "$WORK/err.txt")"
kill -0 "$TOOL_PID" || fail "SIGHUP ended the tool"
stop_tool
# A log that cannot be opened again by its name (its directory went): the
# tool says why and goes on writing to the file it has open.
mkdir "$WORK/gone"
start_tool -l "$WORK/gone/m.log" --pid-file "$WORK/held.pid"
rm -rf "$WORK/gone"
kill -HUP "$TOOL_PID"
for _ in $(seq 50); do grep -q "SIGHUP: .*still writing to the file it had open" "$WORK/err.txt" && break; sleep 0.1; done
grep -q "SIGHUP: .*$WORK/gone/m.log.*; still writing to the file it had open" "$WORK/err.txt" ||
	fail "SIGHUP with the log's directory gone: $(tail -2 "$WORK/err.txt")"
kill -0 "$TOOL_PID" || fail "SIGHUP with no log to reopen ended the tool"
# SIGTERM ends it cleanly too (the pid file goes), and --duration on its own.
kill -TERM "$TOOL_PID"
wait "$TOOL_PID"
rc=$?
TOOL_PID=""
[ "$rc" -eq 0 ] || fail "SIGTERM: exit $rc"
jq -e 'select(.event == "summary")' "$WORK/out.json" > /dev/null || fail "SIGTERM: no summary"
[ ! -e "$WORK/held.pid" ] || fail "the pid file was left after exit"
(cd "$WORK" && "$TOOL" -d 1 --no-log > "$WORK/d.txt" 2>&1) || fail "-d 1 failed"
grep -q "1.0s:" "$WORK/d.txt" || fail "-d 1: $(tail -1 "$WORK/d.txt")"
# A stdout whose reader went away (| head): the tool says so and stops,
# exit 0 with its summary, long before its --duration.
(cd "$WORK" && timeout $((ATTACH_SECONDS + 60)) bash -c '"$0" -e --no-log -d 100 2> "$1" | head -n 1 > /dev/null' \
	"$TOOL" "$WORK/pipe.err") &
piper=$!
for _ in $(seq $((ATTACH_SECONDS * 10))); do grep -q attached "$WORK/pipe.err" 2> /dev/null && break; sleep 0.1; done
for _ in $(seq 20); do /bin/true; done
wait "$piper" || fail "| head: the pipeline failed (timed out?): $(tail -2 "$WORK/pipe.err")"
grep -q "cannot write events to stdout: Broken pipe; stopping" "$WORK/pipe.err" ||
	fail "| head: $(tail -3 "$WORK/pipe.err")"
grep -q "summary\|[0-9]s:" "$WORK/pipe.err" || fail "| head: no summary: $(tail -3 "$WORK/pipe.err")"
# A stdout closed before the first alert, without -e (JSON lines only: the
# start line is the first write): said, stopped, exit 0.
(cd "$WORK" && timeout 120 bash -c '"$0" -j --no-log -d 100 2> "$1" | true' "$TOOL" "$WORK/closed.err") ||
	fail "a closed stdout: the pipeline failed (timed out?): $(tail -2 "$WORK/closed.err")"
grep -q "cannot write alerts to stdout: .*; stopping" "$WORK/closed.err" || fail "a closed stdout: $(tail -2 "$WORK/closed.err")"
# A signal before the probes are attached (while compiling): the tool ends
# at once with the signal's status, and its compiler helper with it
# (PR_SET_PDEATHSIG); nothing was attached yet, and programs and maps go
# with their descriptors.
(cd "$WORK" && exec "$TOOL" --no-log -d 100 > /dev/null 2> "$WORK/early.err") &
early=$!
helper=""
for _ in $(seq 100); do helper=$(pgrep -P "$early" -x fw-compile) && break; sleep 0.05; done
[ -n "$helper" ] || fail "no compiler helper seen under pid $early"
kill -TERM "$early"
wait "$early"
rc=$?
[ "$rc" -eq 143 ] || fail "SIGTERM while compiling: exit $rc, expected 143 (the signal's)"
for _ in $(seq 50); do [ "$(awk '{ print $3 }' "/proc/$helper/stat" 2> /dev/null)" = Z ] || [ ! -e "/proc/$helper" ] && break; sleep 0.1; done
[ ! -e "/proc/$helper" ] || [ "$(awk '{ print $3 }' "/proc/$helper/stat")" = Z ] ||
	fail "the compiler helper $helper outlived the tool"
# The default log is ./metrics.log with the original's columns first.
(cd "$WORK" && "$TOOL" -d 0.2 > /dev/null 2>&1) || fail "default log run failed"
head -1 "$WORK/metrics.log" | grep -q '^timestamp,pid,tgid,hostname,subprocesses,' || fail "default metrics.log"
echo "PASS: lifecycle (kprobes on this kernel: $kprobes)"
