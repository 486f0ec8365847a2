# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The PG_*, APACHE_*, AB_* and POOL_* results are read by the callers:
# shellcheck disable=SC2034
# Real servers for the end-to-end tests: a PostgreSQL cluster driven by
# pgbench, an Apache prefork server driven by ab, and a Python fork pool, so a
# test can run the detector beside busy servers and check that it leaves them
# alone. Sourced, not run; it knows nothing of the detector.
#
# Everything lives under "$WORK" (the caller's temporary folder, or a private
# one) and listens on 127.0.0.1 or on a socket in "$WORK" only: the system's
# own PostgreSQL cluster and Apache configuration are never read or touched.
# Only processes started here are ended, always by pid.
#
# Each function returns 0, or prints one line saying why to stdout, keeps the
# same line in SRV_ERR and returns 1; none exits (but srv_need_packages, 77).
# Put srv_cleanup in the EXIT trap, before WORK is removed.

# A caller without WORK gets a private one, which srv_cleanup removes.
_SRV_OWN_WORK=0
if [ -z "${WORK:-}" ]; then
	WORK=$(mktemp -d /tmp/fw-srv.XXXXXX)
	_SRV_OWN_WORK=1
fi
SRV_TIMEOUT=${SRV_TIMEOUT:-30}	# seconds for each wait loop
SRV_ERR=""
PG_BIN="" PG_DATA="" PG_PORT="" PG_PID="" PG_SOCKDIR="" PG_TPS="" PG_TX="" PG_SEEN=""
APACHE_BIN="" APACHE_CONF="" APACHE_PORT="" APACHE_PID="" APACHE_WORKERS="" APACHE_KIDS=""
AB_REQUESTS=""
SRV_PY="" POOL_PID="" POOL_TASKS=""
SRV_PREFORK=/usr/lib/apache2/modules/mod_mpm_prefork.so

# _srv_err FUNCTION MESSAGE...: the one line a failure prints.
_srv_err() {
	local f=$1
	shift
	SRV_ERR="$f: $*"
	echo "$SRV_ERR"
	return 1
}

