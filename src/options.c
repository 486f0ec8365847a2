// SPDX-License-Identifier: GPL-2.0
#include "options.h"

#include "forkwatch_logic.h"

#include <getopt.h>
#include <pwd.h>
#include <string.h>

#include "util.h"

#define MAX_THRESHOLD 10000000ULL
#define MIN_WINDOW_NS 10000000ULL        /* 10ms */
#define MAX_WINDOW_NS 60000000000ULL     /* 1m */
#define MAX_DURATION_NS (366ULL * 86400 * 1000000000ULL)
#define MIN_ESTABLISHED_NS 1000000000ULL      /* 1s */
#define MAX_ESTABLISHED_NS (86400ULL * 1000000000ULL)
#define MAX_COMM 15 /* the kernel keeps 15 bytes of a command name */

static const char usage[] =
"Usage: bcc-forkwatch [OPTION]...\n"
"Detect fork bombs and runaway process creation with eBPF, through libbcc.\n"
"Decides in the kernel; reports a process only when a rule names it as the\n"
"root of runaway creation. Can also print every new process or file open,\n"
"and serve Prometheus metrics. Needs root and kernel headers (not BTF).\n"
"\n"
"Detection (always on): a rule names the root of what runs away:\n"
"  -R, --rank N               replicator: copies of one program that make copies\n"
"                             that make copies, branching N levels deep (their\n"
"                             branching rank, over the lines still there)\n"
"                             (default 5, 3 to 15)\n"
"      --chain N              chain: a line of copies, each starting the next at\n"
"                             once, gaining N generations within the window\n"
"                             (default 64, from 8)\n"
"      --spawn-max N          spawner: one process holding N live children\n"
"                             (default 10000, at most half of pid_max), or 64\n"
"                             while its creations fail (a full pids.max,\n"
"                             RLIMIT_NPROC, pid_max)\n"
"  -t, --threshold N          rate: report a process that creates N processes\n"
"                             within the window (default 5000; never killed)\n"
"  -w, --window DURATION      sliding window: 500ms, 1s, 2.5s, ... (default 1s,\n"
"                             from 10ms to 1m)\n"
"      --threads              also report thread storms (and, with --events,\n"
"                             print new threads)\n"
"      --thread-threshold N   threads one process may create within the window\n"
"                             before a thread alert (default 256)\n"
"      --established DURATION a root whose program ran this long before it was\n"
"                             named is a server or a shell: containment kills\n"
"                             only what it made in the episode, and a spawner is\n"
"                             only reported (default 30s, from 1s to 1440m)\n"
"      --records N            processes the lineage store holds: a power of two\n"
"                             from 1024 to 4194304 (default 32768, 12 MiB of\n"
"                             kernel memory). When it is full, records nothing\n"
"                             depends on (old processes that never created, the\n"
"                             dead) make room; what still finds none is counted\n"
"                             as untracked and reported\n"
"\n"
"Events (one line per event on stdout; text alerts then go to stderr):\n"
"  -e, --events               every new process: time, pid, ppid, uid, command,\n"
"                             syscall (with kprobes or --syscalls; else none),\n"
"                             and new threads with --threads\n"
"  -o, --opens                every file open (open, openat, openat2): time,\n"
"                             pid, uid, command, result, flags, path\n"
"  -p, --pid PID              only PID and its descendants\n"
"  -c, --comm COMM            only tasks whose command name is exactly COMM\n"
"  -u, --uid UID              only this user (a number or a user name)\n"
"      --buffer-pages N       event buffer pages per CPU, a power of two\n"
"                             (default 64; one ring buffer of N times the CPUs\n"
"                             where the kernel has them, else a perf buffer per\n"
"                             CPU); lost events are counted and reported, never\n"
"                             dropped silently\n"
"\n"
"Containment (off unless asked for):\n"
"      --kill                 stop fork bombs from inside the kernel: when a rule\n"
"                             names a root, the probe dooms its lineage; each\n"
"                             member dies at its next fork, new ones as they\n"
"                             start, the quiet ones in a sweep (stopped, then\n"
"                             killed) at real-time priority. With --threads, a\n"
"                             process creating twice --thread-threshold threads\n"
"                             per window dies too. Rate alerts never kill\n"
"      --dry-run              decide and report as --kill would, kill nothing\n"
"      --limit COMM=N         a process named COMM may create N children over its\n"
"                             life; its next fork kills it (repeatable; works\n"
"                             without --kill)\n"
"      --allow comm:NAME|uid:UID|user:NAME|cgroup:PATH\n"
"                             never kill these (repeatable; PATH is a cgroup v2\n"
"                             path as /proc/PID/cgroup shows it, and covers the\n"
"                             cgroups below it). Never killed in any case: pid 1,\n"
"                             kernel threads, this tool and its ancestors\n"
"\n"
"Metrics:\n"
"      --metrics-addr [HOST:]PORT\n"
"                             serve Prometheus metrics on http://HOST:PORT/metrics\n"
"                             (HOST defaults to 127.0.0.1)\n"
"      --metrics-textfile PATH\n"
"                             write the same metrics to PATH every 5 s (atomic\n"
"                             rename), for node_exporter's textfile collector\n"
"\n"
"Output:\n"
"  -l, --log PATH             append alerts to PATH (default ./metrics.log);\n"
"                             SIGHUP reopens it (logrotate)\n"
"      --no-log               write no log file\n"
"      --syslog               also send each alert (priority warning) and kill\n"
"                             (err) to syslog, facility daemon, as key=value\n"
"                             fields with who it is (cgroup, unit, container,\n"
"                             user, command line)\n"
"      --pid-file PATH        write the tool's pid to PATH (locked while it runs,\n"
"                             removed at exit), for logrotate's SIGHUP\n"
"  -j, --json                 print JSON lines instead of text\n"
"  -d, --duration DURATION    stop after DURATION (seconds, or 30s, 5m; default:\n"
"                             until Ctrl-C or SIGTERM)\n"
"  -v, --verbose              show libbcc's compiler and attach messages\n"
"\n"
"Probes:\n"
"      --probe-mode MODE      auto (default: kprobes, else tracepoints),\n"
"                             kprobe or tracepoint\n"
"      --syscalls             without kprobes, name the syscall that made each\n"
"                             task and count every failed creation, through the\n"
"                             syscalls:* tracepoints: every syscall on the machine\n"
"                             then pays for them (see README, Performance). By\n"
"                             default they are attached only while a rule needs\n"
"                             failed creations; kprobes need no such option\n"
"      --arch-probe SPEC      x86_64 or arm64 to choose that arch's syscall\n"
"                             symbols, or a comma-separated list of kallsyms\n"
"                             symbols to attach kprobes to\n"
"      --list-probes          print what would be attached and why, then exit\n"
"      --kernel-headers DIR   kernel headers to compile the probe against\n"
"                             (default: $BCC_KERNEL_SOURCE, /lib/modules/$(uname\n"
"                             -r)/build, else the newest /usr/src/linux-headers-*)\n"
"\n"
"  -h, --help                 show this help\n"
"  -V, --version              show the version\n"
"\n"
"Examples:\n"
"  sudo bcc-forkwatch                    # watch until Ctrl-C; alerts on the console\n"
"                                        # and in ./metrics.log\n"
"  sudo bcc-forkwatch -R 4 -w 2s         # name replicators earlier, slower ones too\n"
"  sudo bcc-forkwatch -j -l /var/log/forkwatch.log\n"
"  sudo bcc-forkwatch --syslog -l /var/log/fw.log --pid-file /run/fw.pid\n"
"                                        # alerts to syslog too (the journal,\n"
"                                        # rsyslog); after moving the log,\n"
"                                        # pkill -HUP --pidfile /run/fw.pid\n"
"                                        # makes it write to a new one\n"
"  sudo bcc-forkwatch --threads -d 60    # thread storms too, for one minute\n"
"  sudo bcc-forkwatch -e                 # every new process, like forkstat\n"
"  sudo bcc-forkwatch -e -p 1234         # what process 1234 and its children start\n"
"  sudo bcc-forkwatch -o -c nginx        # every file nginx opens\n"
"  sudo bcc-forkwatch --metrics-addr 9464 --no-log\n"
"                                        # Prometheus on 127.0.0.1:9464/metrics\n"
"  sudo bcc-forkwatch --kill --allow comm:make\n"
"                                        # stop fork bombs; never kill make\n"
"  sudo bcc-forkwatch --dry-run          # what --kill would do, killing nothing\n"
"  sudo bcc-forkwatch --limit bash=200   # a bash may start 200 processes\n"
"  sudo bcc-forkwatch --list-probes      # which syscall symbols, and why\n"
"  sudo bcc-forkwatch --arch-probe __x64_sys_clone,__x64_sys_clone3\n"
"\n"
"Signals: SIGINT and SIGTERM stop it (with a summary); SIGHUP reopens the\n"
"--log file (for logrotate) and goes on.\n"
"\n"
"Exit status: 0 ok, 1 not root, 2 bad command line, 3 log, pid file,\n"
"textfile or metrics address not usable, 4 no kernel headers, 5 probe\n"
"could not be compiled, loaded or attached, 6 the privilege drop failed, or\n"
"a syscall outside the seccomp allow-list was refused (a bug: please report\n"
"it).\n";

