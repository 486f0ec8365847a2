#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One long-running instance of the tool on a busy host, as in the field: a
# PostgreSQL and an Apache run before it starts; then one shell starts
# everything, one after another: every bomb mode of scripts/fork_bomb.sh,
# the benign loads, and load on the real servers (pgbench connecting once
# and per transaction, ab, a Python pool). That shell runs a polling loop
# the whole time (about 20 commands a second, as a CI runner or a watch
# loop does), and polls itself between scenarios ($(...) every 50 ms).
#
# Every bomb's first alert names its own root (never the shell, the
# polling loop or fork_bomb.sh); no benign load and no server raises an
# alert; with --kill, every bomb's kill names that root and none of its
# processes is alive at its end, while the shell, every polling command,
# the servers and their clients live.
#
# It prints one line per case (rule, root named exact/inside/outside,
# processes made, killed outside the bomb) and a PASS line.
# FW_SEQ_MODES and FW_SEQ_LOADS choose the cases (the vm guests run fewer);
# FW_SEQ_SERVERS=0 leaves the real servers out; FW_SEQ_SPAWN_MAX and
# FW_SEQ_PIDS_MAX set the pids.max of the spawner and of the other bombs
# but the thread storm; FW_BOMB_SECONDS as in lib.sh.
. "$(dirname "$0")/lib.sh"
need_root
kill=()
[ "${1:-}" = --kill ] && kill=(--kill)
read -r -a more <<< "${FW_KILL_ARGS:-}"
read -r -a modes <<< "${FW_SEQ_MODES:-classic spawn c-loop vfork clone3 threads chain c-chain perl python dash exec}"
read -r -a loads <<< "${FW_SEQ_LOADS:-make shell-loop xargs server server500}"
servers=${FW_SEQ_SERVERS:-1}
secs=${FW_BOMB_SECONDS:-2}

if [ "$servers" = 1 ]; then
	. "$(dirname "$0")/servers_lib.sh"
	srv_need_packages
	trap 'srv_cleanup > /dev/null; cleanup_e2e' EXIT
	pg_start 500 > /dev/null || fail "$SRV_ERR"
	apache_start 300 > /dev/null || fail "$SRV_ERR"
fi
start_tool -l "$WORK/metrics.log" --threads "${kill[@]}" "${more[@]}"

# Scenario records: "NAME KIND START END ROOT LAUNCHER" (KIND bomb, load or
# server; ROOT and LAUNCHER only for bombs).
: > "$WORK/cases"
now() { echo "$EPOCHREALTIME"; }

run_case_bomb() {
	local mode=$1 max=1024 t0 out=$WORK/bomb-$1.txt pid
	[ ${#kill[@]} -gt 0 ] && [ "$mode" != spawn ] && max=4096
	[ "$mode" = spawn ] && max=${FW_SEQ_SPAWN_MAX:-1024}
	# A slow (emulated) host: a pids.max the replicators fill in their time.
	case $mode in spawn|threads) ;; *) max=${FW_SEQ_PIDS_MAX:-$max} ;; esac
	t0=$(now)
	"$SRC/scripts/fork_bomb.sh" "$mode" -t "$secs" -m "$max" -b "$BOMB" > "$out" 2>&1 &
	pid=$!
	wait "$pid" || echo "fork_bomb.sh $mode failed" >> "$WORK/driver.err"
	echo "$mode bomb $t0 $(now) $(awk '/ root / { for (i = 1; i < NF; i++) if ($i == "root") print $(i + 1); exit }' "$out") $pid" >> "$WORK/cases"
}

run_case_load() {
	local t0
	benign_load "$1"
	t0=$(now)
	"${LOAD_CMD[@]}" > /dev/null 2>&1 || echo "load $1 failed" >> "$WORK/driver.err"
	echo "$1 load $t0 $(now) - -" >> "$WORK/cases"
}

run_case_server() {
	local name=$1 t0 ok=1
	shift
	t0=$(now)
	"$@" > /dev/null || ok=0
	[ "$ok" = 1 ] || echo "$name: $SRV_ERR" >> "$WORK/driver.err"
	echo "$name server $t0 $(now) - -" >> "$WORK/cases"
}

# The shell everything is started from: a child of this script, not the
# tool's ancestor, so nothing protects it.
(
	# Its polling loop: a command and a sleep every 50 ms, each exit status
	# kept (137: killed).
	(
		while [ ! -e "$WORK/stop-poll" ]; do
			date +%N > /dev/null
			echo "$EPOCHREALTIME $?" >> "$WORK/poll.status"
			sleep 0.05
			echo "$EPOCHREALTIME $?" >> "$WORK/poll.status"
		done
	) &
	echo "$!" > "$WORK/poll.pid"
	echo "$BASHPID" > "$WORK/driver.pid"
	gap() {
		local i
		for i in $(seq 30); do
			x=$(cat /proc/loadavg) || echo "poll: \$(...) failed" >> "$WORK/driver.err"
			sleep 0.05
		done
	}
	for mode in "${modes[@]}"; do
		run_case_bomb "$mode"
		gap
	done
	for load in "${loads[@]}"; do
		run_case_load "$load"
		gap
	done
	if [ "$servers" = 1 ]; then
		run_case_server pgbench-once pg_bench once 300 5
		gap
		run_case_server pgbench-reconnect pg_bench reconnect 300 5
		gap
		run_case_server apache-ab apache_load 5 300
		gap
		run_case_server python-pool pool_run 300 3
		gap
	fi
	poll=$(cat "$WORK/poll.pid")
	kill -0 "$poll" 2>/dev/null || echo "the polling loop is gone" >> "$WORK/driver.err"
	touch "$WORK/stop-poll"
	wait "$poll"
) &
driver=$!
wait "$driver"
drc=$?
sleep 0.5 # the last sweep's report
stop_tool
[ "$drc" -eq 0 ] || fail "the shell that started everything exited $drc (137: killed)"
[ ! -s "$WORK/driver.err" ] || fail "$(head -3 "$WORK/driver.err")"
polls=$(wc -l < "$WORK/poll.status")
killed_polls=$(awk '$2 != 0' "$WORK/poll.status" | wc -l)
[ "$polls" -gt 100 ] || fail "only $polls polling commands ran"
[ "$killed_polls" -eq 0 ] || fail "$killed_polls of the $polls polling commands did not exit 0 (137: killed)"
driver_pid=$(cat "$WORK/driver.pid")
poll_pid=$(cat "$WORK/poll.pid")
innocent=("$driver_pid" "$poll_pid" $$ 1)
[ "$servers" = 1 ] && innocent+=("$PG_PID" "$APACHE_PID")