# _srv_alive PID [COMM]: the pid exists, is no zombie, and (if given) its
# command name starts with COMM (guards against a recycled pid).
_srv_alive() {
	local pid=$1 comm=${2:-} stat name
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	{ read -r stat < "/proc/$pid/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ] || return 1
	[ -z "$comm" ] && return 0
	{ read -r name < "/proc/$pid/comm"; } 2>/dev/null || return 1
	[[ "$name" == "$comm"* ]]
}

# _srv_kids PID: the pids of PID's children, one line.
_srv_kids() {
	ps -o pid= --ppid "$1" 2>/dev/null | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
}

# _srv_status RC: "exited RC" or "was killed by signal N (NAME)".
_srv_status() {
	if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
		echo "was killed by signal $(($1 - 128)) ($(kill -l $(($1 - 128)) 2>/dev/null))"
	else
		echo "exited $1"
	fi
}

# _srv_nkids PID: how many children PID has.
_srv_nkids() {
	ps -o pid= --ppid "$1" 2>/dev/null | wc -l
}

# _srv_free_port FIRST: the first port from FIRST on (100 tried) that nothing
# listens on and that this library has not handed out yet.
_srv_free_port() {
	local p
	for ((p = $1; p < $1 + 100; p++)); do
		[ "$p" = "$PG_PORT" ] || [ "$p" = "$APACHE_PORT" ] && continue
		if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# _srv_nofile N: raise this shell's soft open-files limit to N (or to the hard
# limit if lower). Used in the subshells that run ab and pgbench.
_srv_nofile() {
	local want=$1 soft hard
	soft=$(ulimit -Sn)
	hard=$(ulimit -Hn)
	[ "$soft" = unlimited ] && return 0
	[ "$soft" -ge "$want" ] && return 0
	[ "$hard" != unlimited ] && [ "$hard" -lt "$want" ] && want=$hard
	ulimit -Sn "$want" 2>/dev/null || true
}

# _srv_traverse: users postgres and www-data must reach files under $WORK,
# which mktemp makes 0700: let others through it (search only, no listing).
_srv_traverse() {
	mkdir -p "$WORK"
	chmod o+x "$WORK" 2>/dev/null || true
}

# _srv_as_postgres CMD...: CMD as the postgres user, from a folder it can read.
_srv_as_postgres() {
	(cd "$WORK/pg" && runuser -u postgres -- "$@")
}

# srv_need_packages: every binary the functions use, or SKIP and exit 77.
srv_need_packages() {
	local d b
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: the servers need root (user postgres, www-data workers)"
		exit 77
	fi
	PG_BIN=""
	# The newest version directory that has a server.
	for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
		[ -x "$d/postgres" ] && { PG_BIN=$d; break; }
	done
	[ -n "$PG_BIN" ] || { echo "SKIP: postgresql (/usr/lib/postgresql/*/bin/postgres) is not installed (scripts/install-deps)"; exit 77; }
	for b in initdb pg_ctl psql pg_isready; do
		[ -x "$PG_BIN/$b" ] || { echo "SKIP: $PG_BIN/$b is not installed (scripts/install-deps)"; exit 77; }
	done
	[ -x "$PG_BIN/pgbench" ] || { echo "SKIP: pgbench ($PG_BIN/pgbench, postgresql-contrib) is not installed (scripts/install-deps)"; exit 77; }
	APACHE_BIN=$(command -v apache2 || echo /usr/sbin/apache2)
	[ -x "$APACHE_BIN" ] || { echo "SKIP: apache2 is not installed (scripts/install-deps)"; exit 77; }
	[ -r "$SRV_PREFORK" ] || { echo "SKIP: apache2's mpm_prefork module ($SRV_PREFORK) is not installed (scripts/install-deps)"; exit 77; }
	command -v ab > /dev/null || { echo "SKIP: ab (apache2-utils) is not installed (scripts/install-deps)"; exit 77; }
	# Debian's own python3 first: a pyenv shim on PATH is a script, not python.
	SRV_PY=/usr/bin/python3
	[ -x "$SRV_PY" ] || SRV_PY=$(command -v python3 || true)
	[ -n "$SRV_PY" ] || { echo "SKIP: python3 is not installed (scripts/install-deps)"; exit 77; }
	for b in runuser ss ps; do
		command -v "$b" > /dev/null || { echo "SKIP: $b is not installed (scripts/install-deps)"; exit 77; }
	done
	for b in postgres www-data; do
		id -u "$b" > /dev/null 2>&1 || { echo "SKIP: user $b does not exist (postgresql / apache2 packages, scripts/install-deps)"; exit 77; }
	done
	return 0
}

# ---------------------------------------------------------------- PostgreSQL

# pg_start [MAX_CONNECTIONS]: a fresh cluster in $WORK/pg, run by user
# postgres, on 127.0.0.1:PG_PORT and a socket in PG_SOCKDIR, trust auth,
# role and database fwtest, pgbench tables at scale 2. Sets PG_PORT, PG_PID,
# PG_SOCKDIR. Shared memory: PostgreSQL 15 keeps its semaphores (unnamed POSIX
# ones) in its main mmap'ed segment and SysV use is one tiny segment, so 500
# connections need no kernel setting changed; buffers are kept small anyway.
pg_start() {
	local maxconn=${1:-500} i ready=0
	[ -n "$PG_BIN" ] || srv_need_packages
	if _srv_alive "$PG_PID" postgres; then
		_srv_err pg_start "a cluster is already running (pid $PG_PID); pg_stop first"
		return 1
	fi
	_srv_traverse
	rm -rf "$WORK/pg"
	PG_DATA=$WORK/pg/data
	PG_SOCKDIR=$WORK/pg/sock
	mkdir -p "$PG_DATA" "$PG_SOCKDIR" || { _srv_err pg_start "cannot create $WORK/pg"; return 1; }
	chown -R postgres: "$WORK/pg"
	chmod 700 "$PG_DATA"
	if ! runuser -u postgres -- test -w "$PG_SOCKDIR"; then
		_srv_err pg_start "user postgres cannot reach $PG_SOCKDIR (a parent of \$WORK is closed to others?)"
		return 1
	fi
	if ! _srv_as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C -N \
		> "$WORK/pg/initdb.txt" 2>&1; then
		_srv_err pg_start "initdb failed: $(grep -m1 -iE 'error|fatal' "$WORK/pg/initdb.txt" || tail -n1 "$WORK/pg/initdb.txt")"
		return 1
	fi
	# initdb's pg_hba.conf with --auth=trust already trusts the socket and
	# 127.0.0.1/32 (and ::1); nothing listens anywhere else.
	cat >> "$PG_DATA/postgresql.conf" <<-EOF
		# bcc-forkwatch servers_lib.sh: a throw-away test cluster
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$PG_SOCKDIR'
		max_connections = $maxconn
		shared_buffers = 32MB
		work_mem = 1MB
		maintenance_work_mem = 16MB
		huge_pages = off
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		log_min_messages = warning
		log_line_prefix = '%m [%p] '
	EOF
	# The port goes on the command line, so that a port taken between the
	# check and the bind (another test starting at the same time) is
	# simply retried with the next one.
	for ((i = 0; i < 5; i++)); do
		PG_PORT=$(_srv_free_port $((15432 + i))) || { _srv_err pg_start "no free port in 15432-15535"; return 1; }
		: > "$WORK/pg/server.log"
		chown postgres: "$WORK/pg/server.log"
		_srv_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/server.log" -o "-p $PG_PORT" \
			-w -t "$SRV_TIMEOUT" start > "$WORK/pg/pg_ctl.txt" 2>&1 && break
		grep -q 'Address already in use' "$WORK/pg/server.log" && [ "$i" -lt 4 ] && continue
		_srv_err pg_start "pg_ctl start failed on port $PG_PORT: $(grep -m1 -E 'FATAL|ERROR|could not' "$WORK/pg/server.log" 2>/dev/null || tail -n1 "$WORK/pg/pg_ctl.txt")"
		return 1
	done
	PG_PID=$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null)
	_srv_alive "$PG_PID" postgres || { _srv_err pg_start "no live postmaster in $PG_DATA/postmaster.pid (${PG_PID:-empty})"; return 1; }
	for ((i = 0; i < SRV_TIMEOUT * 10; i++)); do
		if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres; then
			ready=1
			break
		fi
		sleep 0.1
	done
	[ "$ready" -eq 1 ] || { _srv_err pg_start "the server on 127.0.0.1:$PG_PORT did not accept connections within $SRV_TIMEOUT s"; return 1; }
	PG_SEEN=$(_srv_kids "$PG_PID")
	if ! "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
		-c "CREATE ROLE fwtest LOGIN SUPERUSER" -c "CREATE DATABASE fwtest OWNER fwtest" \
		> "$WORK/pg/setup.txt" 2>&1; then
		_srv_err pg_start "creating role and database fwtest failed: $(head -n1 "$WORK/pg/setup.txt")"
		return 1
	fi
	if ! timeout -k 5 $((SRV_TIMEOUT * 4)) "$PG_BIN/pgbench" -i -s 2 -q -h 127.0.0.1 -p "$PG_PORT" -U fwtest fwtest \
		> "$WORK/pgbench-init.txt" 2>&1; then
		_srv_err pg_start "pgbench -i -s 2 failed: $(grep -m1 -iE 'error|fatal' "$WORK/pgbench-init.txt" || tail -n1 "$WORK/pgbench-init.txt")"
		return 1
	fi
	return 0
}

# pg_bench MODE CLIENTS SECONDS: select-only pgbench over TCP; MODE once (one
# connection per client) or reconnect (-C, one per transaction). Output in
# $WORK/pgbench-MODE.txt. Sets PG_TPS and PG_TX.
pg_bench() {
	local mode=${1:?mode} clients=${2:?clients} seconds=${3:?seconds}
	local out=$WORK/pgbench-$mode.txt rc why n logsize=0 jobs=2 opts=()
	PG_TPS="" PG_TX=""
	case "$mode" in
	once) ;;
	reconnect) opts=(-C) ;;
	*) _srv_err pg_bench "mode is once or reconnect, not $mode"; return 1 ;;
	esac
	_srv_alive "$PG_PID" postgres || { _srv_err pg_bench "no cluster running (pg_start first)"; return 1; }
	[ "$clients" -lt 2 ] && jobs=1
	[ -f "$WORK/pg/server.log" ] && logsize=$(stat -c %s "$WORK/pg/server.log")
	# The braces keep bash's own "Killed" line (if a signal ends the run)
	# out of the output: the one line below says it.
	{ (
		_srv_nofile $((clients * 2 + 64))
		exec timeout -k 5 $((seconds + SRV_TIMEOUT * 2)) "$PG_BIN/pgbench" -n -c "$clients" -j "$jobs" -S -T "$seconds" \
			"${opts[@]}" -h 127.0.0.1 -p "$PG_PORT" -U fwtest fwtest
	) > "$out" 2>&1; } 2>/dev/null
	rc=$?
	PG_TX=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out" | head -n1)
	PG_TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out" | head -n1)
	n=$(sed -n 's/^number of clients: \([0-9]*\).*/\1/p' "$out" | head -n1)
	why=$(grep -m1 -E 'server closed the connection unexpectedly|connection to server|could not connect|too many clients|terminat|error|aborted' "$out")
	if [ "$rc" -ne 0 ]; then
		[ "$rc" -eq 124 ] && why="timed out after $((seconds + SRV_TIMEOUT * 2)) s; $why"
		why=${why:-$(grep -v '^$' "$out" | tail -n1)}
		_srv_err pg_bench "pgbench $mode $(_srv_status "$rc")${why:+: $why}"
		return 1
	fi
	if [ -n "$why" ]; then
		_srv_err pg_bench "pgbench $mode: $why"
		return 1
	fi
	if grep -q '^number of failed transactions:' "$out" && ! grep -q '^number of failed transactions: 0 ' "$out" &&
		! grep -qx 'number of failed transactions: 0' "$out"; then
		_srv_err pg_bench "pgbench $mode: $(grep -m1 '^number of failed transactions:' "$out")"
		return 1
	fi
	[ "$n" = "$clients" ] || { _srv_err pg_bench "pgbench $mode reported ${n:-no} clients, not $clients"; return 1; }
	if [ -z "$PG_TX" ] || [ "$PG_TX" -eq 0 ]; then
		_srv_err pg_bench "pgbench $mode processed ${PG_TX:-no} transactions"
		return 1
	fi
	[ -n "$PG_TPS" ] || { _srv_err pg_bench "pgbench $mode printed no tps"; return 1; }
	_srv_alive "$PG_PID" postgres || { _srv_err pg_bench "the postmaster (pid $PG_PID) is gone after pgbench $mode"; return 1; }
	"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U fwtest -d fwtest ||
		{ _srv_err pg_bench "pg_isready: the server is not accepting connections after pgbench $mode"; return 1; }
	# shellcheck disable=SC2046,SC2086 # lists of pids
	PG_SEEN=$(printf '%s\n' $PG_SEEN $(_srv_kids "$PG_PID") | sort -un | tr '\n' ' ')
	# A backend killed by a signal makes the postmaster restart them all.
	why=$(tail -c +$((logsize + 1)) "$WORK/pg/server.log" 2>/dev/null |
		grep -m1 -E 'terminated by signal|was terminated|terminating any other active|all server processes terminated')
	[ -z "$why" ] || { _srv_err pg_bench "server log after pgbench $mode: $why"; return 1; }
	return 0
}

