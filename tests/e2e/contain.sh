#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Containment on loads that are not bombs, so each check is exact:
#   --limit: the 6th child kills a process limited to 5; other names go free;
#   --kill: a process over --spawn-max dies (the spawner rule), and its idle
#     workers with it; the same load lives when --allow covers it by
#     command, by user or by cgroup, and each exemption is counted by cause;
#   the tool's ancestors: this script, which starts the tool, spawns past
#     --spawn-max and lives;
#   kernel threads: kthreadd under --limit kthreadd=0 creates journal threads
#     for an ext4 mount, and every kill that was due is spared;
#   --dry-run: the same process lives and the report says what would go.
. "$(dirname "$0")/lib.sh"
need_root

# kills [RULE]: kill records as JSON lines.
kills() { jq -c --arg r "${1:-}" 'select(.event == "kill" and ($r == "" or .rule == $r))' "$WORK/out.json"; }
spared() { summary | jq ".spared_by.$1"; }
# live_workers COMM: processes with that command that are not zombies.
live_workers() { ps -C "$1" -o stat= | grep -vc '^Z'; }

# --- --limit --------------------------------------------------------------
start_tool --no-log --limit fwlim=5
"$BOMB" as fwlim fork-n 10 > "$WORK/lim.txt"
rc=$?
"$BOMB" as fwother fork-n 10 > "$WORK/other.txt" || fail "an unlimited command failed"
sleep 0.3
stop_tool
[ "$rc" -eq 137 ] || fail "the limited process exited $rc, not by SIGKILL (137)"
[ "$(grep -c '^child' "$WORK/lim.txt")" -eq 5 ] || fail "the limited process made $(grep -c '^child' "$WORK/lim.txt") children before dying, not 5"
[ "$(grep -c '^child' "$WORK/other.txt")" -eq 10 ] || fail "an unlimited command was cut short"
self=$(awk '/^self/ {print $2}' "$WORK/lim.txt")
kills limit | jq -e --argjson p "$self" 'select(.tgid == $p and .count == 6 and .threshold == 5)' > /dev/null ||
	fail "no limit kill record for $self: $(kills)"
echo "limit: killed at its 6th child; unlimited command made all 10"

# --- --kill: the spawner rule (--spawn-max 64), and --allow ----------------
v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$v2" ] || fail "no cgroup v2 mount for the --allow cgroup: check"
cg=fw-allow-$$
mkdir "$v2/$cg" || fail "cannot create the cgroup $v2/$cg"
trap 'rmdir "$v2/$cg" 2>/dev/null; cleanup_e2e' EXIT
start_tool --no-log --kill --spawn-max 64 --allow comm:fwallow --allow uid:65534 --allow "cgroup:/$cg"
"$BOMB" as fwserv server 100 3 &
victim=$!
wait "$victim"
rc=$?
[ "$rc" -eq 137 ] || fail "a process over --spawn-max exited $rc, not by SIGKILL"
sleep 0.5
left=$(live_workers fwserv)
[ "$left" -eq 0 ] || fail "$left workers of the killed process are still alive"
"$BOMB" as fwallow server 100 1 || fail "a process allowed by command was killed"
setpriv --reuid=65534 --regid=65534 --clear-groups "$BOMB" as fwuid server 100 1 ||
	fail "a process allowed by user was killed"
bash -c 'echo $$ > "$1/cgroup.procs" && exec "$2" as fwcgroup server 100 1' _ "$v2/$cg" "$BOMB" ||
	fail "a process allowed by cgroup was killed"
stop_tool
kills spawner | jq -e --argjson p "$victim" 'select(.root.pid == $p and .killed >= 64)' > /dev/null ||
	fail "no spawner kill record for $victim with its workers: $(kills)"
for cause in allow_comm allow_uid allow_cgroup; do
	[ "$(spared "$cause")" -ge 1 ] || fail "nothing spared by $cause: $(summary | jq -c .spared_by)"
done
alerts | jq -e 'select(.action == "spared")' > /dev/null || fail "no alert says its root was spared"
[ "$(summary | jq .doomed)" -eq 1 ] || fail "an exempt process doomed something: $(summary | jq -c '{doomed, kills}')"
echo "kill: $victim and its workers killed ($(kills spawner | head -1 | jq -r '"\(.killed) killed in \(.took_ms | floor) ms"')); spared by command, user and cgroup: $(summary | jq -c .spared_by)"

# --- the tool's ancestors -------------------------------------------------
# This script starts the tool, then 100 long sleeps at once: over
# --spawn-max, and never killed.
start_tool --no-log --kill --spawn-max 64
sleeps=()
for _ in $(seq 100); do
	sleep 30 &
	sleeps+=("$!")
done
sleep 0.3
alive=0
for p in "${sleeps[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
stop_tool
kill "${sleeps[@]}" 2>/dev/null
wait "${sleeps[@]}" 2>/dev/null
[ "$alive" -eq 100 ] || fail "$alive of this script's 100 sleeps are alive"
[ "$(spared protected)" -ge 1 ] || fail "this script was not spared as the tool's ancestor: $(summary | jq -c .spared_by)"
[ "$(kills | wc -l)" -eq 0 ] || fail "kills for an ancestor's children: $(kills)"
echo "ancestors: this script spawned past --spawn-max and lives, its children too ($(spared protected) spared)"

# --- kernel threads -------------------------------------------------------
command -v mkfs.ext4 > /dev/null || fail "mkfs.ext4 is missing (scripts/install-deps installs e2fsprogs)"
truncate -s 16M "$WORK/ext4.img" && mkfs.ext4 -q -F "$WORK/ext4.img" || fail "cannot make an ext4 image"
mkdir "$WORK/mnt"
start_tool --no-log --limit kthreadd=0
mount -o loop "$WORK/ext4.img" "$WORK/mnt" || fail "cannot mount an ext4 image through a loop device"
umount "$WORK/mnt"
sleep 0.3
stop_tool
[ "$(spared kthread)" -ge 1 ] || fail "no kernel thread creation was spared: $(summary | jq -c .spared_by)"
[ "$(kills | wc -l)" -eq 0 ] || fail "kill records for kernel threads: $(kills)"
kill -0 2 || fail "kthreadd is gone"
echo "kernel threads: kthreadd over its limit made journal threads, $(spared kthread) kills spared"

# --- --dry-run ------------------------------------------------------------
start_tool --no-log --dry-run --spawn-max 64
"$BOMB" as fwserv server 100 1 || fail "--dry-run killed a process"
stop_tool
kills | jq -e 'select(.dry_run == true and .killed >= 64)' > /dev/null || fail "no dry-run report with its workers: $(kills)"
[ "$(summary | jq .dry_run)" = true ] || fail "summary does not say dry run"
echo "PASS: limit; kill with --allow by command, user and cgroup; the tool's ancestors; kernel threads; dry run"
