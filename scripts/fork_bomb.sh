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
# freezes the bomb and prints how many of the bomb's processes were still
# alive (zombies not counted): 0 means something contained it. For the
# chain modes it is a child subreaper (see below).
set -u
export LC_ALL=C # $EPOCHREALTIME with a dot

usage() {
	cat <<'EOF'
Usage: sudo scripts/fork_bomb.sh [MODE] [-t SECONDS] [-m PIDS_MAX] [-b FW_BOMB] [-w FIFO]
                                [-g CGROUP] [-n]

Modes:
  classic   the bash bomb :(){ :|:& };:  (default)
  spawn     one shell starting 'sleep 9999 &' over and over (the original
            fork_bomb.sh pattern)
  chain     bash f() { f & }; f: each member starts one copy of itself and exits
  dash      the function bomb in dash: f(){ f|f& };f
  perl      perl's fork while 1 (a refused fork is retried after 1 ms, up to 1 s)
  python    os.fork() in a loop in python3 -I -S (retried as perl's)
  exec      a script starting itself twice by path and exiting: "$0" & "$0" &
  c-loop    for (;;) fork();  in C
  c-chain   the chain in C: fork, the parent exits, the child goes on
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
  -g CGROUP    the bomb's cgroup, a path below each hierarchy's root made of
               names of letters, digits and ._@:- (default fw-bomb-PID). Its
               parents are made as needed and those made are removed after,
               e.g. system.slice/fw-test.service, or
               system.slice/docker-ID.scope with ID 64 hex digits
  -n           run the bomb in a new pid namespace (unshare -fp --mount-proc)
               under an init of its own (bash): the root line then names
               unshare, and the bomb's root is pid 2 inside, its grandchild
  -h           this help

Example:
  sudo scripts/fork_bomb.sh classic -t 3 -m 512
  sudo scripts/fork_bomb.sh classic -g system.slice/fw-test.service -n
EOF
}

die() { echo "fork_bomb.sh: $*" >&2; exit 2; }

mode=classic seconds=5 pids_max=1024 bomb_bin="" go="" exec_dir="" cg_path="" new_pidns=0
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
args=("$@")
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	-t) [ $# -ge 2 ] || die "-t needs a value"; seconds=$2; shift 2 ;;
	-m) [ $# -ge 2 ] || die "-m needs a value"; pids_max=$2; shift 2 ;;
	-b) [ $# -ge 2 ] || die "-b needs a value"; bomb_bin=$2; shift 2 ;;
	-w) [ $# -ge 2 ] || die "-w needs a value"; go=$2; shift 2 ;;
	-g) [ $# -ge 2 ] || die "-g needs a value"; cg_path=$2; shift 2 ;;
	-n) new_pidns=1; shift ;;
	classic|spawn|c-loop|vfork|clone3|threads|chain|dash|perl|python|exec|c-chain) mode=$1; shift ;;
	*) die "unknown argument '$1' (see -h)" ;;
	esac
done
[[ $seconds =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk "BEGIN{exit !($seconds >= 0.2 && $seconds <= 60)}" ||
	die "invalid -t '$seconds': expected 0.2 to 60 seconds"
[[ $pids_max =~ ^[0-9]+$ ]] && [ "$pids_max" -ge 16 ] && [ "$pids_max" -le 100000 ] ||
	die "invalid -m '$pids_max': expected 16 to 100000"
if [ -n "$cg_path" ]; then
	[[ $cg_path =~ ^[A-Za-z0-9_.@:-]+(/[A-Za-z0-9_.@:-]+)*$ ]] && [[ ! $cg_path =~ (^|/)\.\.?(/|$) ]] &&
		[[ ! $cg_path =~ (^|/)cgroup\. ]] ||
		die "invalid -g '$cg_path': expected a relative path of names (letters, digits, ._@:-)"
fi
[ "$(id -u)" -eq 0 ] || die "must run as root (it creates cgroups)"
if [ "$new_pidns" -eq 1 ]; then
	command -v unshare > /dev/null || die "-n needs unshare (util-linux)"
fi

# A chain's members are orphans from birth (each parent exits at once): the
# nearest child subreaper or pid 1 reaps them, and pids.max counts each one
# until then. An init that reaps only now and then (about once a second on
# the test VMs) lets the chain fill pids.max with zombies and stall, two or
# three alive. So for the chain modes this script re-execs itself as a
# child subreaper (kept across exec, same pid): bash reaps them as they die.
case "$mode" in
chain|c-chain)
	if [ -z "${FW_BOMB_SUBREAPER:-}" ] && [ -x /usr/bin/python3 ]; then
		export FW_BOMB_SUBREAPER=1
		exec /usr/bin/python3 -I -S -c 'import ctypes, os, sys
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    print("fork_bomb.sh: not a child subreaper (" + os.strerror(ctypes.get_errno()) +
          "): the chain'"'"'s members are reaped by pid 1", file=sys.stderr)
os.execv(sys.argv[1], sys.argv[1:])' "$BASH" "${BASH_SOURCE[0]}" "${args[@]}"
	elif [ -z "${FW_BOMB_SUBREAPER:-}" ]; then
		echo "fork_bomb.sh: no /usr/bin/python3 to become a child subreaper: the chain's members are reaped by pid 1" >&2
	fi
	;;
esac
unset FW_BOMB_SUBREAPER
if [ -n "$go" ]; then
	[ ! -e "$go" ] || die "invalid -w '$go': it exists already"
	mkfifo -m 600 "$go" || die "invalid -w '$go': cannot create a named pipe there"
fi

# The C modes need the helper; the others an interpreter.
case "$mode" in
dash|perl) command -v "$mode" > /dev/null || die "mode $mode needs $mode" ;;
python) [ -x /usr/bin/python3 ] || die "mode python needs /usr/bin/python3" ;;
c-loop|vfork|clone3|threads|c-chain)
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
name=${cg_path:-fw-bomb-$$}
made_cgs=() # the cgroups this script made, parents first: removed in reverse

