#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --syslog: Debian's rsyslogd, started here on a socket of its own, and the
# tool in a mount namespace whose /dev (a tmpfs with the usual devices) has
# /dev/log pointing at that socket. Under --kill, a bomb in a cgroup named
# like a service must reach syslog as an alert (daemon.warning) and a kill
# (daemon.err), each one key=value line with its context (from the root, a
# live member, or when the kill left none to read, the cgroup by the
# probe's id), the same as the console's text. Then rsyslogd is restarted and a second bomb's lines must
# arrive through the new socket: glibc reconnects (socket, connect) with
# the seccomp filter on.
. "$(dirname "$0")/lib.sh"
need_root
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[ -x "$RSYSLOGD" ] || { echo "SKIP: no rsyslogd (scripts/install-deps installs rsyslog)"; exit 77; }
command -v unshare > /dev/null || { echo "SKIP: no unshare"; exit 77; }
RSYSLOG_PID=""
stop_rsyslog() {
	[ -n "$RSYSLOG_PID" ] || return 0
	kill "$RSYSLOG_PID" 2>/dev/null
	wait "$RSYSLOG_PID" 2>/dev/null
	RSYSLOG_PID=""
}
trap 'stop_rsyslog; cleanup_e2e' EXIT

# start_rsyslog OUT: rsyslogd in the foreground (-n), only this config: its
# socket at $WORK/log.sock, everything to OUT as "facility.severity tag msg".
start_rsyslog() {
	mkdir -p "$WORK/rsyslog"
	cat > "$WORK/rsyslog.conf" <<CONF
global(workDirectory="$WORK/rsyslog")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$WORK/log.sock" CreatePath="on" RateLimit.Interval="0")
template(name="fw" type="string" string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg:::sp-if-no-1st-sp%%msg%\n")
*.* action(type="omfile" file="$1" template="fw")
CONF
	rm -f "$WORK/log.sock"
	"$RSYSLOGD" -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" > "$WORK/rsyslog.err" 2>&1 &
	RSYSLOG_PID=$!
	for _ in $(seq 100); do
		[ -S "$WORK/log.sock" ] && return 0
		sleep 0.05
	done
	fail "rsyslogd did not make its socket: $(cat "$WORK/rsyslog.err")"
}

start_rsyslog "$WORK/syslog1.txt"
mkdir "$WORK/dev"
: > "$WORK/out.txt"
: > "$WORK/err.txt"
# The tool, text on the console (alerts on stdout), in its own mount
# namespace: /dev there is a tmpfs with the devices a process expects and
# /dev/log a link to the test's socket (a link, not a bind mount of the
# socket, so that a restarted rsyslogd's new socket is the one reached).
(cd "$WORK" && LOGSOCK=$WORK/log.sock exec unshare -m --propagation private bash -c '
	set -e
	dev=$1; shift
	mount -t tmpfs -o mode=755 fw-dev "$dev"
	for n in null zero full random urandom tty; do
		touch "$dev/$n"
		mount --bind "/dev/$n" "$dev/$n"
	done
	ln -s /proc/self/fd "$dev/fd"
	ln -s "$LOGSOCK" "$dev/log"
	mount --move "$dev" /dev
	exec "$@"' fw-syslog-ns "$WORK/dev" "$TOOL" --syslog --kill -l "$WORK/metrics.log" "${EXTRA[@]}" \
	> "$WORK/out.txt" 2> "$WORK/err.txt") &
TOOL_PID=$!
for _ in $(seq 600); do
	grep -q attached "$WORK/err.txt" && break
	kill -0 "$TOOL_PID" 2>/dev/null || fail "the tool exited before attaching: $(cat "$WORK/err.txt")"
	sleep 0.1
done
grep -q attached "$WORK/err.txt" || fail "the tool did not attach within 60 s"

# bomb_lines OUT CGROUP: a classic bomb in CGROUP; OUT must get its alert
# and its kill, as the console printed them.
bomb_lines() {
	local out=$1 cg=$2 alert kill root
	BOMB_SECONDS=3 BOMB_MAX=512 run_bomb classic -g "$cg"
	for _ in $(seq 50); do
		grep -q "event=kill " "$out" 2>/dev/null && break
		sleep 0.1
	done
	kill -0 "$TOOL_PID" || fail "the tool died: $(tail -2 "$WORK/err.txt")"
	alert=$(grep -m1 "^daemon.warning bcc-forkwatch\[$TOOL_PID\]: event=alert rule=replicator " "$out") ||
		fail "no daemon.warning alert from bcc-forkwatch[$TOOL_PID] in $out: $(head -3 "$out")"
	kill=$(grep -m1 "^daemon.err bcc-forkwatch\[$TOOL_PID\]: event=kill rule=replicator " "$out") ||
		fail "no daemon.err kill from bcc-forkwatch[$TOOL_PID] in $out: $(head -3 "$out")"
	root=$(sed -n 's/.* root=\([0-9]*\) .*/\1/p' <<< "$alert")
	# The format: the alert's fields in their order, why, then who it is.
	grep -Eq "^daemon\.warning bcc-forkwatch\[$TOOL_PID\]: event=alert rule=replicator root=$root root_comm=bash pid=[0-9]+ tgid=[0-9]+ comm=bash ppid=[0-9]+ uid=0 subprocesses=[0-9]+ figure=[0-9]+ threshold=[0-9]+ action=kill why=\"its copies make copies: [^\"]*\" cgroup=/$cg unit=${cg#*/} slice=${cg%%/*} user=root user_id=0 (cmdline=\"bash -c ':\(\)\{ :\|:& \};:'\" context=(root|member) context_pid=[0-9]+|context=cgroup)$" <<< "$alert" ||
		fail "the alert's syslog line is not in the documented format: $alert"
	grep -Eq "^daemon\.err bcc-forkwatch\[$TOOL_PID\]: event=kill rule=replicator root=$root .* action=kill killed=[0-9]+ kill_ms=[0-9]+ why=\"[^\"]*\" cgroup=/$cg unit=${cg#*/} slice=${cg%%/*} user=root user_id=0 (cmdline=.* context=(root|member) context_pid=[0-9]+|context=cgroup)$" <<< "$kill" ||
		fail "the kill's syslog line is not in the documented format: $kill"
	# A kill repeats its alert's subprocesses (the lineage counted at the verdict).
	subs=$(sed -n 's/.* subprocesses=\([0-9]*\) .*/\1/p' <<< "$alert")
	[ "${subs:-0}" -gt 0 ] && grep -q " subprocesses=$subs " <<< "$kill" ||
		fail "the kill's subprocesses is not its alert's ($subs): $kill"
	# The console says the same about who it is.
	grep -Eq "ALERT replicator: root $root \(bash\) .*; who: cgroup=/$cg unit=${cg#*/} slice=${cg%%/*} user=root user_id=0 (cmdline=|context=cgroup)" "$WORK/out.txt" ||
		fail "the console's ALERT line for $root lacks who it is: $(grep -m1 ALERT "$WORK/out.txt")"
	grep -q "KILLED replicator: root $root (bash) .*; who: cgroup=/$cg unit=" "$WORK/out.txt" ||
		fail "the console's KILLED line for $root lacks who it is"
	grep -q "live 0 at the end" "$WORK/bomb.txt" || fail "the bomb was not contained: $(tail -1 "$WORK/bomb.txt")"
	echo "$out: $alert"
	echo "$out: $kill"
}

LOGSOCK=$WORK/log.sock
bomb_lines "$WORK/syslog1.txt" "system.slice/fw-e2e-syslog-$$.service"
# rsyslogd restarts: a new socket at the same path.
stop_rsyslog
start_rsyslog "$WORK/syslog2.txt"
bomb_lines "$WORK/syslog2.txt" "system.slice/fw-e2e-syslog2-$$.service"
kill -INT "$TOOL_PID"
wait "$TOOL_PID"
rc=$?
TOOL_PID=""
[ "$rc" -eq 0 ] || fail "the tool exited with $rc: $(tail -3 "$WORK/err.txt")"
! grep -q "seccomp allow-list refused" "$WORK/err.txt" || fail "$(grep refused "$WORK/err.txt")"
echo "PASS: syslog"