# pg_stop: fast shutdown; then no process of the cluster may be left (the
# postmaster and the children it had are killed by pid if they linger).
pg_stop() {
	local kids i left was="the cluster did not stop within $SRV_TIMEOUT s"
	[ -n "$PG_PID" ] || return 0
	kids="$PG_SEEN $(_srv_kids "$PG_PID")"
	_srv_alive "$PG_PID" postgres || was="the postmaster (pid $PG_PID) was already gone"
	if _srv_alive "$PG_PID" postgres; then
		_srv_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$SRV_TIMEOUT" stop >> "$WORK/pg/pg_ctl.txt" 2>&1
		for ((i = 0; i < SRV_TIMEOUT * 10; i++)); do
			_srv_alive "$PG_PID" postgres || break
			[ "$i" -eq $((SRV_TIMEOUT * 10 - 50)) ] && kill -QUIT "$PG_PID" 2>/dev/null	# immediate shutdown
			sleep 0.1
		done
	fi
	# shellcheck disable=SC2086 # a list of pids
	left=$(_srv_reap postgres "$PG_PID" $kids)
	PG_PID="" PG_SEEN=""
	[ -z "$left" ] || { _srv_err pg_stop "$was; killed what was left of it, pids$left"; return 1; }
	return 0
}

# _srv_reap COMM PID...: kills (SIGKILL) those PIDs that still run COMM and
# prints their list; waits up to 5 s for them to go.
_srv_reap() {
	local comm=$1 p left="" i
	shift
	for p in $(printf '%s\n' "$@" | sort -un); do
		_srv_alive "$p" "$comm" && left="$left $p"
	done
	[ -n "$left" ] || return 0
	for p in $left; do kill -KILL "$p" 2>/dev/null; done
	for ((i = 0; i < 50; i++)); do
		for p in $left; do _srv_alive "$p" "$comm" && break; p=""; done
		[ -z "$p" ] && break
		sleep 0.1
	done
	echo "$left"
}

