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
# Kernel headers that are not a tree: exit 4.
expect_error 4 "not a kernel header tree" --kernel-headers /usr -d 1

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

# Teardown after Ctrl-C: the programs and maps made by this run are gone,
# and so are kprobe_events entries (where the kernel has them).
before_progs=$(bpftool prog show -j | jq '[.[].id]')
before_maps=$(bpftool map show -j | jq '[.[].id]')
start_tool --no-log
ours_progs=$(bpftool prog show -j | jq -c --argjson b "$before_progs" '[.[] | select(.id as $i | $b | index($i) | not) | .id]')
ours_maps=$(bpftool map show -j | jq -c --argjson b "$before_maps" '[.[] | select(.id as $i | $b | index($i) | not) | .id]')
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

# SIGTERM ends it cleanly too, and --duration on its own.
start_tool --no-log
kill -TERM "$TOOL_PID"
wait "$TOOL_PID"
rc=$?
TOOL_PID=""
[ "$rc" -eq 0 ] || fail "SIGTERM: exit $rc"
jq -e 'select(.event == "summary")' "$WORK/out.json" > /dev/null || fail "SIGTERM: no summary"
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
# The default log is ./metrics.log with the original's columns first.
(cd "$WORK" && "$TOOL" -d 0.2 > /dev/null 2>&1) || fail "default log run failed"
head -1 "$WORK/metrics.log" | grep -q '^timestamp,pid,tgid,hostname,subprocesses,' || fail "default metrics.log"
echo "PASS: lifecycle (kprobes on this kernel: $kprobes)"