enum {
	OPT_THREADS = 256,
	OPT_THREAD_THRESHOLD,
	OPT_NO_LOG,
	OPT_PROBE_MODE,
	OPT_ARCH_PROBE,
	OPT_LIST_PROBES,
	OPT_KERNEL_HEADERS,
	OPT_BUFFER_PAGES,
	OPT_METRICS_ADDR,
	OPT_METRICS_TEXTFILE,
	OPT_KILL,
	OPT_DRY_RUN,
	OPT_KILL_THRESHOLD,
	OPT_CHAIN,
	OPT_SPAWN_MAX,
	OPT_ESTABLISHED,
	OPT_ALLOW,
	OPT_LIMIT,
	OPT_SYSCALLS,
	OPT_RECORDS,
	OPT_SYSLOG,
	OPT_PID_FILE,
};

static const struct option long_opts[] = {
	{ "threshold", required_argument, NULL, 't' },
	{ "tree-threshold", required_argument, NULL, 'T' }, /* removed: says so */
	{ "rank", required_argument, NULL, 'R' },
	{ "chain", required_argument, NULL, OPT_CHAIN },
	{ "spawn-max", required_argument, NULL, OPT_SPAWN_MAX },
	{ "established", required_argument, NULL, OPT_ESTABLISHED },
	{ "records", required_argument, NULL, OPT_RECORDS },
	{ "window", required_argument, NULL, 'w' },
	{ "threads", no_argument, NULL, OPT_THREADS },
	{ "thread-threshold", required_argument, NULL, OPT_THREAD_THRESHOLD },
	{ "log", required_argument, NULL, 'l' },
	{ "no-log", no_argument, NULL, OPT_NO_LOG },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "json", no_argument, NULL, 'j' },
	{ "duration", required_argument, NULL, 'd' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "probe-mode", required_argument, NULL, OPT_PROBE_MODE },
	{ "arch-probe", required_argument, NULL, OPT_ARCH_PROBE },
	{ "list-probes", no_argument, NULL, OPT_LIST_PROBES },
	{ "syscalls", no_argument, NULL, OPT_SYSCALLS },
	{ "kernel-headers", required_argument, NULL, OPT_KERNEL_HEADERS },
	{ "events", no_argument, NULL, 'e' },
	{ "opens", no_argument, NULL, 'o' },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "uid", required_argument, NULL, 'u' },
	{ "buffer-pages", required_argument, NULL, OPT_BUFFER_PAGES },
	{ "metrics-addr", required_argument, NULL, OPT_METRICS_ADDR },
	{ "metrics-textfile", required_argument, NULL, OPT_METRICS_TEXTFILE },
	{ "kill", no_argument, NULL, OPT_KILL },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "kill-threshold", required_argument, NULL, OPT_KILL_THRESHOLD },
	{ "allow", required_argument, NULL, OPT_ALLOW },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