# -------------------------------------------------------------------- Apache

# apache_start [WORKERS]: Apache 2.4, mpm_prefork, WORKERS workers at all
# times, serving a static page on 127.0.0.1:APACHE_PORT from a config of its
# own under $WORK/apache (no ${APACHE_*} variables, nothing from /etc/apache2).
# Sets APACHE_PORT, APACHE_PID (the parent), APACHE_CONF; APACHE_KIDS holds
# the workers' pids.
apache_start() {
	local workers=${1:-300} d=$WORK/apache i n=0 m
	[ -n "$APACHE_BIN" ] || srv_need_packages
	if _srv_alive "$APACHE_PID" apache2; then
		_srv_err apache_start "apache is already running (pid $APACHE_PID); apache_stop first"
		return 1
	fi
	_srv_traverse
	rm -rf "$d"
	mkdir -p "$d/htdocs" "$d/logs" "$d/run" || { _srv_err apache_start "cannot create $d"; return 1; }
	chmod 755 "$d" "$d/htdocs"
	APACHE_CONF=$d/httpd.conf
	APACHE_WORKERS=$workers
	{
		echo "<!DOCTYPE html><html><head><title>fw test page</title></head><body>"
		for ((i = 0; i < 60; i++)); do
			echo "<p>line $i: a static page of a few KB for ab to fetch again and again.</p>"
		done
		echo "</body></html>"
	} > "$d/htdocs/index.html"
	chmod 644 "$d/htdocs/index.html"
	for m in mpm_prefork authz_core dir mime; do
		[ -r "/usr/lib/apache2/modules/mod_$m.so" ] ||
			{ _srv_err apache_start "apache2 module mod_$m.so is missing"; return 1; }
	done
	# A port taken between the check and the bind is retried with the next.
	for ((i = 0; i < 5; i++)); do
		APACHE_PORT=$(_srv_free_port $((18080 + i))) || { _srv_err apache_start "no free port in 18080-18183"; return 1; }
		_srv_apache_conf "$d" "$APACHE_PORT" "$workers" > "$APACHE_CONF"
		"$APACHE_BIN" -f "$APACHE_CONF" -k start > "$d/logs/start.txt" 2>&1 && break
		grep -q 'Address already in use' "$d/logs/start.txt" && [ "$i" -lt 4 ] && continue
		_srv_err apache_start "apache2 -k start failed: $(grep -v '^$' "$d/logs/start.txt" | tail -n1)"
		return 1
	done
	APACHE_PID=""
	for ((i = 0; i < SRV_TIMEOUT * 10; i++)); do
		[ -s "$d/run/httpd.pid" ] && APACHE_PID=$(cat "$d/run/httpd.pid") && _srv_alive "$APACHE_PID" apache2 && break
		APACHE_PID=""
		sleep 0.1
	done
	[ -n "$APACHE_PID" ] || { _srv_err apache_start "no live apache2 parent in $d/run/httpd.pid within $SRV_TIMEOUT s: $(tail -n1 "$d/logs/error.log" 2>/dev/null)"; return 1; }
	for ((i = 0; i < SRV_TIMEOUT * 10; i++)); do
		n=$(_srv_nkids "$APACHE_PID")
		[ "$n" -ge "$workers" ] && break
		sleep 0.1
	done
	[ "$n" -ge "$workers" ] || { _srv_err apache_start "only $n of $workers workers after $SRV_TIMEOUT s"; return 1; }
	APACHE_KIDS=$(_srv_kids "$APACHE_PID")
	for ((i = 0; i < SRV_TIMEOUT * 10; i++)); do
		_srv_http_ok "$APACHE_PORT" && return 0
		sleep 0.1
	done
	_srv_err apache_start "127.0.0.1:$APACHE_PORT did not answer 200 to GET / within $SRV_TIMEOUT s"
	return 1
}

