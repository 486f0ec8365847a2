#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs every function of servers_lib.sh once, without the detector: the real
# servers must start, take the load without a client error, and leave no
# process behind. Prints a PASS or FAIL line for each step with its time and
# figures, the peak process counts, and "N passed, N failed"; exit 0 when all
# passed, 77 when a package is missing or not root.
# SRV_SECONDS (default 10) and SRV_POOL_SECONDS (5) set the load durations.
# The "all processes" peak counts the whole machine, not only these servers.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/fw-srvtest.XXXXXX)
SAMPLER=""

fail() {
	echo "FAIL: $*"
	exit 1
}

on_exit() {
	# SRV_KEEP=DIR keeps a copy of the outputs and logs for a look.
	[ -n "${SRV_KEEP:-}" ] && cp -a "$WORK" "$SRV_KEEP"
	[ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null && wait "$SAMPLER" 2>/dev/null
	srv_cleanup > /dev/null
	rm -rf "$WORK"
}
trap on_exit EXIT

# shellcheck source=tests/e2e/servers_lib.sh
. "$HERE/servers_lib.sh"
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root"
	exit 77
fi
srv_need_packages

secs=${SRV_SECONDS:-10}
pool_secs=${SRV_POOL_SECONDS:-5}
passed=0 failed=0
postgres_before=$(ps -o pid= -u postgres | sort -n | tr '\n' ' ')

# The sampler: twice a second, the step under way, all processes, and the
# children of the postmaster, the apache parent and the pool's python; every
# pid it sees of those is kept for the leak check at the end.
echo setup > "$WORK/step"
(
	while :; do
		step=$(cat "$WORK/step" 2>/dev/null)
		pg=$(head -n1 "$WORK/pg/data/postmaster.pid" 2>/dev/null)
		ap=$(cat "$WORK/apache/run/httpd.pid" 2>/dev/null)
		py=$(cat "$WORK/pool.pid" 2>/dev/null)
		ps -e -o pid=,ppid=,comm= | awk -v step="$step" -v pg="${pg:-x}" -v ap="${ap:-x}" -v py="${py:-x}" \
			-v seen="$WORK/seen.txt" '
			{ n++
			  if ($2 == pg || $1 == pg) { p++; print $1, $3 >> seen }
			  if ($2 == ap || $1 == ap) { a++; print $1, $3 >> seen }
			  if ($2 == py || $1 == py) { y++; print $1, $3 >> seen } }
			END { printf "%s %d %d %d %d\n", step, n, p, a, y }' >> "$WORK/samples.txt"
		sleep 0.5
	done
) &
SAMPLER=$!

# step NAME CMD...: runs CMD, times it, prints PASS or FAIL with the figures.
step() {
	local name=$1 t0 t1 ms extra
	shift
	echo "$name" > "$WORK/step"
	t0=$EPOCHREALTIME
	"$@" > "$WORK/step.out" 2>&1
	local rc=$?
	t1=$EPOCHREALTIME
	ms=$(((${t1/./} - ${t0/./}) / 1000))
	extra=$(figures "$name")
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'PASS: %-24s %6d.%03d s  %s\n' "$name" $((ms / 1000)) $((ms % 1000)) "$extra"
	else
		failed=$((failed + 1))
		printf 'FAIL: %-24s %6d.%03d s  %s\n' "$name" $((ms / 1000)) $((ms % 1000)) "$(tr '\n' ' ' < "$WORK/step.out")"
	fi
	echo idle > "$WORK/step"
}

figures() {
	case "$1" in
	pg_start*) echo "port $PG_PORT, postmaster $PG_PID, socket dir $PG_SOCKDIR" ;;
	pg_bench*) echo "tps $PG_TPS, transactions $PG_TX" ;;
	apache_start*) echo "port $APACHE_PORT, parent $APACHE_PID, $(_srv_nkids "$APACHE_PID") workers" ;;
	apache_load*) echo "complete requests $AB_REQUESTS" ;;
	pool_run*) echo "python parent $POOL_PID, $POOL_TASKS tasks" ;;
	esac
}

step "pg_start 500" pg_start 500
step "pg_bench once 300 $secs" pg_bench once 300 "$secs"
step "pg_bench reconnect 300 $secs" pg_bench reconnect 300 "$secs"
step "pg_stop" pg_stop
step "apache_start 300" apache_start 300
step "apache_load $secs 300" apache_load "$secs" 300
step "apache_stop" apache_stop
step "pool_run 300 $pool_secs" pool_run 300 "$pool_secs"
step "srv_cleanup" srv_cleanup
step "srv_cleanup again" srv_cleanup

kill "$SAMPLER" 2>/dev/null
wait "$SAMPLER" 2>/dev/null
SAMPLER=""

echo "peak process counts per step (all processes / postmaster+children / apache parent+children / python pool+children):"
awk '{
	name = $1; for (i = 2; i <= NF - 4; i++) name = name " " $i
	if (!(name in order)) { order[name] = ++k; names[k] = name }
	if ($(NF-3) > t[name]) t[name] = $(NF-3)
	if ($(NF-2) > p[name]) p[name] = $(NF-2)
	if ($(NF-1) > a[name]) a[name] = $(NF-1)
	if ($NF > y[name]) y[name] = $NF }
	END { for (i = 1; i <= k; i++) { n = names[i]; if (n == "idle" || n == "setup") continue
		printf "  %-28s %5d %5d %5d %5d\n", n, t[n], p[n], a[n], y[n] } }' "$WORK/samples.txt"

# Nothing started here may be left: no pid the sampler saw may still run a
# postgres, apache2 or python, nothing may run from $WORK, and user postgres
# may have no process that it did not have before.
left=""
if [ -s "$WORK/seen.txt" ]; then
	while read -r pid comm; do
		_srv_alive "$pid" "$comm" && left="$left $pid($comm)"
	done < <(sort -u "$WORK/seen.txt")
fi
# shellcheck disable=SC2009 # pgrep -f would take $WORK as a regex
from_work=$(ps -e -o pid=,args= | grep -F "$WORK" | grep -v -e grep | awk '{print $1}' | tr '\n' ' ')
postgres_after=$(ps -o pid= -u postgres | sort -n | tr '\n' ' ')
if [ -z "$left" ] && [ -z "${from_work// /}" ] && [ "$postgres_after" = "$postgres_before" ]; then
	passed=$((passed + 1))
	echo "PASS: no process left ($(sort -u "$WORK/seen.txt" 2>/dev/null | wc -l) pids seen)"
else
	failed=$((failed + 1))
	echo "FAIL: processes left:$left; running from \$WORK: ${from_work:-none}; user postgres: before '${postgres_before}' after '${postgres_after}'"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