const char *fw_mode_name(enum fw_probe_mode mode)
{
	switch (mode) {
	case FW_MODE_KPROBE:
		return "kprobe";
	case FW_MODE_TRACEPOINT:
		return "tracepoint";
	default:
		return "auto";
	}
}

int fw_parse_listen(const char *s, char *host, size_t hostlen, uint16_t *port)
{
	const char *colon, *port_text = s;
	uint64_t v;
	size_t n;

	if (s[0] == '[') { /* [v6]:PORT */
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':' || end == s + 1)
			return -1;
		n = (size_t)(end - s - 1);
		if (n >= hostlen)
			return -1;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		port_text = end + 2;
	} else if ((colon = strrchr(s, ':')) != NULL) {
		n = (size_t)(colon - s);
		if (n == 0 || n >= hostlen || memchr(s, ':', n)) /* bare v6 needs brackets */
			return -1;
		memcpy(host, s, n);
		host[n] = '\0';
		port_text = colon + 1;
	} else {
		if (fw_snprintf(host, hostlen, "%s", FW_DEFAULT_METRICS_HOST) < 0)
			return -1;
	}
	if (fw_parse_uint(port_text, 1, 65535, &v) < 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* A user id, or a user name looked up in the password database. */
static int parse_user(const char *arg, uint32_t *uid)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	uint64_t v;

	if (fw_parse_uint(arg, 0, 4294967294ULL, &v) == 0) {
		*uid = (uint32_t)v;
		return 0;
	}
	if (getpwnam_r(arg, &pw, buf, sizeof(buf), &found) != 0 || !found)
		return -1;
	*uid = (uint32_t)found->pw_uid;
	return 0;
}