# _srv_apache_conf DIR PORT WORKERS: the server's whole configuration.
_srv_apache_conf() {
	local d=$1 port=$2 workers=$3
	cat <<-EOF
		# bcc-forkwatch servers_lib.sh: a self-contained throw-away server
		ServerRoot "$d"
		ServerName 127.0.0.1
		Listen 127.0.0.1:$port
		PidFile "$d/run/httpd.pid"
		DefaultRuntimeDir "$d/run"
		Mutex file:$d/run default
		LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
		LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
		LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
		LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
		User www-data
		Group www-data
		ErrorLog "$d/logs/error.log"
		LogLevel warn
		TypesConfig /dev/null
		AddType text/html .html
		DocumentRoot "$d/htdocs"
		DirectoryIndex index.html
		<Directory />
		    AllowOverride None
		    Require all denied
		</Directory>
		<Directory "$d/htdocs">
		    AllowOverride None
		    Require all granted
		</Directory>
		KeepAlive On
		MaxKeepAliveRequests 0
		KeepAliveTimeout 5
		Timeout 30
		ListenBacklog 1024
		GracefulShutdownTimeout 10
		StartServers $workers
		MinSpareServers $workers
		MaxSpareServers $workers
		ServerLimit $workers
		MaxRequestWorkers $workers
		MaxConnectionsPerChild 0
	EOF
}

