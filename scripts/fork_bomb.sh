#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fork_bomb.sh: a real fork bomb, safe by construction, to test bcc-forkwatch.
#
# The bomb runs only inside a new cgroup whose pids.max caps it (cgroup v2
# where its pids controller is available, else the v1 pids hierarchy), for at
# most --time seconds. Then every process in the cgroup is killed (with v2's
# cgroup.kill, else frozen with the v1 freezer and killed, else killed in a
# loop until none is left) and the cgroups are removed. It exits non-zero if
# anything could not be cleaned up.
#
# Prints "fork_bomb.sh: root PID ..." once the bomb's first process exists:
# that process is the root a detector should name. When the time is up it
# prints how many of the bomb's processes were still alive (zombies not
# counted): 0 means something contained it.
set -u
export LC_ALL=C # $EPOCHREALTIME with a dot

usage() {
	cat <<'EOF'
Usage: sudo scripts/fork_bomb.sh [MODE] [-t SECONDS] [-m PIDS_MAX] [-b FW_BOMB] [-w FIFO]

Modes:
  classic   the bash bomb :(){ :|:& };:  (default)
  spawn     one shell starting 'sleep 9999 &' over and over (the original
            fork_bomb.sh pattern)
  c-loop    for (;;) fork();  in C
  vfork     every member vforks and execs itself, in a loop
  clone3    every member posix_spawns itself (glibc: clone3), in a loop
  threads   one process creating threads that stay alive

Options:
  -t SECONDS   run the bomb this long, 0.2 to 60 (default 5)
  -m PIDS_MAX  pids.max of the bomb's cgroup, 16 to 100000 (default 1024)
  -b FW_BOMB   the fw-bomb helper for the C modes (default: build/fw-bomb beside
               this script's checkout, else compiled from scripts/bomb.c)
  -w FIFO      start the bomb's first process, print its root line, then wait
               until something is written to FIFO (a named pipe this script
               creates) before it turns into the bomb: a root that already
               exists when a detector starts
  -h           this help

Example:
  sudo scripts/fork_bomb.sh classic -t 3 -m 512
EOF
}

die() { echo "fork_bomb.sh: $*" >&2; exit 2; }

mode=classic seconds=5 pids_max=1024 bomb_bin="" go=""
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	-t) [ $# -ge 2 ] || die "-t needs a value"; seconds=$2; shift 2 ;;
	-m) [ $# -ge 2 ] || die "-m needs a value"; pids_max=$2; shift 2 ;;
	-b) [ $# -ge 2 ] || die "-b needs a value"; bomb_bin=$2; shift 2 ;;
	-w) [ $# -ge 2 ] || die "-w needs a value"; go=$2; shift 2 ;;
	classic|spawn|c-loop|vfork|clone3|threads) mode=$1; shift ;;
	*) die "unknown argument '$1' (see -h)" ;;
	esac
