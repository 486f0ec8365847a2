#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fw-mem-limit: a target that maps past its limit, in one mmap, in total or
# through brk, is killed and logged; under the limit, and other commands,
# are untouched.
. "$(dirname "$0")/lib.sh"
need_root
T=fw-mem-limit
HOG=$HELPERS/fw-memhog

bad_input $T "no COMM=BYTES"
bad_input $T "expected COMM=BYTES" postgres
bad_input $T "at least 1 byte" postgres=0
bad_input $T "invalid size" postgres=12X
bad_input $T "invalid command name" averyveryverylongname=1M
bad_input $T "two limits" a=1M a=2M
bad_input $T "invalid --duration" -d soon a=1M

start_ex -- $T -o "$WORK/kills.log" mlhog=64M mlsmall=1M
hog() { # COMM MODE STEP COUNT EXPECTED_EXIT
	"$HOG" "$1" "$2" "$3" "$4" > "$WORK/hog.txt"
	local rc=$?
	[ "$rc" -eq "$5" ] || fail "fw-memhog $*: exit $rc, expected $5 (last: $(tail -1 "$WORK/hog.txt"))"
}
hog mlhog mmap 4 8 0       # 32 MiB: under the limit
hog mlhog mmap 16 8 137    # the fourth 16 MiB crosses 64 MiB
grep -qx "mapped 48 MiB" "$WORK/hog.txt" || fail "killed at the wrong mmap: $(tail -1 "$WORK/hog.txt")"
hog mlhog mmap 100 1 137   # one mmap over the limit
hog mlhog brk 8 16 137     # the heap grows past it
hog mlother mmap 16 8 0    # not a target
sleep 0.5
stop_ex
grep -q "killed: pid [0-9]* (mlhog), uid 0: asked for 16 MiB more, [0-9]* MiB in all, over its limit of 64 MiB" "$WORK/kills.log" ||
	fail "no total kill logged: $(cat "$WORK/kills.log")"
grep -q "killed: pid [0-9]* (mlhog), uid 0: one mmap of 100 MiB, over its limit of 64 MiB" "$WORK/kills.log" ||
	fail "no one-mmap kill logged: $(cat "$WORK/kills.log")"
[ "$(grep -c killed "$WORK/kills.log")" -eq 3 ] || fail "expected 3 kills logged: $(cat "$WORK/kills.log")"
grep -q "detached; 3 processes killed" "$WORK/err.txt" || fail "summary: $(tail -1 "$WORK/err.txt")"
echo "PASS: 3 kills (total at 64 MiB, one mmap, brk), logged; under the limit and other commands untouched"
