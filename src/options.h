/* SPDX-License-Identifier: GPL-2.0 */
/* Command line: parsing and validation, no side effects. */
#ifndef FW_OPTIONS_H
#define FW_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, documented in --help and README. */
enum fw_exit {
	FW_EXIT_OK = 0,
	FW_EXIT_NOT_ROOT = 1,
	FW_EXIT_USAGE = 2,
	FW_EXIT_LOG = 3,
	FW_EXIT_HEADERS = 4,
	FW_EXIT_BPF = 5,
	FW_EXIT_SANDBOX = 6,
};

enum fw_probe_mode { FW_MODE_AUTO, FW_MODE_KPROBE, FW_MODE_TRACEPOINT };

#define FW_DEFAULT_PROC_THRESHOLD 5000
#define FW_DEFAULT_RANK 5           /* see README, "How it detects" */
#define FW_MIN_RANK 3
#define FW_MAX_RANK 15 /* FW_RANK_MAX */
#define FW_DEFAULT_CHAIN 64
#define FW_MIN_CHAIN 8
#define FW_DEFAULT_SPAWN_MAX 10000
#define FW_MIN_SPAWN_MAX 64
#define FW_DEFAULT_ESTABLISHED_NS 30000000000ULL /* 30s */
#define FW_DEFAULT_THREAD_THRESHOLD 256
#define FW_DEFAULT_WINDOW_NS 1000000000ULL
#define FW_DEFAULT_LOG "metrics.log"
#define FW_DEFAULT_BUFFER_PAGES 64 /* per CPU, for --events/--opens; measured: see README */
#define FW_MAX_BUFFER_PAGES 65536
#define FW_DEFAULT_METRICS_HOST "127.0.0.1"
#define FW_KILL_FACTOR 2 /* thread storms are killed at this many times the alert's threshold */
#define FW_MAX_ALLOW 256
#define FW_MAX_LIMITS 256
#define FW_MAX_CGROUPS 8 /* FW_MAX_ALLOW_CGROUPS in the probe */

struct fw_limit {
	char comm[16];
	uint32_t children;
};

struct fw_options {
	uint32_t proc_threshold;   /* -t: the rate rule */
	uint32_t rank;             /* --rank: the replicator rule */
	uint32_t chain;            /* --chain */
	uint32_t spawn_max;        /* --spawn-max */
	uint64_t established_ns;   /* --established */
	uint32_t thread_threshold;
	uint64_t window_ns;
	uint64_t duration_ns; /* 0: until a signal */
	bool threads;
	bool syscalls;             /* --syscalls: entry and return tracepoints all the time */
	bool json;
	bool list_probes;
	bool verbose;
	const char *log_path; /* NULL: no log (reopened on SIGHUP) */
	bool syslog;          /* --syslog: alerts and kills to syslog(3), facility daemon */
	const char *pid_file; /* --pid-file: NULL none */
	enum fw_probe_mode mode;
	const char *arch_probe;     /* NULL: choose from kallsyms */
	const char *kernel_headers; /* NULL: search */
	uint32_t record_bits;       /* --records: the record store holds 2^record_bits */

	/* Event modes and their filters. */
	bool events;               /* one record per new process (threads too with --threads) */
	bool opens;                /* one record per file open */
	uint32_t buffer_pages;     /* perf buffer pages per CPU for events */
	bool filter_pid;
	uint32_t pid;              /* -p: this process and its descendants */
	bool filter_uid;
	uint32_t uid;              /* -u */
	const char *comm;          /* -c: exact command name, NULL: any */

	/* Prometheus. */
	char metrics_host[256];    /* empty: no HTTP endpoint */
	uint16_t metrics_port;
	const char *metrics_textfile; /* NULL: none */

	/* Containment. */
	bool kill;                 /* --kill: verdicts contain */
	bool dry_run;              /* --dry-run: decide and report only */
	uint32_t kill_thread;      /* FW_KILL_FACTOR x thread_threshold */
	char allow_comm[FW_MAX_ALLOW][16];
	size_t n_allow_comm;
	uint32_t allow_uid[FW_MAX_ALLOW];
	size_t n_allow_uid;
	const char *allow_cgroup[FW_MAX_CGROUPS]; /* as given; resolved at start */
	size_t n_allow_cgroup;
	struct fw_limit limits[FW_MAX_LIMITS];
	size_t n_limits;
};

/* Does containment of any kind run (so the probe needs its code)? */
static inline bool fw_containment(const struct fw_options *o)
{
	return o->kill || o->dry_run || o->n_limits;
}

enum fw_parse_result { FW_PARSE_RUN, FW_PARSE_EXIT_OK, FW_PARSE_ERROR };

/* Parses argv into o. FW_PARSE_EXIT_OK after --help/--version (printed to
 * out); FW_PARSE_ERROR with a one-line reason in err. */
enum fw_parse_result fw_options_parse(int argc, char **argv, struct fw_options *o, FILE *out,
				      char *err, size_t errlen);

const char *fw_mode_name(enum fw_probe_mode mode);

/* "[HOST:]PORT", "[::1]:PORT": HOST defaults to 127.0.0.1. Returns 0 or -1. */
int fw_parse_listen(const char *s, char *host, size_t hostlen, uint16_t *port);

#endif