# _srv_http_ok PORT: GET / on 127.0.0.1:PORT answers 200 (bash's /dev/tcp).
_srv_http_ok() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 5 bash -c '
		exec 3<> "/dev/tcp/127.0.0.1/$1" || exit 1
		printf "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
		IFS= read -r line <&3 || exit 1
		case "$line" in "HTTP/1."?" 200 "*) exit 0 ;; *) exit 1 ;; esac
	' _ "$1" 2>/dev/null
}

# apache_load SECONDS [CONCURRENCY]: ab with keep-alive for SECONDS; output
# in $WORK/ab.txt; sets AB_REQUESTS. The parent and every worker it had at
# start must still be there afterwards.
apache_load() {
	local seconds=${1:?seconds} conc=${2:-300} out=$WORK/ab.txt rc why failed non2xx n p gone=""
	AB_REQUESTS=""
	_srv_alive "$APACHE_PID" apache2 || { _srv_err apache_load "no apache running (apache_start first)"; return 1; }
	{ (
		# ab needs a descriptor per connection; a low soft limit makes it
		# fail with "socket: Too many open files (24)".
		_srv_nofile $((conc * 2 + 64))
		exec timeout -k 5 $((seconds + SRV_TIMEOUT * 2)) ab -q -k -c "$conc" -t "$seconds" -n 10000000 \
			"http://127.0.0.1:$APACHE_PORT/"
	) > "$out" 2>&1; } 2>/dev/null
	rc=$?
	AB_REQUESTS=$(sed -n 's/^Complete requests: *\([0-9]*\).*/\1/p' "$out" | head -n1)
	failed=$(sed -n 's/^Failed requests: *\([0-9]*\).*/\1/p' "$out" | head -n1)
	non2xx=$(sed -n 's/^Non-2xx responses: *\([0-9]*\).*/\1/p' "$out" | head -n1)
	if [ "$rc" -ne 0 ]; then
		why=$(grep -m1 -E 'apr_|socket|Too many|refused|reset|timed out|Invalid' "$out")
		[ "$rc" -eq 124 ] && why="timed out after $((seconds + SRV_TIMEOUT * 2)) s; $why"
		why=${why:-$(grep -v '^$' "$out" | tail -n1)}
		_srv_err apache_load "ab $(_srv_status "$rc")${why:+: $why}"
		return 1
	fi
	[ "${failed:-x}" = 0 ] || { _srv_err apache_load "ab: Failed requests: ${failed:-not reported} $(grep -m1 -E '^ +\(Connect' "$out" | tr -s ' ')"; return 1; }
	[ -z "$non2xx" ] || [ "$non2xx" = 0 ] || { _srv_err apache_load "ab: Non-2xx responses: $non2xx"; return 1; }
	if [ -z "$AB_REQUESTS" ] || [ "$AB_REQUESTS" -lt 1 ]; then
		_srv_err apache_load "ab completed ${AB_REQUESTS:-no} requests"
		return 1
	fi
	_srv_alive "$APACHE_PID" apache2 || { _srv_err apache_load "the apache parent (pid $APACHE_PID) is gone after ab"; return 1; }
	for p in $APACHE_KIDS; do
		_srv_alive "$p" apache2 || gone="$gone $p"
	done
	n=$(_srv_nkids "$APACHE_PID")
	[ -z "$gone" ] || { _srv_err apache_load "workers gone after ab (now $n of $APACHE_WORKERS):$gone"; return 1; }
	[ "$n" -ge "$APACHE_WORKERS" ] || { _srv_err apache_load "only $n of $APACHE_WORKERS workers after ab"; return 1; }
	return 0
}