done
[[ $seconds =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk "BEGIN{exit !($seconds >= 0.2 && $seconds <= 60)}" ||
	die "invalid -t '$seconds': expected 0.2 to 60 seconds"
[[ $pids_max =~ ^[0-9]+$ ]] && [ "$pids_max" -ge 16 ] && [ "$pids_max" -le 100000 ] ||
	die "invalid -m '$pids_max': expected 16 to 100000"
[ "$(id -u)" -eq 0 ] || die "must run as root (it creates cgroups)"
if [ -n "$go" ]; then
	[ ! -e "$go" ] || die "invalid -w '$go': it exists already"
	mkfifo -m 600 "$go" || die "invalid -w '$go': cannot create a named pipe there"
fi

# The C modes need the helper.
case "$mode" in
c-loop|vfork|clone3|threads)
	if [ -z "$bomb_bin" ]; then
		for cand in "$here/../build/fw-bomb" "$here/../build-test/fw-bomb"; do
			[ -x "$cand" ] && { bomb_bin=$cand; break; }
		done
	fi
	if [ -z "$bomb_bin" ]; then
		bomb_bin=$(mktemp -d /tmp/fw-bomb.XXXXXX)/fw-bomb
		cc -O2 -pthread -o "$bomb_bin" "$here/bomb.c" || die "cannot compile $here/bomb.c"
	fi
	[ -x "$bomb_bin" ] || die "no fw-bomb helper at '$bomb_bin'"
	;;
esac

# --- cgroups -------------------------------------------------------------
name="fw-bomb-$$"
v2_mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
v1_pids=$(awk '$3 == "cgroup" && $4 ~ /(^|,)pids(,|$)/ { print $2; exit }' /proc/mounts)
v1_freezer=$(awk '$3 == "cgroup" && $4 ~ /(^|,)freezer(,|$)/ { print $2; exit }' /proc/mounts)
limit_cg="" kill_cg="" freeze_cg=""

if [ -n "$v2_mnt" ] && grep -qw pids "$v2_mnt/cgroup.controllers" 2>/dev/null; then
	grep -qw pids "$v2_mnt/cgroup.subtree_control" ||
		echo +pids > "$v2_mnt/cgroup.subtree_control" 2>/dev/null
	mkdir "$v2_mnt/$name" && limit_cg="$v2_mnt/$name"
	[ -e "$limit_cg/pids.max" ] || { rmdir "$limit_cg"; limit_cg=""; }
	[ -n "$limit_cg" ] && [ -e "$limit_cg/cgroup.kill" ] && kill_cg=$limit_cg
fi
if [ -z "$limit_cg" ] && [ -n "$v1_pids" ]; then
	mkdir "$v1_pids/$name" && limit_cg="$v1_pids/$name"
	# v2 next to v1 (hybrid): a v2 group just for cgroup.kill.
	if [ -n "$v2_mnt" ] && mkdir "$v2_mnt/$name" 2>/dev/null; then
		if [ -e "$v2_mnt/$name/cgroup.kill" ]; then kill_cg="$v2_mnt/$name"; else rmdir "$v2_mnt/$name"; fi
	fi
	if [ -z "$kill_cg" ] && [ -n "$v1_freezer" ] && mkdir "$v1_freezer/$name" 2>/dev/null; then
		freeze_cg="$v1_freezer/$name"
	fi
fi
[ -n "$limit_cg" ] || die "no pids cgroup controller (v2 or v1): refusing to run a bomb without one"
echo "$pids_max" > "$limit_cg/pids.max" || die "cannot set pids.max"
[ "$(cat "$limit_cg/pids.max")" = "$pids_max" ] || die "pids.max did not take"

procs_of() { cat "$limit_cg/cgroup.procs" 2>/dev/null; }

# Processes in the bomb's cgroup that are not zombies, without forking (a
# contained bomb leaves zombies until their reaper gets to them).
live_count() {
	local p line state n=0 pids=()
	mapfile -t pids < "$limit_cg/cgroup.procs" 2>/dev/null
	for p in "${pids[@]}"; do
		read -r line < "/proc/$p/stat" 2>/dev/null || continue
		state=${line##*) }
		[ "${state%% *}" = Z ] || n=$((n + 1))
	done
	echo "$n"
}

cleanup() {
	trap '' INT TERM
	local i left
	if [ -n "$kill_cg" ]; then
		echo 1 > "$kill_cg/cgroup.kill" 2>/dev/null
	elif [ -n "$freeze_cg" ]; then
		echo FROZEN > "$freeze_cg/freezer.state" 2>/dev/null
		for i in $(seq 50); do
			[ "$(cat "$freeze_cg/freezer.state")" = FROZEN ] && break
			sleep 0.02
		done
		procs_of | xargs -r kill -9 2>/dev/null
		echo THAWED > "$freeze_cg/freezer.state" 2>/dev/null
	fi
	# Whatever is left (or no kill/freeze support): kill until empty.
	for i in $(seq 500); do
		left=$(procs_of)
		[ -z "$left" ] && break
		echo "$left" | xargs -r kill -9 2>/dev/null
		sleep 0.01
	done
	left=$(procs_of)
	for cg in "$kill_cg" "$freeze_cg" "$limit_cg"; do
		[ -n "$cg" ] && [ -d "$cg" ] && rmdir "$cg" 2>/dev/null
	done
	if [ -n "$left" ]; then
		echo "fork_bomb.sh: could not clean up: processes left in $limit_cg: $(echo $left)" >&2
		exit 3
	fi
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

case "$mode" in
classic) cmd=(bash -c ':(){ :|:& };:') ;;
spawn)   cmd=(bash -c 'while :; do sleep 9999 & done') ;;
*)       cmd=("$bomb_bin" "$mode") ;;
esac

# The subshell joins the cgroups, then becomes the bomb: its pid is the root.
# With -w it waits on the pipe first (a read, no fork), as does this script.
# Times come from the shell ($EPOCHREALTIME), not from a fork that a
# running bomb would delay.
start=$EPOCHREALTIME
(
	for cg in "$limit_cg" "$kill_cg" "$freeze_cg"; do
		[ -n "$cg" ] && echo "$BASHPID" > "$cg/cgroup.procs"
	done
	export FW_BOMB_SECONDS=$seconds
	[ -n "$go" ] && read -r _ < "$go"
	exec "${cmd[@]}" 2>/dev/null
) &
root=$!
disown "$root" # its death at cleanup is expected: no "Killed" job notice
if [ -n "$go" ]; then
	echo "fork_bomb.sh: root $root mode $mode waiting on $go"
	read -r _ < "$go"
	start=$EPOCHREALTIME
	rm -f "$go"
fi
echo "fork_bomb.sh: root $root mode $mode start $start cgroup $limit_cg pids.max $pids_max seconds $seconds"

# The end, in microseconds, compared without forking; the sleep is this
# script's one helper, a process beside the bomb that containment must spare.
frac=
[[ $seconds == *.* ]] && frac=${seconds#*.}
frac=${frac}000000
end_us=$(( ${start/./} + 10#${seconds%.*} * 1000000 + 10#${frac:0:6} ))
peak=0
while [ "${EPOCHREALTIME/./}" -lt "$end_us" ]; do
	read -r cur < "$limit_cg/pids.current" 2>/dev/null || cur=0
	[ "$cur" -gt "$peak" ] && peak=$cur
	sleep 0.1
done
live=$(live_count)
read -r _ events < "$limit_cg/pids.events" 2>/dev/null
cleanup
echo "fork_bomb.sh: done mode $mode peak ${peak} tasks, ${events:-0} refused by pids.max, live ${live} at the end, all cleaned up"