static bool valid_comm(const char *s)
{
	return s[0] && strlen(s) <= MAX_COMM;
}

/* --allow comm:NAME | uid:UID | user:NAME | cgroup:PATH */
static int allow_arg(struct fw_options *o, const char *arg, char *err, size_t len)
{
	const char *colon = strchr(arg, ':'), *val = colon ? colon + 1 : "";
	size_t kind = colon ? (size_t)(colon - arg) : 0;

	if (kind == 4 && !strncmp(arg, "comm", 4)) {
		if (!valid_comm(val)) {
			fw_snprintf(err, len, "invalid --allow '%s': a command name has 1 to %d "
				    "characters", arg, MAX_COMM);
			return -1;
		}
		if (o->n_allow_comm == FW_MAX_ALLOW)
			goto too_many;
		snprintf(o->allow_comm[o->n_allow_comm++], sizeof(o->allow_comm[0]), "%s", val);
		return 0;
	}
	if ((kind == 3 && !strncmp(arg, "uid", 3)) || (kind == 4 && !strncmp(arg, "user", 4))) {
		if (o->n_allow_uid == FW_MAX_ALLOW)
			goto too_many;
		if (parse_user(val, &o->allow_uid[o->n_allow_uid]) < 0) {
			fw_snprintf(err, len, "invalid --allow '%s': not a user id or a known user "
				    "name", arg);
			return -1;
		}
		o->n_allow_uid++;
		return 0;
	}
	if (kind == 6 && !strncmp(arg, "cgroup", 6)) {
		if (val[0] != '/') {
			fw_snprintf(err, len, "invalid --allow '%s': a cgroup is an absolute path, "
				    "like cgroup:/system.slice/sshd.service", arg);
			return -1;
		}
		if (o->n_allow_cgroup == FW_MAX_CGROUPS) {
			fw_snprintf(err, len, "invalid --allow '%s': at most %d cgroups", arg,
				    FW_MAX_CGROUPS);
			return -1;
		}
		o->allow_cgroup[o->n_allow_cgroup++] = val;
		return 0;
	}
	fw_snprintf(err, len, "invalid --allow '%s': expected comm:NAME, uid:UID, user:NAME or "
		    "cgroup:PATH", arg);
	return -1;
too_many:
	fw_snprintf(err, len, "invalid --allow '%s': at most %d of each kind", arg, FW_MAX_ALLOW);
	return -1;
}