remove_cgs() {
	local i
	for ((i = ${#made_cgs[@]} - 1; i >= 0; i--)); do
		[ -d "${made_cgs[i]}" ] && rmdir "${made_cgs[i]}" 2>/dev/null
	done
}

# make_cg MOUNT: makes MOUNT/$name and whatever parents it lacks (on cgroup
# v2 with the pids controller given to each parent made). Fails if the
# bomb's own cgroup exists already.
make_cg() {
	local mnt=$1 rel="" part
	local IFS=/
	for part in $name; do
		rel=${rel:+$rel/}$part
		if [ "$rel" = "$name" ]; then
			mkdir "$mnt/$rel" || return 1
			made_cgs+=("$mnt/$rel")
		elif [ ! -d "$mnt/$rel" ]; then
			mkdir "$mnt/$rel" || return 1
			made_cgs+=("$mnt/$rel")
			[ -e "$mnt/$rel/cgroup.subtree_control" ] &&
				echo +pids > "$mnt/$rel/cgroup.subtree_control" 2>/dev/null
		fi
	done
	return 0
}
v2_mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
v1_pids=$(awk '$3 == "cgroup" && $4 ~ /(^|,)pids(,|$)/ { print $2; exit }' /proc/mounts)
v1_freezer=$(awk '$3 == "cgroup" && $4 ~ /(^|,)freezer(,|$)/ { print $2; exit }' /proc/mounts)
limit_cg="" kill_cg="" freeze_cg=""

if [ -n "$v2_mnt" ] && grep -qw pids "$v2_mnt/cgroup.controllers" 2>/dev/null; then
	grep -qw pids "$v2_mnt/cgroup.subtree_control" ||
		echo +pids > "$v2_mnt/cgroup.subtree_control" 2>/dev/null
	make_cg "$v2_mnt" && limit_cg="$v2_mnt/$name"
	if [ -z "$limit_cg" ] || [ ! -e "$limit_cg/pids.max" ]; then
		remove_cgs
		made_cgs=() limit_cg=""
	fi
	[ -n "$limit_cg" ] && [ -e "$limit_cg/cgroup.kill" ] && kill_cg=$limit_cg
fi
if [ -z "$limit_cg" ] && [ -n "$v1_pids" ]; then
	make_cg "$v1_pids" && limit_cg="$v1_pids/$name"
	# v2 next to v1 (hybrid): a v2 group just for cgroup.kill.
	if [ -n "$v2_mnt" ] && [ ! -e "$v2_mnt/$name" ] && make_cg "$v2_mnt" 2>/dev/null; then
		[ -e "$v2_mnt/$name/cgroup.kill" ] && kill_cg="$v2_mnt/$name"
	fi
	if [ -z "$kill_cg" ] && [ -n "$v1_freezer" ] && [ ! -e "$v1_freezer/$name" ] &&
		make_cg "$v1_freezer" 2>/dev/null; then
		freeze_cg="$v1_freezer/$name"
	fi
fi
[ -n "$limit_cg" ] || { remove_cgs; die "no pids cgroup controller (v2 or v1) or cannot make cgroup $name: refusing to run a bomb without one"; }
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

# At the end the bomb is frozen before it is counted and killed (v2's
# cgroup.freeze where there is cgroup.kill, else the v1 freezer): a bomb
# whose members retry refused forks keeps both cores busy (each refused fork
# costs nearly a whole fork: the pids check comes after the copy of the
# memory), and counting and cleaning up beside it took 5 to 20 seconds.
# A frozen bomb uses no CPU, and its count holds still. Bounded to a second.
freeze_bomb() {
	local i k v
	if [ -n "$kill_cg" ] && [ -e "$kill_cg/cgroup.freeze" ]; then
		echo 1 > "$kill_cg/cgroup.freeze" 2>/dev/null || return 0
		for i in $(seq 100); do
			while read -r k v; do
				[ "$k" = frozen ] && [ "$v" = 1 ] && return 0
			done < "$kill_cg/cgroup.events"
			sleep 0.01
		done
	elif [ -n "$freeze_cg" ]; then
		echo FROZEN > "$freeze_cg/freezer.state" 2>/dev/null || return 0
		for i in $(seq 50); do
			read -r v < "$freeze_cg/freezer.state"
			[ "$v" = FROZEN ] && return 0
			sleep 0.02
		done
	fi
	return 0
}

cleanup() {
	trap '' INT TERM
	local i left
	if [ -n "$kill_cg" ]; then
		echo 1 > "$kill_cg/cgroup.kill" 2>/dev/null
		# Frozen tasks die of SIGKILL too; thawed, so would any straggler.
		echo 0 > "$kill_cg/cgroup.freeze" 2>/dev/null
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
	# The killed whose parents died too are zombies until pid 1 (or a
	# subreaper) reaps them, and pids.current counts them till then: wait
	# for that (pid 1 on the test VMs reaps about once a second), so that
	# none is left in ps when this script ends. Zombies are harmless: after
	# two seconds it goes on regardless.
	if [ -z "$left" ]; then
		for _ in $(seq 200); do
			read -r cur < "$limit_cg/pids.current" 2>/dev/null || break
			[ "$cur" = 0 ] && break
			sleep 0.01
		done
	fi
	[ -n "$exec_dir" ] && rm -rf "$exec_dir"
	remove_cgs
	if [ -n "$left" ]; then
		echo "fork_bomb.sh: could not clean up: processes left in $limit_cg: $(echo $left)" >&2
		exit 3
	fi
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# Members are copies of the first (fork, no exec), except in vfork, clone3
# and exec, where each one execs the program or script the first one is.
case "$mode" in
classic) cmd=(bash -c ':(){ :|:& };:') ;;
spawn)   cmd=(bash -c 'while :; do sleep 9999 & done') ;;
chain)   cmd=(bash -c 'f() { f & }; f') ;;
dash)    cmd=(dash -c 'f(){ f|f& };f') ;;
# perl and python retry a refused fork after 1 ms, doubling up to a second
# and back to 1 ms on success, as bash does its retries: a refused fork costs
# them about 0.3 ms (the pids check comes after the copy of the memory), so a
# full cgroup of them retrying every millisecond starved everything else on
# two cores (a sleep 0.1 beside the bomb took 30 s).
perl)    cmd=(perl -e '$d = .001; while (1) { if (defined fork) { $d = .001 } else { select undef, undef, undef, $d; $d *= 2 if $d < 1 } }') ;;
python)  cmd=(/usr/bin/python3 -I -S -c 'import os, time
d = .001
while True:
    try:
        os.fork()
        d = .001
    except OSError:
        time.sleep(d)
        d = min(d * 2, 1)') ;;
exec)
	# Started by path, so every member's comm is the script's name.
	exec_dir=$(mktemp -d "${TMPDIR:-/tmp}/fw-bomb-exec.XXXXXX") &&
		printf '#!/bin/sh\n"$0" & "$0" &\n' > "$exec_dir/fw-exec-bomb" &&
		chmod 700 "$exec_dir/fw-exec-bomb" || { cleanup; die "cannot write the exec bomb script"; }
	cmd=("$exec_dir/fw-exec-bomb") ;;
