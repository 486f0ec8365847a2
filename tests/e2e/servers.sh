#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Real servers from Debian's packages, started before the tool as on a real
# host, each under heavy load while the tool watches: PostgreSQL (500
# connections allowed) under pgbench with 300 clients connecting once and
# then reconnecting per transaction, Apache with mpm_prefork holding 300
# workers under ab with 300 clients, and a Python multiprocessing pool of
# 300 workers (fork start method) started while the tool runs. No alert,
# no kill, every client without an error, every server up afterwards.
# With --kill as the argument, containment is armed at its defaults too.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/servers_lib.sh"
srv_need_packages
trap 'srv_cleanup > /dev/null; cleanup_e2e' EXIT
kill=()
[ "${1:-}" = --kill ] && kill=(--kill)
secs=${FW_SERVER_SECONDS:-10}

pg_start 500 > /dev/null || fail "$SRV_ERR"
apache_start 300 > /dev/null || fail "$SRV_ERR"
start_tool -l "$WORK/metrics.log" "${kill[@]}"

pg_bench once 300 "$secs" > /dev/null || fail "pgbench, clients connecting once: $SRV_ERR"
once="$PG_TX transactions ($PG_TPS tps)"
pg_bench reconnect 300 "$secs" > /dev/null || fail "pgbench -C, a connection per transaction: $SRV_ERR"
reconnect="$PG_TX transactions, as many connections ($PG_TPS tps)"
apache_load "$secs" 300 > /dev/null || fail "ab against Apache: $SRV_ERR"
pool_run 300 5 > /dev/null || fail "the Python pool: $SRV_ERR"
sleep 0.5
stop_tool

n=$(alerts | wc -l)
[ "$n" -eq 0 ] || fail "$n alerts on real servers: $(alerts | head -3)"
[ "$(kills | wc -l)" -eq 0 ] || fail "kills on real servers: $(kills | head -3)"
if [ ${#kill[@]} -gt 0 ]; then
	summary | jq -e '.doomed == 0 and .killed_kernel == 0 and .killed_sweep == 0 and .kills_spared == 0' > /dev/null ||
		fail "containment touched a server: $(summary | jq -c '{doomed, killed_kernel, killed_sweep, kills_spared}')"
fi
kill -0 "$PG_PID" && kill -0 "$APACHE_PID" || fail "a server is gone after the load"
echo "PASS: real servers${kill[*]:+ under --kill}: PostgreSQL (postmaster $PG_PID) served $once, then $reconnect; Apache ($APACHE_PID, 300 workers) answered $AB_REQUESTS requests; a pool of 300 ran $POOL_TASKS tasks; $(summary | jq -r '"\(.processes) processes created while watching"'), no alert, nothing killed, every server up"
