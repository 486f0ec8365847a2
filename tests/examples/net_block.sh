#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fw-net-block: a target's network syscalls are denied (LSM) or end it
# (kill); other commands are untouched; detaching lifts it.
. "$(dirname "$0")/lib.sh"
need_root
T=fw-net-block
P=$HELPERS/fw-netprobe
CALLS="connect sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg"

bad_input $T "no target command"
bad_input $T "invalid command name" averyveryverylongname
bad_input $T "invalid --mode" -m deny curl
bad_input $T "unknown option" --frobnicate curl

start_ex -- $T -o "$WORK/blocked.log" nbtarget
ex_mode
[ "$mode" = lsm ] && want=3 || want=137
for c in $CALLS; do
	out=$("$P" nbtarget call "$c" 2>&1)
	rc=$?
	[ "$rc" -eq "$want" ] || fail "target $c: exit $rc, expected $want ($out)"
	out=$("$P" nbother call "$c" 2>&1) || fail "a command not targeted was blocked at $c: $out"
done
sleep 0.5
stop_ex
n=$(grep -c "(nbtarget)" "$WORK/blocked.log")
[ "$n" -eq 7 ] || fail "$n blocks logged, expected 7: $(cat "$WORK/blocked.log")"
grep -q "detached; 7 calls" "$WORK/err.txt" || fail "summary: $(tail -1 "$WORK/err.txt")"
"$P" nbtarget call sendto > /dev/null || fail "still blocked after detaching"
echo "PASS: mode $mode: all 7 calls blocked ($( [ "$mode" = lsm ] && echo EPERM || echo killed)), others untouched, lifted on detach"