# apache_stop: graceful stop (10 s for requests in flight); whatever of the
# parent and its workers is left after SRV_TIMEOUT s is killed by pid.
apache_stop() {
	local kids i left was="apache did not stop within $SRV_TIMEOUT s"
	[ -n "$APACHE_PID" ] || return 0
	kids="$APACHE_KIDS $(_srv_kids "$APACHE_PID")"
	_srv_alive "$APACHE_PID" apache2 || was="the apache parent (pid $APACHE_PID) was already gone"
	if _srv_alive "$APACHE_PID" apache2; then
		"$APACHE_BIN" -f "$APACHE_CONF" -k graceful-stop >> "$WORK/apache/logs/start.txt" 2>&1 ||
			kill -WINCH "$APACHE_PID" 2>/dev/null
		for ((i = 0; i < SRV_TIMEOUT * 10; i++)); do
			_srv_alive "$APACHE_PID" apache2 || break
			[ "$i" -eq $((SRV_TIMEOUT * 10 - 50)) ] && kill -TERM "$APACHE_PID" 2>/dev/null	# hard stop
			sleep 0.1
		done
	fi
	# shellcheck disable=SC2086 # a list of pids
	left=$(_srv_reap apache2 "$APACHE_PID" $kids)
	APACHE_PID="" APACHE_KIDS=""
	[ -z "$left" ] || { _srv_err apache_stop "$was; killed what was left of it, pids$left"; return 1; }
	return 0
}

# ---------------------------------------------------------------- fork pool

