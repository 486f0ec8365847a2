#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fw-file-guard: guarded files and directories cannot be opened but by the
# allowed commands (in lsm mode under any name: a hard link too);
# everything else is untouched; detaching lifts it.
. "$(dirname "$0")/lib.sh"
need_root
T=fw-file-guard

bad_input $T "no path to guard"
bad_input $T "must be absolute" relative/path
bad_input $T "No such file" /nonexistent/fw-guard-test
bad_input $T "write it plainly" /etc/../etc/passwd
bad_input $T "invalid command name" -a averyveryverylongname /etc/hostname
bad_input $T "invalid --mode" -m strict /etc/hostname
bad_input $T "empty item" -a cat,,sh /etc/hostname

# A tmpfs of our own: its inodes are what stat says (the LSM mode matches
# by inode), and nothing else uses it.
G=$WORK/guarded
mkdir -p "$G"
mount -t tmpfs -o size=1m fw-guard "$G" || fail "cannot mount a tmpfs"
CLEANUPS+=("umount '$G'")
mkdir "$G/dir"
echo secret > "$G/secret"
echo inner > "$G/dir/inner"
echo free > "$G/free"
cp "$(command -v cat)" "$WORK/fgallowed" # its comm is "fgallowed"

start_ex -- $T -a fgallowed -o "$WORK/blocked.log" "$G/secret" "$G/dir"
ex_mode
[ "$mode" = lsm ] && want=1 || want=137

blocked() { # PATH: cat must fail the way the mode says
	local out rc
	out=$(cat "$1" 2>&1)
	rc=$?
	[ "$rc" -eq "$want" ] || fail "cat $1: exit $rc, expected $want ($out)"
	[ "$mode" != lsm ] || grep -q "Operation not permitted" <<< "$out" || fail "cat $1: $out"
}
blocked "$G/secret"
blocked "$G/dir/inner"
blocked "$G/dir/"
n_blocked=3
if [ "$mode" = lsm ]; then
	# By inode: another name for the file is guarded too (kill mode sees
	# only the path strings, as its start line says).
	ln "$G/secret" "$G/alias" || fail "cannot make a hard link"
	blocked "$G/alias"
	n_blocked=4
fi
[ "$("$WORK/fgallowed" "$G/secret")" = secret ] || fail "the allowed command could not read the file"
[ "$("$WORK/fgallowed" "$G/dir/inner")" = inner ] || fail "the allowed command could not read below the directory"
[ "$(cat "$G/free")" = free ] || fail "an unguarded file beside them was blocked"
cat /etc/os-release > /dev/null || fail "an unrelated file was blocked"
sleep 0.5
stop_ex
n=$(grep -c "(cat).*guarded: $G/" "$WORK/blocked.log")
[ "$n" -eq "$n_blocked" ] || fail "$n blocks logged in --log, expected $n_blocked: $(cat "$WORK/blocked.log")"
grep -q "detached; $n_blocked opens [a-z]*, 2 allowed" "$WORK/err.txt" || fail "summary: $(tail -1 "$WORK/err.txt")"
[ "$(cat "$G/secret")" = secret ] || fail "still blocked after detaching"
echo "PASS: mode $mode: $n_blocked opens blocked ($( [ "$mode" = lsm ] && echo EPERM || echo killed)), the allowed command and other files untouched, lifted on detach"
