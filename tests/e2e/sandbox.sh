#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Least privilege after attach: every thread of a running instance holds
# exactly the documented capabilities (README, Privileges) and no others in
# any set, has no_new_privs and the seccomp filter; the metrics thread too;
# a syscall outside the allow-list ends the tool with exit 6 and one line.
. "$(dirname "$0")/lib.sh"
need_root

# mask NAME...: the capability bit mask of those names, as /proc shows it.
mask() {
	local m=0 n
	for n in "$@"; do
		case "$n" in
		cap_dac_override) m=$((m | 1 << 1)) ;;
		cap_kill) m=$((m | 1 << 5)) ;;
		cap_sys_ptrace) m=$((m | 1 << 19)) ;;
		cap_sys_admin) m=$((m | 1 << 21)) ;;
		cap_perfmon) m=$((m | 1 << 38)) ;;
		cap_bpf) m=$((m | 1 << 39)) ;;
		*) fail "mask: unknown capability $n" ;;
		esac
	done
	printf '%016x\n' "$m"
}

# The documented set for this run, from what the start line says it
# attached (not from the tool's own list): the maps always; perf events
# when returns are attached on demand (CAP_SYS_ADMIN at paranoid 3); signals for others' processes with
# --kill; CAP_SYS_ADMIN for both before 5.8; DAC override for a textfile
# directory root does not own.
expected() {
	local kill=$1 dac=$2 start names=()
	start=$(jq -c 'select(.event == "start")' "$WORK/out.json")
	if [ "$(cat /proc/sys/kernel/cap_last_cap)" -ge 39 ]; then
		names+=(cap_bpf)
		# Debian's kernels at perf_event_paranoid 3 want CAP_SYS_ADMIN
		# for perf_event_open, CAP_PERFMON notwithstanding.
		if jq -e '.returns | test("on demand")' <<< "$start" > /dev/null; then
			if [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -ge 3 ]; then
				names+=(cap_sys_admin)
			else
				names+=(cap_perfmon)
			fi
		fi
	else
		names+=(cap_sys_admin)
	fi
	[ "$kill" = 1 ] && names+=(cap_kill)
	awk '$9 == "proc" && $NF ~ /hidepid=([1-9]|invisible|ptraceable|noaccess)/' /proc/self/mountinfo |
		grep -q . && names+=(cap_sys_ptrace)
	[ "$dac" = 1 ] && names+=(cap_dac_override)
	mask "${names[@]}"
}

# check_threads WANT THREADS: every thread's sets, no_new_privs, seccomp.
check_threads() {
	local want=$1 threads=$2 t n=0 f
	for t in /proc/"$TOOL_PID"/task/*; do
		f=$t/status
		n=$((n + 1))
		[ "$(awk '/^CapEff:/ { print $2 }' "$f")" = "$want" ] ||
			fail "thread ${t##*/}: CapEff $(awk '/^CapEff:/ { print $2 }' "$f"), expected $want"
		[ "$(awk '/^CapPrm:/ { print $2 }' "$f")" = "$want" ] || fail "thread ${t##*/}: CapPrm not $want"
		for set in CapInh CapBnd CapAmb; do
			[ "$(awk -v s="$set:" '$1 == s { print $2 }' "$f")" = 0000000000000000 ] ||
				fail "thread ${t##*/}: $set not empty: $(grep "^$set" "$f")"
		done
		grep -q "^NoNewPrivs:[[:space:]]*1" "$f" || fail "thread ${t##*/}: no no_new_privs"
		grep -q "^Seccomp:[[:space:]]*2" "$f" || fail "thread ${t##*/}: no seccomp filter"
	done
	[ "$n" -eq "$threads" ] || fail "$n threads, expected $threads"
	jq -e --arg w "$want" 'select(.event == "start") | .seccomp_syscalls > 50' "$WORK/out.json" > /dev/null ||
		fail "the start line gives no seccomp allow-list size"
}

# 1. Defaults.
start_tool --no-log
check_threads "$(expected 0 0)" 1
grep -q "Runs with cap_" "$WORK/err.txt" || fail "the start line does not say what it keeps"
stop_tool

# 2. --kill, with metrics served: libmicrohttpd's thread is made after the
# drop and has the same sets; scrapes still work; a bomb is still contained
# (the sweep's signals, the on-demand attaches).
port=$((20000 + RANDOM % 20000))
start_tool --no-log --kill --metrics-addr "127.0.0.1:$port"
check_threads "$(expected 1 0)" 2
curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^forkwatch_tasks_created_total' ||
	fail "no metrics after the drop"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")" = 404 ] || fail "no 404 after the drop"
BOMB_SECONDS=4 BOMB_MAX=512 run_bomb classic
grep -q "live 0 at the end" "$WORK/bomb.txt" || fail "the bomb was not contained under the sandbox: $(tail -1 "$WORK/bomb.txt")"
stop_tool
kills | jq -e 'select(.killed > 0)' > /dev/null || fail "no kill reported"

# 3. --dry-run signals nobody: no CAP_KILL.
start_tool --no-log --dry-run
check_threads "$(expected 0 0)" 1
stop_tool

# 4. A textfile directory owned by another user: DAC override kept, and the
# file is written there.
mkdir -p "$WORK/textfile"
chown 65534:65534 "$WORK/textfile"
chmod 755 "$WORK/textfile"
start_tool --no-log --metrics-textfile "$WORK/textfile/forkwatch.prom"
check_threads "$(expected 0 1)" 1
for _ in $(seq 100); do [ -s "$WORK/textfile/forkwatch.prom" ] && break; sleep 0.1; done
[ -s "$WORK/textfile/forkwatch.prom" ] || fail "no textfile written after the drop"
stop_tool

# 5. A syscall outside the allow-list: refused by the filter, exit 6, one
# line naming it.
(cd "$WORK" && FORKWATCH_TEST_REFUSED_SYSCALL=1 exec "$TOOL" --no-log "${EXTRA[@]}") > /dev/null 2> "$WORK/err.txt"
rc=$?
[ "$rc" -eq 6 ] || fail "a refused syscall: exit $rc, expected 6"
tail -1 "$WORK/err.txt" | grep -q "seccomp allow-list refused syscall [0-9]* (reboot)" ||
	fail "a refused syscall: $(tail -1 "$WORK/err.txt")"
echo "PASS: sandbox"
