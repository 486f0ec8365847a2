#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --opens (flags, results, truncated paths) and the metrics that go with it:
# Prometheus endpoint (promtool, exact counter moves, bad requests), the
# textfile, and the process_count map bpftool reads.
. "$(dirname "$0")/lib.sh"
need_root
command -v promtool > /dev/null || { echo "SKIP: promtool not installed (Debian: prometheus)"; exit 77; }
port=$((20000 + RANDOM % 20000))
long="$WORK/$(printf 'x%.0s' $(seq 300))"

scrape() { curl -sf "http://127.0.0.1:$port/metrics"; }
metric() { awk -v m="$1" '$1 == m { print $2 }' <<< "$2"; }
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

start_tool --no-log --events --opens -c fwop --metrics-addr "127.0.0.1:$port" \
	--metrics-textfile "$WORK/fw.prom"
"$BOMB" as fwop open /etc/hostname /nonexistent-fw "w:$WORK/created" "$long" > "$WORK/opens.txt" || fail "open"
before=$(scrape) || fail "no answer on port $port"
promtool check metrics <<< "$before" > "$WORK/promtool.txt" 2>&1 || fail "promtool: $(cat "$WORK/promtool.txt")"
pc_before=$(tool_map_u64 process_count) || fail "no process_count map of ours"
"$BOMB" as fwop open-n 50 /etc/hostname || fail "open-n"
"$BOMB" as fwop fork-n 7 > /dev/null || fail "fork-n"
after=$(scrape) || fail "no answer on port $port"
pc_after=$(tool_map_u64 process_count) || fail "no process_count map of ours"

# Counters move by exactly what the test did (filtered by name), and the
# global ones by at least that.
d() { echo $(($(metric "$1" "$after") - $(metric "$1" "$before"))); }
[ "$(d 'forkwatch_events_total{type="open"}')" -eq 50 ] || fail "open events moved by $(d 'forkwatch_events_total{type="open"}'), expected 50"
[ "$(d 'forkwatch_events_total{type="process"}')" -eq 7 ] || fail "process events moved by $(d 'forkwatch_events_total{type="process"}'), expected 7"
[ "$(d sys_openat_calls_total)" -ge 50 ] || fail "sys_openat_calls_total moved by $(d sys_openat_calls_total)"
[ "$(d sys_clone_calls_total)" -ge 7 ] || fail "sys_clone_calls_total moved by $(d sys_clone_calls_total)"
[ "$((pc_after - pc_before))" -ge 7 ] || fail "process_count moved by $((pc_after - pc_before))"
grep -q '^forkwatch_info{.*mode="'"${FW_EXPECT_MODE:-}" <<< "$after" || fail "forkwatch_info lacks the mode"

# Anything but GET /metrics is 404; bad and oversized requests do not hurt.
[ "$(status "http://127.0.0.1:$port/")" = 404 ] || fail "/ is not 404"
[ "$(status "http://127.0.0.1:$port/metricsx")" = 404 ] || fail "/metricsx is not 404"
[ "$(status -X POST -d x "http://127.0.0.1:$port/metrics")" = 404 ] || fail "POST is not 404"
exec 3<> "/dev/tcp/127.0.0.1/$port" && printf 'GARBAGE\r\n\r\n' >&3 && timeout 5 cat <&3 > /dev/null; exec 3>&-
big=$(status -H "X-Big: $(head -c 100000 /dev/zero | tr '\0' a)" "http://127.0.0.1:$port/metrics")
[ "$big" != 200 ] || fail "a 100 kB header was accepted"
scrape > /dev/null || fail "the endpoint died after bad requests"
# Connection limits (8 per address, 16 in all): 8 idle connections from
# here fill this address's share; the next is turned away at once, and
# serving resumes when they close.
idle=()
for _ in $(seq 8); do
	exec {fd}<> "/dev/tcp/127.0.0.1/$port" || fail "cannot open an idle connection"
	idle+=("$fd")
done
sleep 0.2
! curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" > /dev/null || fail "a 9th connection from one address was served"
for fd in "${idle[@]}"; do exec {fd}>&-; done
sleep 0.2
scrape > /dev/null || fail "the endpoint did not serve again once the idle connections closed"
sleep 6 # one textfile period
promtool check metrics < "$WORK/fw.prom" > "$WORK/promtool.txt" 2>&1 || fail "textfile: $(cat "$WORK/promtool.txt")"
stop_tool
! ls "$WORK"/fw.prom.tmp.* > /dev/null 2>&1 || fail "textfile temporaries left behind"

# The open records.
op() { jq -c --arg p "$1" 'select(.event == "open" and .path == $p)' "$WORK/out.json"; }
op /etc/hostname | jq -e '.ret >= 0 and (.flags | test("^O_RDONLY")) and (.flags | test("O_CLOEXEC")) and .comm == "fwop"' > /dev/null ||
	fail "/etc/hostname: $(op /etc/hostname)"
op /nonexistent-fw | jq -e '.ret == -2 and .result == "-ENOENT"' > /dev/null || fail "/nonexistent-fw: $(op /nonexistent-fw)"
op "$WORK/created" | jq -e '(.flags | test("O_WRONLY")) and (.flags | test("O_CREAT")) and (.flags | test("O_TRUNC")) and .ret >= 0' > /dev/null ||
	fail "created: $(op "$WORK/created")"
op "${long:0:255}" | jq -e '.truncated == true and .result == "-ENAMETOOLONG"' > /dev/null || fail "the 300-character path is not marked truncated"
echo "PASS: opens ($(jq -r 'select(.event == "start") | .mode + ", " + .opens' "$WORK/out.json")): flags, results and truncation right; counters moved by exactly 50 opens and 7 processes; promtool accepts endpoint and textfile; 404s, bad requests and the connection limit handled"