c-chain) cmd=("$bomb_bin" chain) ;;
*)       cmd=("$bomb_bin" "$mode") ;;
esac
# -n: unshare forks a new pid namespace's init (with its own /proc), a
# bash that starts the bomb as its first child (pid 2 there) and then
# sleeps a second at a time, reaping what is left to it, as a container's
# "bash -c" does: a bomb as pid 1 would take the namespace down with it
# when its root exits. Killing the cgroup ends them all. Bash, the classic
# bomb's own program: the init is its parent, never its root, however
# much it looks like it.
[ "$new_pidns" -eq 1 ] &&
	cmd=(unshare -fp --mount-proc bash -c '"$@" & while :; do sleep 1; done' fw-pidns-init "${cmd[@]}")

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
echo "fork_bomb.sh: root $root mode $mode start $start cgroup $limit_cg pids.max $pids_max seconds $seconds$([ "$new_pidns" -eq 1 ] && echo " pidns new (unshare; the bomb starts as pid 2 inside, its grandchild)")"

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
freeze_bomb
live=$(live_count)
read -r _ events < "$limit_cg/pids.events" 2>/dev/null
cleanup
echo "fork_bomb.sh: done mode $mode peak ${peak} tasks, ${events:-0} refused by pids.max, live ${live} at the end, all cleaned up"