/* --limit COMM=N */
static int limit_arg(struct fw_options *o, const char *arg, char *err, size_t len)
{
	const char *eq = strrchr(arg, '=');
	struct fw_limit *l;
	uint64_t v;
	size_t i, n = eq ? (size_t)(eq - arg) : 0;

	if (!eq || n == 0 || n > MAX_COMM || fw_parse_uint(eq + 1, 0, MAX_THRESHOLD, &v) < 0) {
		fw_snprintf(err, len, "invalid --limit '%s': expected COMM=N, a command name of 1 to "
			    "%d characters and a number of children from 0 to %llu", arg, MAX_COMM,
			    MAX_THRESHOLD);
		return -1;
	}
	for (i = 0; i < o->n_limits; i++)
		if (strlen(o->limits[i].comm) == n && !strncmp(o->limits[i].comm, arg, n)) {
			fw_snprintf(err, len, "invalid --limit '%s': %.*s has a limit already", arg,
				    (int)n, arg);
			return -1;
		}
	if (o->n_limits == FW_MAX_LIMITS) {
		fw_snprintf(err, len, "invalid --limit '%s': at most %d limits", arg, FW_MAX_LIMITS);
		return -1;
	}
	l = &o->limits[o->n_limits++];
	memcpy(l->comm, arg, n);
	l->comm[n] = '\0';
	l->children = (uint32_t)v;
	return 0;
}