# Polling commands that did not exit 0 (137: killed) within [A, B].
outside_killed() {
	awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 != 0' "$WORK/poll.status" | wc -l
}

# One line per case, and what must hold for it.
printf '%-18s %-7s %-11s %-8s %-9s %-9s %s\n' case kind rule named peak killed "polls killed"
bad=""
while read -r name kind t0 t1 root launcher; do
	end=$(awk -v t="$t1" 'BEGIN { printf "%.6f", t + 1.0 }')
	in_case=$(alerts | jq -c --argjson a "$t0" --argjson b "$end" 'select(.kind != "rate" and .timestamp >= $a and .timestamp <= $b)')
	if [ "$kind" != bomb ]; then
		n=$(grep -c . <<< "$in_case")
		printf '%-18s %-7s %-11s %-8s %-9s %-9s %s\n' "$name" "$kind" "-" "$([ "$n" -eq 0 ] && echo none || echo "$n ALERTS")" - - "$(outside_killed "$t0" "$end")"
		[ "$n" -eq 0 ] || bad+=" $name: $n alerts ($(head -1 <<< "$in_case"));"
		continue
	fi
	first=$(head -1 <<< "$in_case")
	named=none rule=-
	if [ -n "$first" ]; then
		rule=$(jq -r .kind <<< "$first")
		r=$(jq -r .root.pid <<< "$first")
		named=inside
		[ "$r" = "$root" ] && named=exact
		# The root's first child, named while the root was starved after
		# its first fork (two CPUs; see names_root_first in lib.sh).
		[ "$named" = inside ] && jq -e --argjson r "$root" '.root.ppid == $r' <<< "$first" > /dev/null && named=first-half
		for p in "${innocent[@]}" "$launcher"; do [ "$r" = "$p" ] && named=outside; done
	fi
	# Any alert of the case naming an innocent process.
	for p in "${innocent[@]}" "$launcher"; do
		jq -e --argjson p "$p" 'select(.root.pid == $p)' <<< "${in_case:-null}" > /dev/null 2>&1 &&
			bad+=" $name: an alert names $p, outside the bomb;"
	done
	made=$(awk '/peak/ { for (i = 1; i < NF; i++) if ($i == "peak") print $(i + 1) }' "$WORK/bomb-$name.txt")
	killed=-
	if [ ${#kill[@]} -gt 0 ]; then
		k=$(kills | jq -c --argjson a "$t0" --argjson b "$end" 'select(.timestamp >= $a and .timestamp <= $b)' | head -1)
		killed=$(jq -r '.killed // "-"' <<< "${k:-null}")
		jq -e --argjson r "$root" --argjson h "$([ "$named" = first-half ] && jq .root.pid <<< "$first" || echo 0)" \
			'.root.pid == $r or .root.pid == $h' <<< "${k:-null}" > /dev/null ||
			bad+=" $name: no kill names its root $root (${k:-none});"
		grep -q "live 0 at the end" "$WORK/bomb-$name.txt" ||
			bad+=" $name: $(grep -o 'live [0-9]* at the end' "$WORK/bomb-$name.txt");"
	fi
	printf '%-18s %-7s %-11s %-8s %-9s %-9s %s\n' "$name" bomb "$rule" "$named" "${made:-?}" "$killed" "$(outside_killed "$t0" "$end")"
	if [ "$named" != exact ] && [ "$named" != first-half ]; then
		# What the whole run said about this root, whenever it said it
		# (a clock that moved would put its alerts outside the window).
		any=$(alerts | jq -c --argjson r "$root" --argjson a "$t0" 'select(.root.pid == $r or .root.ppid == $r) | {kind, root: .root.pid, after: ((.timestamp - $a) * 1000 | floor)}' | head -2 | tr '\n' ' ')
		bad+=" $name: first alert $named (root $root; $(jq -c '{kind, root: .root.pid}' <<< "${first:-null}"); window $t0..$t1; alerts on the root or its children at any time: ${any:-none});"
	fi
	[ "$rule" = "$(bomb_rule "$name")" ] || bad+=" $name: rule $rule, not $(bomb_rule "$name");"
done < "$WORK/cases"
[ -z "$bad" ] || fail "$bad"
[ "$(summary | jq .lost)" -eq 0 ] || fail "lost alert samples"
if [ "$servers" = 1 ]; then
	kill -0 "$PG_PID" && kill -0 "$APACHE_PID" || fail "a server is gone"
fi
echo "PASS: one instance${kill[*]:+ with --kill}: ${#modes[@]} bombs each named by its root, ${#loads[@]} loads$([ "$servers" = 1 ] && echo " and 4 server workloads") silent; the shell and all $polls polling commands lived; $(summary | jq -r '"\(.processes) processes created, \(.alerts) alerts"')"
