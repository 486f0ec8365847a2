// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "ex_common.h"
#include "sandbox.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bcc/libbpf.h>

#include "tracefs.h"
#include "util.h"

volatile sig_atomic_t ex_stop;
unsigned long long ex_lost_events;
static FILE *log_file;

static void on_signal(int sig)
{
	ex_stop = sig;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL); /* --duration */
}

static void vfail(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void ex_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(fmt, ap);
	va_end(ap);
}

static int log_open(const char *path)
{
	log_file = fopen(path, "ae");
	if (!log_file) {
		ex_fail("cannot open log file %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int ex_kernel_setup(struct ex_kernel *k, const struct ex_options *o)
{
	char err[1024];

	memset(k, 0, sizeof(*k));
	if (o->log && log_open(o->log) < 0)
		return FW_EXIT_USAGE;
	if (geteuid() != 0) {
		ex_fail("must run as root (loading BPF programs needs CAP_BPF and CAP_SYS_ADMIN)");
		return FW_EXIT_NOT_ROOT;
	}
	uname(&k->uts);
	if (fw_tracefs_open(k->tracefs, sizeof(k->tracefs), &k->tracefs_mounted) < 0) {
		ex_fail("no tracefs, and it cannot be mounted: %s", strerror(errno));
		return FW_EXIT_BPF;
	}
	if (fw_use_headers(k->uts.release, k->uts.machine, o->headers, &k->hdr, err, sizeof(err)) < 0) {
		ex_fail("%s", err);
		return FW_EXIT_HEADERS;
	}
	return FW_EXIT_OK;
}

bool ex_has_syscall_tracepoint(const struct ex_kernel *k, const char *event)
{
	return fw_tracepoint_exists(k->tracefs, "syscalls", event);
}

const char *ex_bpf_lsm_unavailable(void)
{
	char lsms[1024] = "";
	struct stat st;

	if (stat("/sys/kernel/btf/vmlinux", &st) < 0 || st.st_size == 0)
		return "no kernel BTF (/sys/kernel/btf/vmlinux)";
	if (fw_read_small_file("/sys/kernel/security/lsm", lsms, sizeof(lsms)) > 0) {
		char *tok, *save = NULL;

		for (tok = strtok_r(lsms, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save))
			if (!strcmp(tok, "bpf"))
				return NULL;
		return "the bpf LSM is not active (not in /sys/kernel/security/lsm; boot with lsm=...,bpf)";
	}
	return NULL;
}

int ex_compile(struct fw_bpf *b, const char *source, const char **cflags, int ncflags,
	       bool verbose)
{
	if (fw_bpf_compile(b, source, cflags, ncflags, verbose) == 0)
		return FW_EXIT_OK;
	ex_fail("cannot compile the probe with the kernel headers in %s%s%s",
		getenv("BCC_KERNEL_SOURCE") ? getenv("BCC_KERNEL_SOURCE") : "the default place",
		b->last_error[0] ? ": " : "", b->last_error);
	return FW_EXIT_BPF;
}

/* One line, on stdout and in the log file. */
static void emit(const char *line)
{
	printf("%s\n", line);
	fflush(stdout);
	if (log_file) {
		fprintf(log_file, "%s\n", line);
		fflush(log_file);
	}
}

void ex_log(const char *fmt, ...)
{
	char stamp[64], text[1024], line[1200];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s.%03ld %s", stamp, ts.tv_nsec / 1000000, text);
	emit(line);
}

void ex_log_line(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	emit(text);
}

void ex_log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

void ex_poll_until_stopped(struct fw_bpf *b, void (*tick)(void *), void *cookie, int tick_ms)
{
	uint64_t next = fw_mono_ns() + (uint64_t)tick_ms * 1000000ULL;

	while (!ex_stop) {
		fw_bpf_poll(b, 200);
		if (tick && fw_mono_ns() >= next) {
			tick(cookie);
			next = fw_mono_ns() + (uint64_t)tick_ms * 1000000ULL;
		}
	}
	fw_bpf_drain(b);
}

uint64_t ex_percpu_sum(int map_fd, uint32_t key)
{
	static int ncpu;
	uint64_t vals[FW_MAX_CPUS], sum = 0;
	int i;

	if (!ncpu) {
		char list[256];
		int cpus[FW_MAX_CPUS], n;

		n = fw_read_small_file("/sys/devices/system/cpu/possible", list, sizeof(list)) > 0
			    ? fw_parse_cpulist(list, cpus, FW_MAX_CPUS)
			    : -1;
		ncpu = n > 0 ? cpus[n - 1] + 1 : -1;
	}
	if (map_fd < 0 || ncpu <= 0 || ncpu > FW_MAX_CPUS || bpf_lookup_elem(map_fd, &key, vals) < 0)
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

int ex_option(int c, char **argv, struct ex_options *o, char *err, size_t errlen)
{
	uint64_t v;

	switch (c) {
	case 'o':
		o->log = optarg;
		return 1;
	case 'd':
		if (fw_parse_uint(optarg, 1, 86400 * 365, &v) < 0) {
			snprintf(err, errlen, "invalid --duration '%s': whole seconds, at least 1", optarg);
			return -1;
		}
		o->duration = (unsigned)v;
		return 1;
	case 'K':
		o->headers = optarg;
		return 1;
	case 'v':
		o->verbose = true;
		return 1;
	case 'h':
		o->usage(stdout);
		exit(FW_EXIT_OK);
	case ':':
		snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
		return -1;
	case '?':
		snprintf(err, errlen, "unknown option '%s' (see --help)", argv[optind - 1]);
		return -1;
	default:
		return 0;
	}
}

int ex_parse_mode(const char *arg, enum ex_mode *mode, char *err, size_t errlen)
{
	if (!strcmp(arg, "auto"))
		*mode = EX_MODE_AUTO;
	else if (!strcmp(arg, "lsm"))
		*mode = EX_MODE_LSM;
	else if (!strcmp(arg, "kill"))
		*mode = EX_MODE_KILL;
	else {
		snprintf(err, errlen, "invalid --mode '%s': auto, lsm or kill", arg);
		return -1;
	}
	return 0;
}


int ex_abort(struct fw_bpf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(fmt, ap);
	va_end(ap);
	fw_bpf_close(b);
	return FW_EXIT_BPF;
}

int ex_attach_tracepoint(struct fw_bpf *b, const char *category, const char *event)
{
	char fn[128];

	snprintf(fn, sizeof(fn), "tracepoint__%s__%s", category, event);
	if (fw_bpf_attach_tracepoint(b, fn, category, event) == 0)
		return 0;
	ex_fail("cannot attach to %s:%s: %s", category, event,
		b->last_error[0] ? b->last_error : strerror(errno));
	return -1;
}

void ex_syscall_tp_cflags(const struct ex_kernel *k, const struct ex_syscall_tp *tps, size_t n,
			  const char **cflags, int *ncflags)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ex_has_syscall_tracepoint(k, tps[i].event))
			cflags[(*ncflags)++] = tps[i].cflag;
}

int ex_attach_syscall_tps(struct fw_bpf *b, const struct ex_kernel *k,
			  const struct ex_syscall_tp *tps, size_t n, const char *what)
{
	size_t i;
	int attached = 0;

	for (i = 0; i < n; i++) {
		if (!ex_has_syscall_tracepoint(k, tps[i].event))
			continue;
		if (ex_attach_tracepoint(b, "syscalls", tps[i].event) < 0)
			return -1;
		attached++;
	}
	if (attached == 0) {
		ex_fail("no %s on this kernel", what);
		return -1;
	}
	return attached;
}

int ex_lsm_plan(struct ex_lsm *l, enum ex_mode mode, const char *blocker)
{
	l->mode = mode;
	l->why_not = NULL;
	if (mode == EX_MODE_KILL)
		return 0;
	l->why_not = ex_bpf_lsm_unavailable();
	if (!l->why_not && blocker) {
		snprintf(l->buf, sizeof(l->buf), "%s", blocker);
		l->why_not = l->buf;
	}
	if (l->why_not && mode == EX_MODE_LSM) {
		ex_fail("--mode lsm: BPF-LSM is unavailable: %s", l->why_not);
		return -1;
	}
	return 0;
}

bool ex_lsm_try(const struct ex_lsm *l)
{
	return l->mode != EX_MODE_KILL && !l->why_not;
}

int ex_lsm_failed(struct ex_lsm *l, struct fw_bpf *b)
{
	snprintf(l->buf, sizeof(l->buf), "the LSM hooks did not load or attach: %s",
		 b->last_error[0] ? b->last_error : strerror(errno));
	l->why_not = l->buf;
	if (l->mode == EX_MODE_LSM)
		return -1;
	fw_bpf_detach_kind(b, FW_ATTACH_LSM); /* any of a set that did attach */
	return 0;
}

const char *ex_lsm_kill_reason(struct ex_lsm *l)
{
	if (l->mode == EX_MODE_KILL)
		return " (asked for)";
	snprintf(l->reason, sizeof(l->reason), ", since BPF-LSM is unavailable (%s)", l->why_not);
	return l->reason;
}

static void on_lost(void *cookie, uint64_t lost)
{
	(void)cookie;
	ex_lost_events += lost;
}

int ex_start(struct fw_bpf *b, fw_sample_cb on_event, unsigned duration, bool detaches_xdp)
{
	struct fw_sandbox_facts f = { .detaches_xdp = detaches_xdp };
	char err[256];

	if (on_event && fw_bpf_open_perf(b, "events", on_event, on_lost, NULL, 8, 1) < 0)
		return ex_abort(b, "cannot open the perf buffer: %s", strerror(errno));
	fw_bpf_release_compiler(b);
	catch_signals();
	if (duration)
		alarm(duration); /* before the filter, which has no alarm(2) */
	/* As the tool: once attached, only what the rest needs (the maps; the
	 * interface for XDP's detach), no_new_privs, the allow-list. */
	fw_sandbox_read_facts(&f);
	f.proc_hidepid = false; /* the examples read no other process's /proc */
	if (fw_sandbox_drop_caps(&f, err, sizeof(err)) < 0 ||
	    fw_sandbox_seccomp(&f, FW_SANITIZED_BUILD, FW_EXIT_SANDBOX, err, sizeof(err)) < 0) {
		ex_fail("%s", err);
		fw_bpf_close(b);
		return FW_EXIT_SANDBOX;
	}
	return FW_EXIT_OK;
}