static int threshold_arg(const char *name, const char *arg, uint32_t *out, char *err, size_t len)
{
	uint64_t v;

	if (fw_parse_uint(arg, 1, MAX_THRESHOLD, &v) < 0) {
		fw_snprintf(err, len, "invalid %s '%s': expected a whole number from 1 to %llu", name,
			    arg, MAX_THRESHOLD);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* A long option getopt refused: a value given to a flag that takes none
 * ("--json=1"), or an unknown name. */
static void flag_error(const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg - 2) : 0;
	const struct option *o;

	for (o = long_opts; eq && o->name; o++)
		if (o->has_arg == no_argument && strlen(o->name) == n &&
		    strncmp(o->name, arg + 2, n) == 0) {
			fw_snprintf(err, errlen, "option '--%s' takes no value (see --help)", o->name);
			return;
		}
	fw_snprintf(err, errlen, "unknown option '%s' (see --help)", arg);
}

enum fw_parse_result fw_options_parse(int argc, char **argv, struct fw_options *o, FILE *out,
				      char *err, size_t errlen)
{
	const char *given_log = NULL;
	bool no_log = false, thread_threshold_given = false, buffer_pages_given = false;
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->proc_threshold = FW_DEFAULT_PROC_THRESHOLD;
	o->rank = FW_DEFAULT_RANK;
	o->chain = FW_DEFAULT_CHAIN;
	o->spawn_max = FW_DEFAULT_SPAWN_MAX;
	o->established_ns = FW_DEFAULT_ESTABLISHED_NS;
	o->thread_threshold = FW_DEFAULT_THREAD_THRESHOLD;
	o->window_ns = FW_DEFAULT_WINDOW_NS;
	o->log_path = FW_DEFAULT_LOG;
	o->mode = FW_MODE_AUTO;
	o->buffer_pages = FW_DEFAULT_BUFFER_PAGES;
	o->record_bits = FW_PROC_SLOT_BITS;

	optind = 0; /* full reset, so tests can parse repeatedly */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:T:R:w:l:jd:vhVeop:c:u:", long_opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (threshold_arg("--threshold", optarg, &o->proc_threshold, err, errlen))
				return FW_PARSE_ERROR;
			break;
		case 'T':
			fw_snprintf(err, errlen, "-T/--tree-threshold was removed: bursts of live "
				    "processes no longer name bombs; see --rank, --chain and "
				    "--spawn-max");
			return FW_PARSE_ERROR;
		case 'R':
			if (fw_parse_uint(optarg, FW_MIN_RANK, FW_MAX_RANK, &v) < 0) {
				fw_snprintf(err, errlen, "invalid --rank '%s': expected a whole number "
					    "from %d to %d", optarg, FW_MIN_RANK, FW_MAX_RANK);
				return FW_PARSE_ERROR;
			}
			o->rank = (uint32_t)v;
			break;
		case OPT_CHAIN:
			if (fw_parse_uint(optarg, FW_MIN_CHAIN, MAX_THRESHOLD, &v) < 0) {
				fw_snprintf(err, errlen, "invalid --chain '%s': expected a whole number "
					    "from %d to %llu", optarg, FW_MIN_CHAIN, MAX_THRESHOLD);
				return FW_PARSE_ERROR;
			}
			o->chain = (uint32_t)v;
			break;
		case OPT_SPAWN_MAX:
			if (fw_parse_uint(optarg, FW_MIN_SPAWN_MAX, MAX_THRESHOLD, &v) < 0) {
				fw_snprintf(err, errlen, "invalid --spawn-max '%s': expected a whole "
					    "number from %d to %llu", optarg, FW_MIN_SPAWN_MAX,
					    MAX_THRESHOLD);
				return FW_PARSE_ERROR;
			}
			o->spawn_max = (uint32_t)v;
			break;
		case OPT_ESTABLISHED:
			if (fw_parse_duration(optarg, MAX_ESTABLISHED_NS, &o->established_ns) < 0 ||
			    o->established_ns < MIN_ESTABLISHED_NS) {
				fw_snprintf(err, errlen,
					    "invalid --established '%s': expected a duration from 1s to "
					    "1440m (a day), like 30s or 10m", optarg);
				return FW_PARSE_ERROR;
			}
			break;
		case OPT_THREAD_THRESHOLD:
			if (threshold_arg("--thread-threshold", optarg, &o->thread_threshold, err,
					  errlen))
				return FW_PARSE_ERROR;
			thread_threshold_given = true;
			break;
		case 'w':
			if (fw_parse_duration(optarg, MAX_WINDOW_NS, &o->window_ns) < 0 ||
			    o->window_ns < MIN_WINDOW_NS) {
				fw_snprintf(err, errlen,
					    "invalid --window '%s': expected a duration from 10ms to 1m, "
					    "like 500ms or 2s", optarg);
				return FW_PARSE_ERROR;
			}
			break;
		case 'd':
			if (fw_parse_duration(optarg, MAX_DURATION_NS, &o->duration_ns) < 0) {
				fw_snprintf(err, errlen,
					    "invalid --duration '%s': expected a positive number of "
					    "seconds, or a duration like 30s or 5m", optarg);
				return FW_PARSE_ERROR;
			}
			break;
		case OPT_THREADS:
			o->threads = true;
			break;
		case OPT_SYSCALLS:
			o->syscalls = true;
			break;
		case 'l':
			if (!optarg[0]) {
				fw_snprintf(err, errlen, "invalid --log '': expected a file path");
				return FW_PARSE_ERROR;
			}
			given_log = optarg;
			break;
		case OPT_NO_LOG:
			no_log = true;
			break;
		case OPT_SYSLOG:
			o->syslog = true;
			break;
		case OPT_PID_FILE:
			if (!optarg[0]) {
				fw_snprintf(err, errlen, "invalid --pid-file '': expected a file path");
				return FW_PARSE_ERROR;
			}
			o->pid_file = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_PROBE_MODE:
			if (strcmp(optarg, "auto") == 0)
				o->mode = FW_MODE_AUTO;
			else if (strcmp(optarg, "kprobe") == 0)
				o->mode = FW_MODE_KPROBE;
			else if (strcmp(optarg, "tracepoint") == 0)
				o->mode = FW_MODE_TRACEPOINT;
			else {
				fw_snprintf(err, errlen,
					    "invalid --probe-mode '%s': expected auto, kprobe or "
					    "tracepoint", optarg);
				return FW_PARSE_ERROR;
			}
			break;
		case OPT_ARCH_PROBE:
			if (!optarg[0]) {
				fw_snprintf(err, errlen,
					    "invalid --arch-probe '': expected an arch or symbols");
				return FW_PARSE_ERROR;
			}
			o->arch_probe = optarg;
			break;
		case OPT_LIST_PROBES:
			o->list_probes = true;
			break;
		case OPT_KERNEL_HEADERS:
			if (!optarg[0]) {
				fw_snprintf(err, errlen, "invalid --kernel-headers '': expected a directory");
				return FW_PARSE_ERROR;
			}
			o->kernel_headers = optarg;
			break;
		case 'e':
			o->events = true;
			break;
		case 'o':
			o->opens = true;
			break;
		case 'p':
			if (fw_parse_uint(optarg, 1, 4194304, &v) < 0) {
				fw_snprintf(err, errlen, "invalid --pid '%s': expected a process id", optarg);
				return FW_PARSE_ERROR;
			}
			o->filter_pid = true;
			o->pid = (uint32_t)v;
			break;
		case 'c':
			if (!optarg[0] || strlen(optarg) > MAX_COMM) {
				fw_snprintf(err, errlen,
					    "invalid --comm '%s': expected a command name of 1 to %d "
					    "characters (the kernel keeps %d)", optarg, MAX_COMM, MAX_COMM);
				return FW_PARSE_ERROR;
			}
			o->comm = optarg;
			break;
		case 'u':
			if (parse_user(optarg, &o->uid) < 0) {
				fw_snprintf(err, errlen,
					    "invalid --uid '%s': not a user id or a known user name", optarg);
				return FW_PARSE_ERROR;
			}
			o->filter_uid = true;
			break;
		case OPT_KILL:
			o->kill = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_KILL_THRESHOLD:
			fw_snprintf(err, errlen, "--kill-threshold was removed: --kill acts on the "
				    "same verdicts the alerts report (see --rank, --chain and "
				    "--spawn-max)");
			return FW_PARSE_ERROR;
		case OPT_ALLOW:
			if (allow_arg(o, optarg, err, errlen) < 0)
				return FW_PARSE_ERROR;
			break;
		case OPT_LIMIT:
			if (limit_arg(o, optarg, err, errlen) < 0)
				return FW_PARSE_ERROR;
			break;
		case OPT_RECORDS:
			if (fw_parse_uint(optarg, 1u << FW_PROC_SLOT_BITS_MIN, 1u << FW_PROC_SLOT_BITS_MAX,
					  &v) < 0 || (v & (v - 1))) {
				fw_snprintf(err, errlen,
					    "invalid --records '%s': expected a power of two from %u to %u",
					    optarg, 1u << FW_PROC_SLOT_BITS_MIN, 1u << FW_PROC_SLOT_BITS_MAX);
				return FW_PARSE_ERROR;
			}
			o->record_bits = (uint32_t)__builtin_ctzll(v);
			break;
		case OPT_BUFFER_PAGES:
			if (fw_parse_uint(optarg, 1, FW_MAX_BUFFER_PAGES, &v) < 0 || (v & (v - 1))) {
				fw_snprintf(err, errlen,
					    "invalid --buffer-pages '%s': expected a power of two from 1 "
					    "to %d", optarg, FW_MAX_BUFFER_PAGES);
				return FW_PARSE_ERROR;
			}
			o->buffer_pages = (uint32_t)v;
			buffer_pages_given = true;
			break;
		case OPT_METRICS_ADDR:
			if (fw_parse_listen(optarg, o->metrics_host, sizeof(o->metrics_host),
					    &o->metrics_port) < 0) {
				fw_snprintf(err, errlen,
					    "invalid --metrics-addr '%s': expected [HOST:]PORT, like 9464, "
					    "127.0.0.1:9464 or [::1]:9464", optarg);
				return FW_PARSE_ERROR;
			}
			break;
		case OPT_METRICS_TEXTFILE:
			if (!optarg[0]) {
				fw_snprintf(err, errlen, "invalid --metrics-textfile '': expected a file path");
				return FW_PARSE_ERROR;
			}
			o->metrics_textfile = optarg;
			break;
		case 'h':
			fputs(usage, out);
			return FW_PARSE_EXIT_OK;
		case 'V':
			fprintf(out, "bcc-forkwatch %s\n", FW_VERSION_STRING);
			return FW_PARSE_EXIT_OK;
		case ':':
			fw_snprintf(err, errlen, "option '%s' needs a value (see --help)",
				    argv[optind - 1]);
			return FW_PARSE_ERROR;
		default:
			/* What was typed: "--json=1" sets optopt to 'j'. */
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				flag_error(argv[optind - 1], err, errlen);
			else if (optopt && optopt < 256)
				fw_snprintf(err, errlen, "unknown option '-%c' (see --help)", optopt);
			else
				fw_snprintf(err, errlen, "unknown option '%s' (see --help)",
					    argv[optind - 1]);
			return FW_PARSE_ERROR;
		}
	}
	if (optind < argc) {
		fw_snprintf(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
		return FW_PARSE_ERROR;
	}
	if (no_log && given_log) {
		fw_snprintf(err, errlen, "--log and --no-log cannot be used together");
		return FW_PARSE_ERROR;
	}
	if (given_log)
		o->log_path = given_log;
	if (no_log)
		o->log_path = NULL;
	if (o->arch_probe && o->mode == FW_MODE_TRACEPOINT) {
		fw_snprintf(err, errlen, "--arch-probe chooses kprobes; it cannot be used with "
			    "--probe-mode tracepoint");
		return FW_PARSE_ERROR;
	}
	if ((o->filter_pid || o->filter_uid || o->comm) && !o->events && !o->opens) {
		fw_snprintf(err, errlen, "--pid, --comm and --uid filter events: add --events or "
			    "--opens");
		return FW_PARSE_ERROR;
	}
	if (buffer_pages_given && !o->events && !o->opens) {
		fw_snprintf(err, errlen, "--buffer-pages sizes the events buffer: add --events or "
			    "--opens");
		return FW_PARSE_ERROR;
	}
	if (thread_threshold_given && !o->threads) {
		fw_snprintf(err, errlen, "--thread-threshold needs --threads");
		return FW_PARSE_ERROR;
	}
	if (o->dry_run && !o->kill && !o->n_limits)
		o->kill = true; /* --dry-run alone: what --kill would do */
	if ((o->n_allow_comm || o->n_allow_uid || o->n_allow_cgroup) && !fw_containment(o)) {
		fw_snprintf(err, errlen, "--allow exempts processes from killing: add --kill, "
			    "--dry-run or --limit");
		return FW_PARSE_ERROR;
	}
	o->kill_thread = o->thread_threshold > MAX_THRESHOLD / FW_KILL_FACTOR
				 ? (uint32_t)MAX_THRESHOLD
				 : o->thread_threshold * FW_KILL_FACTOR;
	return FW_PARSE_RUN;
}