# pool_run WORKERS SECONDS: a Python multiprocessing fork Pool of WORKERS,
# all alive at once (a Barrier), kept busy with small CPU tasks for SECONDS,
# then closed and joined. POOL_PID is the Python parent's pid (also in
# $WORK/pool.pid while it runs); output in $WORK/pool.txt; sets POOL_TASKS.
pool_run() {
	local workers=${1:?workers} seconds=${2:?seconds} out=$WORK/pool.txt limit rc i line watchdog
	[ -n "$SRV_PY" ] || srv_need_packages
	POOL_TASKS=""
	mkdir -p "$WORK"
	cat > "$WORK/pool.py" <<-'EOF'
		# bcc-forkwatch servers_lib.sh: a busy multiprocessing fork pool.
		import multiprocessing as mp
		import os
		import sys
		import threading
		import time

		_barrier = None


		def _init(barrier):
		    global _barrier
		    _barrier = barrier


		def hello(_):
		    # Blocks until every worker holds one: so each takes exactly one.
		    _barrier.wait(60)
		    return os.getpid()


		def spin(n):
		    s = 0
		    for i in range(n):
		        s += i * i
		    return s


		def main():
		    workers, seconds = int(sys.argv[1]), float(sys.argv[2])
		    ctx = mp.get_context("fork")
		    barrier = ctx.Barrier(workers)
		    pool = ctx.Pool(workers, initializer=_init, initargs=(barrier,))
		    try:
		        pids = set(pool.map(hello, range(workers), chunksize=1))
		    except threading.BrokenBarrierError:
		        print(f"pool FAIL: not all {workers} workers reached the barrier in 60 s")
		        pool.terminate()
		        return 1
		    with open(sys.argv[3], "w") as f:
		        f.write(" ".join(str(p) for p in sorted(pids)) + "\n")
		    alive = {p.pid for p in mp.active_children()}
		    if len(pids) != workers or not pids <= alive:
		        print(f"pool FAIL: {len(pids)} distinct workers answered, {len(alive)} alive, of {workers}")
		        pool.terminate()
		        return 1
		    tasks = 0
		    deadline = time.monotonic() + seconds
		    while time.monotonic() < deadline:
		        batch = pool.map_async(spin, [20000] * workers, chunksize=1)
		        # A worker that dies takes its task with it and the batch never
		        # ends: look for gone workers while waiting.
		        while not batch.ready():
		            batch.wait(0.5)
		            gone = pids - {p.pid for p in mp.active_children()}
		            if gone:
		                print(f"pool FAIL: {len(gone)} workers gone while busy: {sorted(gone)[:10]}")
		                pool.terminate()
		                return 1
		        tasks += len(batch.get())
		    pool.close()
		    pool.join()
		    print(f"pool ok {workers} {tasks}")
		    return 0


		if __name__ == "__main__":
		    sys.exit(main())
	EOF
	rm -f "$WORK/pool.workers"
	"$SRV_PY" "$WORK/pool.py" "$workers" "$seconds" "$WORK/pool.workers" > "$out" 2>&1 &
	POOL_PID=$!
	echo "$POOL_PID" > "$WORK/pool.pid"
	limit=$((seconds + 60 + SRV_TIMEOUT))
	rm -f "$WORK/pool.timeout"
	# A watchdog ends a pool that hangs (a lost worker hangs Pool.join).
	# The parent is waited for with wait, not polled: bash would print a
	# "Killed" line later for a job that it reaped on its own.
	(
		for ((i = 0; i < limit * 5; i++)); do
			_srv_alive "$POOL_PID" || exit 0
			sleep 0.2
		done
		: > "$WORK/pool.timeout"
		_srv_pool_kill
	) &
	watchdog=$!
	{ wait "$POOL_PID"; } 2>/dev/null
	rc=$?
	wait "$watchdog"
	if [ -e "$WORK/pool.timeout" ]; then
		rm -f "$WORK/pool.timeout" "$WORK/pool.pid" "$WORK/pool.workers"
		_srv_err pool_run "the pool did not finish within $limit s; killed it"
		return 1
	fi
	# Workers left behind by a failed run must not outlive it (the parent
	# is reaped: only the workers it reported are looked at).
	rm -f "$WORK/pool.pid"
	[ "$rc" -eq 0 ] || _srv_pool_kill
	rm -f "$WORK/pool.workers"
	line=$(grep -m1 "^pool ok $workers " "$out")
	if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
		line=$(grep -m1 -E 'pool FAIL|Error' "$out" || grep -v '^$' "$out" | tail -n1)
		_srv_err pool_run "python $(_srv_status "$rc")${line:+: $line}"
		return 1
	fi
	POOL_TASKS=${line##* }
	return 0
}

# _srv_pool_kill: a pool that still runs (its parent's pid is in
# $WORK/pool.pid only while pool_run waits for it, so this also works from
# the shell that ran pool_run in the background): the python parent, its
# children and the workers it reported in $WORK/pool.workers, killed by pid.
_srv_pool_kill() {
	local pid="" w=""
	[ -r "$WORK/pool.pid" ] && pid=$(cat "$WORK/pool.pid")
	[ -r "$WORK/pool.workers" ] && w=$(cat "$WORK/pool.workers")
	[ -n "$pid$w" ] || return 0
	# shellcheck disable=SC2046,SC2086 # lists of pids
	_srv_reap python $pid $([ -n "$pid" ] && _srv_kids "$pid") $w > /dev/null
	[ -n "$pid" ] && wait "$pid" 2>/dev/null
	rm -f "$WORK/pool.pid" "$WORK/pool.workers"
	return 0
}

# srv_cleanup: stops whatever of the above still runs; safe to call twice or
# when nothing was started. Returns 1 if something had to be killed. The
# caller's WORK is left for the caller to remove; a private one goes here.
srv_cleanup() {
	local rc=0
	_srv_pool_kill
	apache_stop || rc=1
	pg_stop || rc=1
	[ "$_SRV_OWN_WORK" -eq 1 ] && rm -rf "$WORK"
	return "$rc"
}
