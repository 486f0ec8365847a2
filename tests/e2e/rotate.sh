#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Logs that rotate: Debian's logrotate, with the config the package ships
# (debian/bcc-forkwatch.logrotate, its paths moved under the test's folder,
# its directives as they are), run twice while the tool writes lines to its
# log as fast as it can be made to. Every line the tool reported (its JSON
# on stdout) must be in the log files, once; nothing may be written into a
# rotated file after the tool said it reopened the log; SIGHUP must not end
# the tool. The lines are --limit kills: a loop starts processes named
# fwrotate (dash, by a link of that name) that fork once, and each dies at
# its fork, one KILLED line each, a few hundred a second.
. "$(dirname "$0")/lib.sh"
need_root
command -v logrotate > /dev/null || { echo "SKIP: no logrotate (scripts/install-deps installs it)"; exit 77; }
CONF_SRC=$SRC/debian/bcc-forkwatch.logrotate
[ -r "$CONF_SRC" ] || fail "no $CONF_SRC"

mkdir -m 755 "$WORK/log"
sed -e "s|/var/log/bcc-forkwatch|$WORK/log|g" -e "s|/run/bcc-forkwatch/bcc-forkwatch.pid|$WORK/fw.pid|g" \
	"$CONF_SRC" > "$WORK/logrotate.conf"
chmod 644 "$WORK/logrotate.conf"
# Only the paths differ from the shipped file.
diff <(grep -v '^\s*#' "$CONF_SRC" | sed -e "s|/var/log/bcc-forkwatch|X|g" -e "s|/run/bcc-forkwatch/bcc-forkwatch.pid|P|g") \
	<(grep -v '^\s*#' "$WORK/logrotate.conf" | sed -e "s|$WORK/log|X|g" -e "s|$WORK/fw.pid|P|g") > /dev/null ||
	fail "the test's config differs from the shipped one in more than paths"
ln -s "$(command -v dash)" "$WORK/fwrotate"

start_tool --limit fwrotate=0 -l "$WORK/log/metrics.log" --pid-file "$WORK/fw.pid"
[ "$(cat "$WORK/fw.pid")" = "$TOOL_PID" ] || fail "pid file holds '$(cat "$WORK/fw.pid")', not $TOOL_PID"

# The writer: as fast as the loop goes, until told to stop.
(
	while [ ! -e "$WORK/stop" ]; do
		"$WORK/fwrotate" -c ': & wait'
	done
) 2> /dev/null & # bash's "Killed" for each
WRITER=$!
trap 'touch "$WORK/stop"; wait "$WRITER" 2>/dev/null; cleanup_e2e' EXIT

lines() { [ -e "$1" ] && echo $(($(wc -l < "$1") - 1)) || echo 0; } # data lines (the header is one)
wait_lines() { # FILE N: until FILE has N data lines
	for _ in $(seq 300); do
		[ "$(lines "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 did not reach $2 lines: $(lines "$1")"
}
reopened() { grep -c "SIGHUP: reopened $WORK/log/metrics.log" "$WORK/err.txt"; }

# rotate N: logrotate -f with the config; the tool must say it reopened (the
# Nth time) and the new log must grow; then the rotated file is frozen.
rotate() {
	local n=$1 t0 t1
	t0=$(date +%s.%N)
	logrotate -f -s "$WORK/logrotate.state" "$WORK/logrotate.conf" || fail "logrotate failed"
	t1=$(date +%s.%N)
	for _ in $(seq 100); do
		[ "$(reopened)" -ge "$n" ] && break
		sleep 0.05
	done
	[ "$(reopened)" -ge "$n" ] || fail "the tool did not reopen its log after rotation $n: $(tail -3 "$WORK/err.txt")"
	kill -0 "$TOOL_PID" || fail "SIGHUP ended the tool"
	# Right after the reopen: what the rotated file holds now is all it may hold.
	sha256sum < "$WORK/log/metrics.log.1" > "$WORK/rotated.$n.sum"
	wc -c < "$WORK/log/metrics.log.1" > "$WORK/rotated.$n.size"
	echo "rotation $n: logrotate took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; $(lines "$WORK/log/metrics.log.1") lines in metrics.log.1 at the reopen"
	head -1 "$WORK/log/metrics.log" | grep -q '^timestamp,pid,tgid,hostname,subprocesses,' ||
		fail "the new log does not start with the header: $(head -1 "$WORK/log/metrics.log")"
	[ "$(stat -c '%a %G' "$WORK/log/metrics.log")" = "640 adm" ] ||
		fail "the new log is not as 'create 0640 root adm' makes it: $(stat -c '%a %U %G' "$WORK/log/metrics.log")"
}
# unchanged N: metrics.log.1 as it was at rotation N's reopen.
unchanged() {
	[ "$(sha256sum < "$WORK/log/metrics.log.1")" = "$(cat "$WORK/rotated.$1.sum")" ] ||
		fail "lines were written into the rotated log after the reopen ($(cat "$WORK/rotated.$1.size") bytes then, $(wc -c < "$WORK/log/metrics.log.1") now)"
}

wait_lines "$WORK/log/metrics.log" 300
rotate 1
wait_lines "$WORK/log/metrics.log" 300
unchanged 1
rotate 2
wait_lines "$WORK/log/metrics.log" 300
unchanged 2
[ -e "$WORK/log/metrics.log.2.gz" ] || fail "no metrics.log.2.gz after the second rotation: $(ls "$WORK/log")"
touch "$WORK/stop"
wait "$WRITER"
# A stale pid file is not signalled (the lock is gone with its holder).
stop_tool
[ ! -e "$WORK/fw.pid" ] || fail "the pid file was left after exit"
unchanged 2

# Every kill the tool reported is in the logs, once, and the logs hold
# nothing else: by pid (each fwrotate is a new process, and pids do not
# wrap in the few seconds this runs), event, rule and the named root.
jq -r 'select(.event == "kill") | "\(.pid) kill \(.rule) \(.root.pid)"' "$WORK/out.json" | sort > "$WORK/reported.txt"
{
	cat "$WORK/log/metrics.log" "$WORK/log/metrics.log.1"
	zcat "$WORK/log/metrics.log.2.gz"
} | awk -F, '$1 != "timestamp" { print $2, $6, $7, $11 }' | sort > "$WORK/logged.txt"
[ "$(sort -u "$WORK/reported.txt" | wc -l)" -eq "$(wc -l < "$WORK/reported.txt")" ] ||
	fail "a pid was reported twice: the check by pid does not hold"
reported=$(wc -l < "$WORK/reported.txt") logged=$(wc -l < "$WORK/logged.txt")
[ "$reported" -gt 900 ] || fail "only $reported kills reported: the writer did not run"
missing=$(comm -23 "$WORK/reported.txt" "$WORK/logged.txt" | wc -l)
extra=$(comm -13 "$WORK/reported.txt" "$WORK/logged.txt" | wc -l)
[ "$missing" -eq 0 ] && [ "$extra" -eq 0 ] ||
	fail "logs and reports differ: $missing reported lines missing from the logs, $extra logged lines not reported ($reported reported, $logged logged)"
echo "lines: metrics.log.2.gz $(zcat "$WORK/log/metrics.log.2.gz" | tail -n +2 | wc -l), metrics.log.1 $(lines "$WORK/log/metrics.log.1"), metrics.log $(lines "$WORK/log/metrics.log"); $reported reported, all logged once"
echo "PASS: rotate"
