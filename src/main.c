// SPDX-License-Identifier: GPL-2.0
/*
 * bcc-forkwatch: fork-bomb detector and process-creation monitor on libbcc.
 *
 * main() runs the stages in order: options, what the kernel offers (probe
 * choice, tracefs), kernel headers, compile, configure, attach (kprobes,
 * falling back to tracepoints), then polls the ring or perf buffers until a signal
 * or --duration, and tears everything down. Alerts and events are handled
 * in alerts.c and events.c; metrics in metrics.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bcc/libbpf.h>
#include <jansson.h>

#include "forkwatch_logic.h"
#include "headers.h"
#include "kallsyms.h"
#include "spawn_limits.h"
#include "metrics.h"
#include "output.h"
#include "probe_choice.h"
#include "sandbox.h"
#include "session.h"
#include "stale.h"
#include "tracefs.h"
#include "util.h"

#define ALERT_PAGES 8 /* alerts are rare; 32 KiB per CPU is plenty */
#define TEXTFILE_PERIOD_NS 5000000000ULL
#define LOST_REPORT_PERIOD_NS 1000000000ULL

extern const char fw_probe_source[];

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reopen_signal; /* SIGHUP: logrotate moved the log */

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void on_hangup(int sig)
{
	(void)sig;
	reopen_signal = 1;
}

/* The syscall tracepoints the probe can use, with the switch that compiles
 * its handler: entry points of the creation syscalls (the fallback for
 * kprobes), and enter/exit pairs of the open syscalls. */
struct tp_call {
	const char *call;
	const char *cflag;
};

static const struct tp_call entry_calls[] = {
	{ "clone", "-DFW_TP_ENTRY_CLONE=1" },
	{ "clone3", "-DFW_TP_ENTRY_CLONE3=1" },
	{ "fork", "-DFW_TP_ENTRY_FORK=1" },
	{ "vfork", "-DFW_TP_ENTRY_VFORK=1" },
};
/* Exits of the creation syscalls: where failed creations are seen (a
 * spawner's harm) when kretprobes are not in use, and where containment
 * kills a doomed child as it starts. Their tracepoints share one layout, so
 * one program (compiled for the first that exists) serves them all. */
static const struct tp_call return_calls[] = {
	{ "clone", "-DFW_TP_RETURN_CLONE=1" },
	{ "clone3", "-DFW_TP_RETURN_CLONE3=1" },
	{ "fork", "-DFW_TP_RETURN_FORK=1" },
	{ "vfork", "-DFW_TP_RETURN_VFORK=1" },
};
static const struct tp_call open_calls[] = {
	{ "open", "-DFW_TP_OPEN=1" },
	{ "openat", "-DFW_TP_OPENAT=1" },
	{ "openat2", "-DFW_TP_OPENAT2=1" },
};
#define NCALLS(a) (sizeof(a) / sizeof((a)[0]))

/* What the running kernel offers, learnt before anything is compiled. */
struct kernel_facts {
	struct utsname uts;
	struct fw_probe_plan plan;
	bool plan_ok;
	char plan_err[1024];
	struct fw_open_probe open_probe;
	bool open_probe_ok;
	char tracefs[256];
	bool tracefs_mounted;
	bool kprobes_ok;
};

static double now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall clock minus CLOCK_MONOTONIC (what bpf_ktime_get_ns stamps). */
static double wall_offset_now(void)
{
	return now_wall() - (double)fw_mono_ns() / 1e9;
}

/* Marks the open file descriptors (below max) in set. */
static void open_fds(unsigned char *set, int max)
{
	char path[64];
	int fd;

	for (fd = 0; fd < max; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		set[fd] = access(path, F_OK) == 0;
	}
}

/* Teardown must leave exactly the descriptors we started with: a leak here
 * means a probe, perf buffer or map still held. */
static void check_fds_released(const unsigned char *before)
{
	unsigned char after[256];
	int fd, leaked = 0;

	open_fds(after, (int)sizeof(after));
	for (fd = 0; fd < (int)sizeof(after); fd++)
		leaked += after[fd] && !before[fd];
	if (leaked)
		fw_fail("internal error: %d file descriptors left open after teardown", leaked);
}

/* metrics.log, opened for appending (its header first when it is new or
 * empty). NULL with a one-line reason in err. */
static FILE *open_log_file(const char *path, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int fd;

	/* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of
	 * blocking the start; a regular file ignores the flag. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot write log %s: %s", path,
			 fd < 0 && errno != ENXIO ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	f = fdopen(fd, "a");
	if (!f) {
		snprintf(err, errlen, "cannot write log %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (st.st_size == 0)
		fprintf(f, "%s\n", fw_csv_header());
	fflush(f);
	return f;
}

static int open_log(struct fw_session *s)
{
	char err[4200];

	if (!s->opt.log_path)
		return 0;
	s->log = open_log_file(s->opt.log_path, err, sizeof(err));
	if (!s->log) {
		fw_fail("%s", err);
		return -1;
	}
	return 0;
}

/* SIGHUP: the log again by its name (logrotate moved it away, or truncated
 * it): every line from now on goes to the new file, none after this to the
 * old one. If it cannot be opened, the old one is kept and it says so. The
 * textfile is written anew every time (a rename) and stdout is not a file
 * of ours: nothing else to reopen. */
static void reopen_log(struct fw_session *s)
{
	char err[4200];
	FILE *f;

	if (!s->log) {
		fprintf(stderr, FW_PROG ": SIGHUP: no log to reopen\n");
		return;
	}
	f = open_log_file(s->opt.log_path, err, sizeof(err));
	if (!f) {
		fprintf(stderr, FW_PROG ": SIGHUP: %s; still writing to the file it had open\n", err);
		return;
	}
	fflush(s->log);
	fclose(s->log);
	s->log = f;
	fprintf(stderr, FW_PROG ": SIGHUP: reopened %s\n", s->opt.log_path);
}

/* --pid-file: the pid, in a file held locked (flock) while it runs, so that
 * a stale one is told from a live one (pkill --pidfile F --logpidfile).
 * -1 with a one-line reason. */
static int write_pid_file(const char *path, int *fd_out)
{
	char pid[24];
	int fd, n;

	*fd_out = -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		fw_fail("cannot write --pid-file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fw_fail("cannot write --pid-file %s: %s", path,
			errno == EWOULDBLOCK ? "another running instance holds it" : strerror(errno));
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, pid, (size_t)n) != n) {
		fw_fail("cannot write --pid-file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	*fd_out = fd;
	return 0;
}

/* What instances ended by SIGKILL left (stale.h): their legacy kprobe
 * events, a half-written textfile, a half-made header tree. */
static void reclaim_stale(const struct fw_session *s, const struct kernel_facts *k)
{
	struct fw_stale_report r = { 0 };
	char copy[4096], line[512];
	const char *base;

	if (k->tracefs[0])
		fw_stale_reclaim_kprobes(k->tracefs, &r);
	fw_stale_reclaim_tmp(FW_HEADERS_STATE_DIR, "ksrc-", true, &r);
	if (s->opt.metrics_textfile &&
	    snprintf(copy, sizeof(copy), "%s", s->opt.metrics_textfile) < (int)sizeof(copy)) {
		base = strrchr(copy, '/');
		if (base) {
			copy[base - copy] = '\0';
			fw_stale_reclaim_tmp(base == copy ? "/" : copy, base + 1, false, &r);
		} else {
			fw_stale_reclaim_tmp(".", copy, false, &r);
		}
	}
	fw_stale_describe(&r, line, sizeof(line));
	if (line[0])
		fprintf(stderr, FW_PROG ": %s\n", line);
}

/* The textfile is written beside itself and renamed: its directory must
 * take new files. */
static int check_textfile(const char *path)
{
	char copy[4096];
	struct stat st;
	const char *dir;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy)) {
		fw_fail("cannot write --metrics-textfile %s: path too long", path);
		return -1;
	}
	dir = dirname(copy);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fw_fail("cannot write --metrics-textfile %s: not a regular file", path);
		return -1;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		fw_fail("cannot write --metrics-textfile %s: directory %s: %s", path, dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

static void append(char *list, size_t len, const char *item);

/* What the sandbox plan depends on (sandbox.h). */
static struct fw_sandbox_facts sandbox_facts(const struct fw_session *s)
{
	struct fw_sandbox_facts f = { 0 };
	char copy[4096];
	struct stat st;

	fw_sandbox_read_facts(&f);
	f.attaches_later = s->returns_on_demand;
	f.kill_sweep = s->opt.kill && !s->opt.dry_run;
	f.sends_syslog = s->opt.syslog;
	if (s->opt.metrics_textfile &&
	    snprintf(copy, sizeof(copy), "%s", s->opt.metrics_textfile) < (int)sizeof(copy) &&
	    stat(dirname(copy), &st) == 0)
		f.textfile_needs_dac = !fw_dir_writable_without_override(st.st_uid, st.st_mode);
	return f;
}

/* Once everything is attached and open: keep only the capabilities the
 * rest of the run needs, set no_new_privs, serve metrics again from a
 * thread made now (with those capabilities), then the seccomp allow-list
 * on every thread. */
static int enter_sandbox(struct fw_session *s, struct fw_metrics_server *server)
{
	struct fw_sandbox_facts f = sandbox_facts(s);
	struct fw_sandbox_cap keep[FW_SANDBOX_MAX_CAPS];
	size_t n = fw_sandbox_caps(&f, keep, FW_SANDBOX_MAX_CAPS), i;
	char err[256];

	if (fw_sandbox_drop_caps(&f, err, sizeof(err)) < 0 ||
	    (server && fw_metrics_restart(server, err, sizeof(err)) < 0) ||
	    (s->seccomp_syscalls = fw_sandbox_seccomp(&f, FW_SANITIZED_BUILD, FW_EXIT_SANDBOX, err,
						      sizeof(err))) < 0) {
		fw_fail("%s", err);
		return FW_EXIT_SANDBOX;
	}
	s->caps_kept[0] = '\0';
	for (i = 0; i < n && i < FW_SANDBOX_MAX_CAPS; i++) {
		append(s->caps_kept, sizeof(s->caps_kept), keep[i].name);
		if (s->n_caps < sizeof(s->cap_names) / sizeof(s->cap_names[0]))
			s->cap_names[s->n_caps++] = keep[i].name;
		if (s->opt.verbose)
			fprintf(stderr, FW_PROG ": keeps %s: %s\n", keep[i].name, keep[i].why);
	}
	/* The test hook of tests/e2e/sandbox.sh: a syscall the tool never
	 * makes (reboot, which would fail anyway without CAP_SYS_BOOT) must be
	 * refused by the filter, not by the kernel. */
	if (getenv("FORKWATCH_TEST_REFUSED_SYSCALL"))
		syscall(SYS_reboot, 0, 0, 0, NULL);
	return FW_EXIT_OK;
}

static const char *present(const struct kernel_facts *k, const char *cat, const char *ev)
{
	return k->tracefs[0] && fw_tracepoint_exists(k->tracefs, cat, ev) ? "present" : "absent";
}

static void print_plan(const struct kernel_facts *k, enum fw_probe_mode mode)
{
	const struct fw_probe_plan *plan = &k->plan;
	size_t i;

	printf("arch: %s\n", plan->arch);
	printf("kprobes: %s\n", k->kprobes_ok ? "supported by this kernel"
					      : "not supported by this kernel (no kprobe PMU, no "
						"kprobe_events)");
	printf("mode: %s -> %s\n", fw_mode_name(mode),
	       mode == FW_MODE_TRACEPOINT || (mode == FW_MODE_AUTO && !k->kprobes_ok)
		       ? "tracepoints"
		       : "kprobes");
	printf("kprobes (entry points from /proc/kallsyms):\n");
	for (i = 0; i < plan->count; i++)
		printf("  %-24s %-7s %s\n", plan->probes[i].symbol,
		       fw_syscall_name(plan->probes[i].syscall), plan->probes[i].why);
	for (i = 0; i < plan->nmissing; i++)
		printf("  %-24s %-7s not in kallsyms on this kernel\n", "-", plan->missing[i]);
	printf("tracepoints (fallback entry points):\n");
	for (i = 0; i < NCALLS(entry_calls); i++) {
		char ev[32];

		snprintf(ev, sizeof(ev), "sys_enter_%s", entry_calls[i].call);
		printf("  syscalls:%-16s %s\n", ev, present(k, "syscalls", ev));
	}
	printf("always (counting and lineage):\n");
	printf("  task:task_newtask         new tasks with clone_flags (%s)\n",
	       present(k, "task", "task_newtask"));
	printf("  sched:sched_process_exit  exits, for live counts (%s)\n",
	       present(k, "sched", "sched_process_exit"));
	printf("  sched:sched_process_exec  command names after exec (%s)\n",
	       present(k, "sched", "sched_process_exec"));
	printf("file opens (--opens, and metrics):\n");
	if (k->open_probe_ok)
		printf("  kprobe+kretprobe %-15s every open syscall meets here\n",
		       k->open_probe.symbol);
	else
		printf("  kprobe: neither do_sys_openat2 nor do_sys_open in kallsyms\n");
	for (i = 0; i < NCALLS(open_calls); i++) {
		char enter[32], exit_ev[32];

		snprintf(enter, sizeof(enter), "sys_enter_%s", open_calls[i].call);
		snprintf(exit_ev, sizeof(exit_ev), "sys_exit_%s", open_calls[i].call);
		printf("  syscalls:%-16s %s (and %s: %s)\n", enter, present(k, "syscalls", enter),
		       exit_ev, present(k, "syscalls", exit_ev));
	}
}

static const char *kp_function(int syscall)
{
	switch (syscall) {
	case FW_SYS_CLONE:
		return "fw_kp_clone";
	case FW_SYS_CLONE3:
		return "fw_kp_clone3";
	case FW_SYS_FORK:
		return "fw_kp_fork";
	case FW_SYS_VFORK:
		return "fw_kp_vfork";
	default:
		return "fw_kp_other";
	}
}

/* Probe choice from /proc/kallsyms: the creation entry points, and the
 * kernel function opens go through. */
static void load_plan(const struct fw_options *o, struct kernel_facts *k)
{
	const char *wanted[FW_MAX_PROBES + 2];
	char spec_buf[1024];
	struct fw_ksyms ks;
	int nwanted = 0, r;
	FILE *f;

	k->plan_ok = false;
	k->open_probe_ok = false;
	if (o->arch_probe) {
		nwanted = fw_spec_symbols(o->arch_probe, spec_buf, sizeof(spec_buf), wanted,
					  FW_MAX_PROBES);
		if (nwanted < 0)
			nwanted = 0;
	}
	wanted[nwanted++] = fw_open_probe_symbols[0];
	wanted[nwanted++] = fw_open_probe_symbols[1];
	f = fopen("/proc/kallsyms", "re");
	if (!f) {
		fw_snprintf(k->plan_err, sizeof(k->plan_err), "cannot read /proc/kallsyms: %s",
			    strerror(errno));
		return;
	}
	r = fw_ksyms_load(f, wanted, (size_t)nwanted, &ks);
	fclose(f);
	if (r < 0) {
		fw_snprintf(k->plan_err, sizeof(k->plan_err), "cannot read /proc/kallsyms");
		return;
	}
	k->plan_ok = fw_plan_from_spec(&ks, o->arch_probe, k->uts.machine, &k->plan, k->plan_err,
				       sizeof(k->plan_err)) == 0;
	k->open_probe_ok = fw_open_probe_choose(&ks, &k->open_probe) == 0;
	fw_ksyms_free(&ks);
}

/* Statistics idx of the per-CPU stats map, summed over the CPUs. vals
 * holds one 8-byte slot per possible CPU (ncpu of them). */
static uint64_t stat_total(const struct fw_session *s, uint32_t idx, uint64_t *vals, long ncpu)
{
	uint64_t sum = 0;
	long c;

	if (bpf_lookup_elem(s->stats_fd, &idx, vals) == 0)
		for (c = 0; c < ncpu; c++)
			sum += vals[c];
	return sum;
}

static void read_stats(const struct fw_session *s, uint64_t *out)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	uint64_t *vals;
	uint32_t i;

	memset(out, 0, sizeof(uint64_t) * FW_STAT_COUNT);
	if (s->stats_fd < 0 || ncpu <= 0)
		return;
	vals = calloc((size_t)ncpu + 64, sizeof(uint64_t));
	if (!vals)
		return;
	for (i = 0; i < FW_STAT_COUNT; i++)
		out[i] = stat_total(s, i, vals, ncpu);
	free(vals);
}

/* process_count (bpftool map dump name process_count) from the per-CPU
 * count of processes created: the probe does not write it. */
static void publish_process_count(const struct fw_session *s)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	uint64_t vals[FW_MAX_CPUS], sum;
	uint32_t zero = 0;

	if (s->stats_fd < 0 || s->process_count_fd < 0 || ncpu <= 0 || ncpu > FW_MAX_CPUS)
		return;
	sum = stat_total(s, FW_STAT_PROCS, vals, ncpu);
	bpf_update_elem(s->process_count_fd, &zero, &sum, 0);
}

/* The metrics snapshot, at scrape time (HTTP thread) or textfile time. */
static int metrics_fill(void *cookie, struct fw_metrics *m)
{
	struct fw_session *s = cookie;

	if (s->started == 0)
		return -1; /* not attached yet */
	read_stats(s, m->stats);
	m->tracked_processes = m->stats[FW_STAT_RECORDS_IN] > m->stats[FW_STAT_RECORDS_OUT]
				       ? m->stats[FW_STAT_RECORDS_IN] - m->stats[FW_STAT_RECORDS_OUT]
				       : 0;
	m->lost_alerts_read = __atomic_load_n(&s->lost_alerts, __ATOMIC_RELAXED);
	m->lost_events_read = __atomic_load_n(&s->lost_events, __ATOMIC_RELAXED);
	m->start_time = s->started;
	m->version = FW_VERSION_STRING;
	m->mode = s->use_kprobes ? "kprobe" : "tracepoint";
	m->probes = s->probes;
	m->opens_counted = s->opens_attached;
	m->calls_counted = s->probes[0] != '\0';
	m->containment = NULL;
	if (fw_containment(&s->opt))
		m->containment = s->opt.dry_run ? "dry-run" : s->opt.kill ? "kill" : "limits";
	m->sweep_kills = __atomic_load_n(&s->killed_sweep, __ATOMIC_RELAXED);
	m->unit_labels = &s->unit_labels;
	m->alerts_by_unit = (const uint64_t (*)[FW_UNIT_LABELS_MAX + 1])s->alerts_by_unit;
	return 0;
}

/* {"clone": n, "clone3": n, ...} from FW_STAT_* base + enum fw_syscall. */
static json_t *by_syscall(const uint64_t *st, int base)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < FW_SYS_COUNT; i++)
		json_object_set_new(o, fw_syscall_name(i), json_integer((json_int_t)st[base + i]));
	return o;
}

/* Seconds the syscall exit tracepoints were attached on demand. */
static double returns_seconds(const struct fw_session *s)
{
	uint64_t ns = s->returns_ns;

	if (s->returns_on_demand && s->returns_attached)
		ns += fw_mono_ns() - s->returns_since;
	return (double)ns / 1e9;
}

static void print_summary(struct fw_session *s, double seconds)
{
	uint64_t st[FW_STAT_COUNT], kernel_kills = 0, spared = 0;
	char extra[512] = "", contain[256] = "";
	int i;

	read_stats(s, st);
	for (i = 0; i < FW_KILL_REASONS; i++)
		kernel_kills += st[FW_STAT_KILLS + i];
	for (i = 0; i < FW_SPARED_CAUSES; i++)
		spared += st[FW_STAT_SPARED + i];
	if (s->opt.json) {
		json_t *j = json_pack("{s:s, s:f, s:I, s:I, s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:I, "
				      "s:I, s:I, s:I, s:I}",
				      "event", "summary", "seconds", seconds,
				      "processes", (json_int_t)st[FW_STAT_PROCS],
				      "threads", (json_int_t)st[FW_STAT_THREADS],
				      "exits", (json_int_t)st[FW_STAT_EXITS],
				      "calls", by_syscall(st, FW_STAT_CALLS),
				      "processes_by", by_syscall(st, FW_STAT_PROCS_BY),
				      "threads_by", by_syscall(st, FW_STAT_THREADS_BY),
				      "alerts", (json_int_t)s->alerts,
				      "suppressed", (json_int_t)st[FW_STAT_SUPPRESSED],
				      "lost", (json_int_t)(s->lost_alerts + st[FW_STAT_ALERTS_LOST]),
				      "untracked", (json_int_t)st[FW_STAT_UNTRACKED],
				      "evicted", (json_int_t)st[FW_STAT_EVICTED],
				      "events", (json_int_t)s->events,
				      "lost_events", (json_int_t)st[FW_STAT_EV_LOST],
				      "opens", (json_int_t)st[FW_STAT_OPENS]);

		{
			json_t *rules = json_object();

			for (i = 1; i < FW_RULES; i++)
				json_object_set_new(rules, fw_rule_name(i),
						    json_integer((json_int_t)st[FW_STAT_ALERTS + i]));
			json_object_set_new(j, "alerts_by", rules);
			json_object_set_new(j, "failed_creations",
					    json_integer((json_int_t)st[FW_STAT_FAILED]));
			json_object_set_new(j, "returns",
					    json_pack("{s:s, s:I, s:f}", "how", s->returns,
						      "attaches", (json_int_t)s->returns_attaches,
						      "attached_s", returns_seconds(s)));
		}
		if (fw_containment(&s->opt)) {
			json_t *by = json_object();

			for (i = 1; i < FW_SPARED_CAUSES; i++)
				json_object_set_new(by, fw_spared_name(i),
						    json_integer((json_int_t)st[FW_STAT_SPARED + i]));
			json_object_update_new(
				j, json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:o, s:I}", "dry_run",
					     s->opt.dry_run, "kills", (json_int_t)s->kill_episodes,
					     "doomed", (json_int_t)st[FW_STAT_DOOMED],
					     "killed_kernel", (json_int_t)kernel_kills,
					     "killed_sweep", (json_int_t)s->killed_sweep,
					     "kills_spared", (json_int_t)spared, "spared_by", by,
					     "kills_failed", (json_int_t)st[FW_STAT_KILLS_FAILED]));
		}
		fw_print_json(j);
		fflush(stdout);
		return;
	}
	if (fw_containment(&s->opt))
		snprintf(contain, sizeof(contain),
			 "; %s: %llu reported, %llu lineages doomed, %llu by the probe at their fork and "
			 "%llu by sweeps, %llu spared (exempt)",
			 s->opt.dry_run ? "would-be kills" : "kills",
			 (unsigned long long)s->kill_episodes, (unsigned long long)st[FW_STAT_DOOMED],
			 (unsigned long long)kernel_kills, (unsigned long long)s->killed_sweep,
			 (unsigned long long)spared);
	if (s->opt.events || s->opt.opens)
		snprintf(extra, sizeof(extra), "; %llu events printed, %llu lost (buffer full)",
			 (unsigned long long)s->events, (unsigned long long)st[FW_STAT_EV_LOST]);
	if (st[FW_STAT_UNTRACKED] || st[FW_STAT_EVICTED]) {
		size_t used = strlen(extra);

		snprintf(extra + used, sizeof(extra) - used,
			 "; the record store (%u) was full: %llu records made room, %llu processes "
			 "untracked", fw_record_slots(s), (unsigned long long)st[FW_STAT_EVICTED],
			 (unsigned long long)st[FW_STAT_UNTRACKED]);
	}
	if (s->returns_on_demand) {
		size_t used = strlen(extra);

		snprintf(extra + used, sizeof(extra) - used,
			 "; failed creations watched %llu times, %.1fs in all (%llu failed)",
			 (unsigned long long)s->returns_attaches, returns_seconds(s),
			 (unsigned long long)st[FW_STAT_FAILED]);
	}
	fprintf(stderr,
		FW_PROG ": %.1fs: %llu processes and %llu threads created (calls: clone %llu, "
		"clone3 %llu, fork %llu, vfork %llu), %llu alerts (%llu repeats suppressed), %llu "
		"lost alert samples%s%s\n",
		seconds, (unsigned long long)st[FW_STAT_PROCS],
		(unsigned long long)st[FW_STAT_THREADS],
		(unsigned long long)st[FW_STAT_CALLS + FW_SYS_CLONE],
		(unsigned long long)st[FW_STAT_CALLS + FW_SYS_CLONE3],
		(unsigned long long)st[FW_STAT_CALLS + FW_SYS_FORK],
		(unsigned long long)st[FW_STAT_CALLS + FW_SYS_VFORK], (unsigned long long)s->alerts,
		(unsigned long long)st[FW_STAT_SUPPRESSED],
		(unsigned long long)(s->lost_alerts + st[FW_STAT_ALERTS_LOST]), contain, extra);
}

/* Stage: kernel headers for BCC. Returns an exit code. */
static int find_headers(const struct kernel_facts *k, const struct fw_options *o)
{
	struct fw_headers hdr;
	char err[1024];

	if (fw_use_headers(k->uts.release, k->uts.machine, o->kernel_headers, &hdr, err,
			   sizeof(err)) < 0) {
		fw_fail("%s", err);
		return FW_EXIT_HEADERS;
	}
	if (hdr.mismatch)
		fprintf(stderr,
			FW_PROG ": warning: no headers for the running kernel %s; compiling against "
			"%s (%s). Struct layouts may differ; the probe reads none.\n",
			k->uts.release, hdr.release, hdr.how);
	return FW_EXIT_OK;
}

static bool tp_entry(const struct kernel_facts *k, const char *call)
{
	char ev[32];

	snprintf(ev, sizeof(ev), "sys_enter_%s", call);
	return fw_tracepoint_exists(k->tracefs, "syscalls", ev);
}

static bool tp_exit(const struct kernel_facts *k, const char *call)
{
	char ev[32];

	snprintf(ev, sizeof(ev), "sys_exit_%s", call);
	return fw_tracepoint_exists(k->tracefs, "syscalls", ev);
}

static bool tp_pair(const struct kernel_facts *k, const char *call)
{
	char enter[32], exit_ev[32];

	snprintf(enter, sizeof(enter), "sys_enter_%s", call);
	snprintf(exit_ev, sizeof(exit_ev), "sys_exit_%s", call);
	return fw_tracepoint_exists(k->tracefs, "syscalls", enter) &&
	       fw_tracepoint_exists(k->tracefs, "syscalls", exit_ev);
}

/* Opens may be counted through the syscalls tracepoints (without kprobes)
 * only when asked for: --opens, or --syscalls; for metrics alone, the tax
 * on every syscall would cost more than the count is worth. */
static bool opens_through_tracepoints(const struct fw_session *s, bool opens)
{
	return opens && (s->opt.opens || s->opt.syscalls);
}

/* A ring buffer's pages: what a perf buffer would have on each online CPU,
 * as a power of two (the kernel's rule), at most 2^18 pages (1 GiB). */
static uint32_t ring_pages(uint32_t per_cpu)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t want = (uint64_t)per_cpu * (uint64_t)(cpus > 0 ? cpus : 1), pages = 1;

	while (pages < want && pages < (1u << 18))
		pages <<= 1;
	return (uint32_t)pages;
}

/* Stage: compile. Switches are integers decided here, never user text. */
static int compile_probe(struct fw_session *s, const struct kernel_facts *k, bool opens)
{
	const char *cflags[24];
	size_t i;
	int n = 0;

	cflags[n++] = "-DFW_EMBEDDED";
	/* The store's size: an integer validated by the option parser. */
	snprintf(s->record_bits_flag, sizeof(s->record_bits_flag), "-DFW_PROC_SLOT_BITS=%u",
		 s->opt.record_bits);
	cflags[n++] = s->record_bits_flag;
	if (s->ringbuf) {
		cflags[n++] = "-DFW_RINGBUF=1";
		snprintf(s->alert_pages_flag, sizeof(s->alert_pages_flag), "-DFW_ALERT_PAGES=%u",
			 ring_pages(ALERT_PAGES));
		cflags[n++] = s->alert_pages_flag;
		snprintf(s->event_pages_flag, sizeof(s->event_pages_flag), "-DFW_EVENT_PAGES=%u",
			 s->opt.events || s->opt.opens ? ring_pages(s->opt.buffer_pages) : 1);
		cflags[n++] = s->event_pages_flag;
	}
	/* Bounded loops are verified from 5.3 on; before, they are unrolled. */
	if (!fw_kernel_at_least(k->uts.release, 5, 3))
		cflags[n++] = "-DFW_UNROLL_LOOPS=1";
	if (fw_tracepoint_has_field(k->tracefs, "sched", "sched_process_exit", "group_dead") == 1)
		cflags[n++] = "-DFW_EXIT_HAS_GROUP_DEAD=1";
	if (fw_tracepoint_exists(k->tracefs, "sched", "sched_process_exec"))
		cflags[n++] = "-DFW_TP_EXEC=1";
	/* The new task's name, as a fixed array: the creator's name without a
	 * helper call (about 150 ns a fork on the bench machine). */
	if (fw_tracepoint_has_decl(k->tracefs, "task", "task_newtask", "char comm[16]") == 1)
		cflags[n++] = "-DFW_NEWTASK_COMM=1";
	if (fw_containment(&s->opt))
		cflags[n++] = "-DFW_KILL=1";
	/* bpf_get_current_cgroup_id: 4.18 on. */
	if (fw_kernel_at_least(k->uts.release, 4, 18))
		cflags[n++] = "-DFW_CGROUP_ID=1";
	for (i = 0; i < NCALLS(return_calls); i++)
		if (tp_exit(k, return_calls[i].call)) {
			cflags[n++] = return_calls[i].cflag;
			break;
		}
	if (s->opt.n_allow_cgroup)
		cflags[n++] = "-DFW_ALLOW_CGROUP_IDS=1";
	if (s->opt.mode != FW_MODE_KPROBE) {
		for (i = 0; s->opt.syscalls && i < NCALLS(entry_calls); i++)
			if (tp_entry(k, entry_calls[i].call))
				cflags[n++] = entry_calls[i].cflag;
		for (i = 0; opens_through_tracepoints(s, opens) && i < NCALLS(open_calls); i++)
			if (tp_pair(k, open_calls[i].call))
				cflags[n++] = open_calls[i].cflag;
	}
	if (fw_bpf_compile(&s->bpf, fw_probe_source, cflags, n, s->opt.verbose) < 0) {
		fw_fail("cannot compile the probe with the kernel headers in %s%s%s",
			getenv("BCC_KERNEL_SOURCE") ? getenv("BCC_KERNEL_SOURCE") : "the default place",
			s->bpf.last_error[0] ? ": " : "", s->bpf.last_error);
		return FW_EXIT_BPF;
	}
	return FW_EXIT_OK;
}

/* Events wake the poller in batches, not one by one (a wakeup per event
 * costs a context switch each at storm rates); run() drains what is left
 * every poll round, so nothing waits longer than that. A quarter of what
 * the buffer holds of the largest record, at most 32. */
static int events_wakeup(uint32_t pages)
{
	long fit = (long)pages * sysconf(_SC_PAGESIZE) / (long)(sizeof(struct fw_open_event) + 8) / 4;

	return fit < 1 ? 1 : fit > 32 ? 32 : (int)fit;
}

static int open_rings(struct fw_session *s)
{
	if (fw_bpf_open_ring(&s->bpf, "alerts", fw_on_alert, s) < 0)
		return -1;
	if ((s->opt.events || s->opt.opens) && fw_bpf_open_ring(&s->bpf, "events", fw_on_event, s) < 0)
		return -1;
	return 0;
}

static int open_perf_buffers(struct fw_session *s)
{
	if (fw_bpf_open_perf(&s->bpf, "alerts", fw_on_alert, fw_on_alert_lost, s, ALERT_PAGES, 1) < 0)
		return -1;
	if ((s->opt.events || s->opt.opens) &&
	    fw_bpf_open_perf(&s->bpf, "events", fw_on_event, fw_on_event_lost, s,
			     (int)s->opt.buffer_pages, events_wakeup(s->opt.buffer_pages)) < 0)
		return -1;
	return 0;
}

/* --spawn-max, and never more than half of what the kernel allows in all
 * (kernel.pid_max, kernel.threads-max): a spawner must be named before the
 * whole machine is full. */
static uint32_t spawn_max(uint32_t wanted)
{
	static const char *const limits[] = { "/proc/sys/kernel/pid_max",
					      "/proc/sys/kernel/threads-max" };
	char buf[32];
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		if (fw_read_small_file(limits[i], buf, sizeof(buf)) <= 0)
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		if (fw_parse_uint(buf, 2, UINT32_MAX, &v) == 0 && v / 2 < wanted)
			wanted = (uint32_t)(v / 2);
	}
	return wanted;
}

/* Stage: settings into the config map, before anything is attached. */
static int configure(struct fw_session *s)
{
	struct fw_config cfg = {
		.window_ns = s->opt.window_ns,
		.established_ns = s->opt.established_ns,
		.proc_threshold = s->opt.proc_threshold,
		.rank = s->opt.rank,
		.chain = s->opt.chain,
		.spawn_max = s->opt.spawn_max = spawn_max(s->opt.spawn_max),
		.thread_threshold = s->opt.thread_threshold,
		.threads_enabled = s->opt.threads,
	};
	uint32_t zero = 0;

	if (s->opt.events)
		cfg.events |= FW_EV_PROCESS | (s->opt.threads ? FW_EV_THREAD : 0);
	if (s->opt.opens)
		cfg.events |= FW_EV_OPEN;
	if (s->opt.filter_pid) {
		cfg.filter |= FW_FILTER_PID;
		cfg.filter_pid = s->opt.pid;
	}
	if (s->opt.filter_uid) {
		cfg.filter |= FW_FILTER_UID;
		cfg.filter_uid = s->opt.uid;
	}
	if (s->opt.comm) {
		cfg.filter |= FW_FILTER_COMM;
		strncpy(cfg.filter_comm, s->opt.comm, sizeof(cfg.filter_comm) - 1);
	}
	if (s->opt.kill) {
		cfg.kill |= FW_KILL_ARMED;
		cfg.kill_thread = s->opt.threads ? s->opt.kill_thread : 0;
	}
	if (s->opt.n_limits)
		cfg.kill |= FW_KILL_LIMITS;
	if (s->opt.dry_run)
		cfg.kill |= FW_KILL_DRY_RUN;
	cfg.allow = (s->opt.n_allow_comm ? FW_ALLOW_COMM : 0) |
		    (s->opt.n_allow_uid ? FW_ALLOW_UID : 0) |
		    (s->opt.n_allow_cgroup ? FW_ALLOW_CGROUP : 0);
	s->procs_fd = fw_bpf_table_fd(&s->bpf, "procs");
	s->stats_fd = fw_bpf_table_fd(&s->bpf, "stats");
	s->follow_fd = fw_bpf_table_fd(&s->bpf, "follow");
	s->state_fd = fw_bpf_table_fd(&s->bpf, "state");
	s->candidates_fd = fw_bpf_table_fd(&s->bpf, "candidates");
	s->process_count_fd = fw_bpf_table_fd(&s->bpf, "process_count");
	/* Exemptions and limits go in before the settings that arm kills. */
	if (s->procs_fd < 0 || s->stats_fd < 0 || s->follow_fd < 0 || s->state_fd < 0 || s->process_count_fd < 0 ||
	    s->candidates_fd < 0 ||
	    (fw_containment(&s->opt) && fw_contain_setup(s) < 0) ||
	    bpf_update_elem(fw_bpf_table_fd(&s->bpf, "config"), &zero, &cfg, 0) < 0) {
		fw_fail("cannot configure the probe: %s", strerror(errno));
		return FW_EXIT_BPF;
	}
	if (s->ringbuf ? open_rings(s) < 0 : open_perf_buffers(s) < 0) {
		fw_fail("cannot open the %s buffers: %s", s->ringbuf ? "ring" : "perf",
			s->bpf.last_error[0] ? s->bpf.last_error : strerror(errno));
		return FW_EXIT_BPF;
	}
	return FW_EXIT_OK;
}

static void append(char *list, size_t len, const char *item)
{
	size_t used = strlen(list);

	snprintf(list + used, len - used, "%s%s", used ? ", " : "", item);
}

/* Opens: the kprobe pair where kprobes are in use, else syscall
 * tracepoints. Attached first, so a failed kprobe pair can be detached
 * without touching anything else. */
static int attach_opens(struct fw_session *s, const struct kernel_facts *k, char *what,
			size_t len)
{
	size_t i;
	int attached = 0;

	if (s->use_kprobes && k->open_probe_ok) {
		const char *sym = k->open_probe.symbol;

		if (fw_bpf_attach_kprobe(&s->bpf, k->open_probe.entry_fn, sym, false) == 0 &&
		    fw_bpf_attach_kprobe(&s->bpf, "fw_kretp_open", sym, true) == 0) {
			snprintf(what, len, "kprobe+kretprobe %s", sym);
			s->opens_attached = true;
			s->opens_kprobes = true;
			return FW_EXIT_OK;
		}
		if (s->opt.mode == FW_MODE_KPROBE) {
			fw_fail("cannot attach kprobes to %s: %s", sym, s->bpf.last_error);
			return FW_EXIT_BPF;
		}
		fprintf(stderr, FW_PROG ": kprobe on %s failed (%s); opens through tracepoints\n",
			sym, s->bpf.last_error);
		fw_bpf_detach_kind(&s->bpf, FW_ATTACH_KPROBE);
	} else if (s->opt.mode == FW_MODE_KPROBE) {
		fw_fail("--probe-mode kprobe: neither do_sys_openat2 nor do_sys_open is in "
			"/proc/kallsyms, so opens cannot be seen through kprobes");
		return FW_EXIT_BPF;
	}
	if (!opens_through_tracepoints(s, true)) {
		/* Metrics alone: no count of opens rather than a tax on every
		 * syscall (sys_openat_calls_total is then absent). */
		snprintf(what, len, "not counted (no kprobes; --opens or --syscalls counts them)");
		return FW_EXIT_OK;
	}
	what[0] = '\0';
	for (i = 0; i < NCALLS(open_calls); i++) {
		char enter[32], exit_ev[32], fn_enter[64], fn_exit[64];

		if (!tp_pair(k, open_calls[i].call))
			continue;
		snprintf(enter, sizeof(enter), "sys_enter_%s", open_calls[i].call);
		snprintf(exit_ev, sizeof(exit_ev), "sys_exit_%s", open_calls[i].call);
		snprintf(fn_enter, sizeof(fn_enter), "tracepoint__syscalls__%s", enter);
		snprintf(fn_exit, sizeof(fn_exit), "tracepoint__syscalls__%s", exit_ev);
		/* Exit first: an entry seen without its exit would linger. */
		if (fw_bpf_attach_tracepoint(&s->bpf, fn_exit, "syscalls", exit_ev) < 0 ||
		    fw_bpf_attach_tracepoint(&s->bpf, fn_enter, "syscalls", enter) < 0) {
			fw_fail("cannot attach syscalls:%s: %s", enter, s->bpf.last_error);
			return FW_EXIT_BPF;
		}
		append(what, len, enter);
		attached++;
	}
	if (!attached) {
		fw_fail("no way to see file opens on this kernel: no kprobe on do_sys_openat2 and no "
			"syscalls:sys_enter_openat tracepoint");
		return FW_EXIT_BPF;
	}
	s->opens_attached = true;
	return FW_EXIT_OK;
}

/* How long the syscall exit tracepoints stay attached on demand after the
 * probe last asked: five windows, and never less than 5 s (a shell that
 * failed to fork retries after a second or more). */
static uint64_t returns_linger_ns(const struct fw_session *s)
{
	uint64_t l = 5 * s->opt.window_ns;

	return l < 5000000000ULL ? 5000000000ULL : l;
}

static void state_write(struct fw_session *s, uint32_t returns, int entries)
{
	struct fw_state st;
	uint32_t zero = 0;

	/* Read, change ours, write back: the probe's fields move meanwhile,
	 * and a stale copy of them only brings a note or a look sooner. */
	if (bpf_lookup_elem(s->state_fd, &zero, &st) < 0)
		memset(&st, 0, sizeof(st));
	st.returns = returns;
	if (entries >= 0)
		st.entries = (uint32_t)entries;
	bpf_update_elem(s->state_fd, &zero, &st, 0);
}

/* Attaches (on) or detaches the syscall exit tracepoints. */
static int returns_set(struct fw_session *s, bool on)
{
	int i, n = 0;

	if (on == s->returns_attached)
		return 0;
	if (!on) {
		fw_bpf_detach_fn(&s->bpf, s->return_fn);
		s->returns_attached = false;
		s->return_probes = 0;
		s->returns_ns += fw_mono_ns() - s->returns_since;
		state_write(s, 0, -1);
		return 0;
	}
	for (i = 0; i < s->n_return_events; i++) {
		if (fw_bpf_attach_tracepoint(&s->bpf, s->return_fn, "syscalls",
					     s->return_events[i]) == 0)
			n++;
		else
			fprintf(stderr, FW_PROG ": warning: cannot attach syscalls:%s: %s\n",
				s->return_events[i], s->bpf.last_error);
	}
	if (!n)
		return -1;
	s->return_probes = n;
	s->returns_attached = true;
	s->returns_since = fw_mono_ns();
	state_write(s, 1, -1);
	return 0;
}

/* Each poll round, with returns on demand: attach them while containment
 * acted lately (hot_ns), or while a candidate the probe named lately is
 * near a limit that binds it (looked at every 100 ms, or at once on a
 * note); detach them once that is returns_linger_ns old. */
static void returns_update(struct fw_session *s)
{
	uint64_t now = fw_mono_ns(), linger = returns_linger_ns(s);
	struct fw_candidate c;
	struct fw_state st;
	uint32_t zero = 0, i;
	bool wanted, note = s->returns_note;

	s->returns_note = false;
	if (!s->returns_on_demand || bpf_lookup_elem(s->state_fd, &zero, &st) < 0)
		return;
	wanted = st.hot_ns && now - st.hot_ns < linger;
	if (!wanted && st.candidate_ns && now - st.candidate_ns < linger &&
	    (note || now - s->candidate_checked_ns >= 100000000ULL)) {
		s->candidate_checked_ns = now;
		for (i = 0; i < FW_CANDIDATES; i++) {
			if (bpf_lookup_elem(s->candidates_fd, &i, &c) < 0 || !c.tgid || !c.ns ||
			    now - c.ns >= linger ||
			    !fw_spawner_near_limit(c.tgid, c.kids, s->candidate_why,
						   sizeof(s->candidate_why)))
				continue;
			if (s->opt.verbose && !(s->candidate_near_ns && now - s->candidate_near_ns < linger))
				fprintf(stderr, FW_PROG ": process %u (%u live children) is near a limit: "
					"%s; watching failed creations\n", c.tgid, c.kids,
					s->candidate_why);
			s->candidate_near_ns = now;
			break;
		}
	}
	wanted = wanted || (s->candidate_near_ns && now - s->candidate_near_ns < linger);
	if (wanted && !s->returns_attached && returns_set(s, true) == 0)
		s->returns_attaches++;
	else if (!wanted && s->returns_attached)
		returns_set(s, false);
}

/* The returns of the creation syscalls: kretprobes on the entry points
 * when kprobes are in use and nothing needs a child's first return; else
 * the syscall exit tracepoints, which containment needs for a doomed
 * child's first return. Those put every task on the kernel's syscall
 * tracing path, so they are attached all the time only with --syscalls,
 * else on demand (returns_update). */
static int attach_returns(struct fw_session *s, const struct kernel_facts *k)
{
	size_t i;

	s->returns[0] = '\0';
	if (s->use_kprobes && !fw_containment(&s->opt)) {
		for (i = 0; i < k->plan.count; i++) {
			const char *sym = k->plan.probes[i].symbol;

			if (fw_bpf_attach_kprobe(&s->bpf, "fw_kretp_create", sym, true) < 0) {
				fw_fail("cannot attach a kretprobe to %s: %s", sym, s->bpf.last_error);
				return FW_EXIT_BPF;
			}
			s->return_probes++;
		}
		snprintf(s->returns, sizeof(s->returns), "kretprobes");
		state_write(s, 1, -1);
		return FW_EXIT_OK;
	}
	for (i = 0; i < NCALLS(return_calls); i++) {
		if (!tp_exit(k, return_calls[i].call))
			continue;
		if (!s->return_fn[0])
			snprintf(s->return_fn, sizeof(s->return_fn),
				 "tracepoint__syscalls__sys_exit_%s",
				 return_calls[i].call); /* the one compiled */
		snprintf(s->return_events[s->n_return_events++], sizeof(s->return_events[0]),
			 "sys_exit_%s", return_calls[i].call);
	}
	if (!s->n_return_events || fw_bpf_load_tracepoint(&s->bpf, s->return_fn) < 0) {
		fprintf(stderr, FW_PROG ": warning: no syscalls:sys_exit_clone* tracepoints: failed "
			"creations are not seen (a spawner is named by --spawn-max alone)%s\n",
			fw_containment(&s->opt) ? ", and the children of killed processes die at their "
						  "own fork or in the sweep, not as they start"
						: "");
		s->n_return_events = 0;
		return FW_EXIT_OK;
	}
	if (s->opt.syscalls) {
		if (returns_set(s, true) == 0)
			snprintf(s->returns, sizeof(s->returns),
				 "syscalls:sys_exit_{clone,clone3,fork,vfork}");
		return FW_EXIT_OK;
	}
	s->returns_on_demand = true;
	snprintf(s->returns, sizeof(s->returns), "syscalls:sys_exit_{clone,clone3,fork,vfork} on demand");
	return FW_EXIT_OK;
}

/* Stage: attach. Core tracepoints, opens, then the creation entry probes
 * (kprobes, falling back to tracepoints), then their returns. */
static int attach_all(struct fw_session *s, const struct kernel_facts *k, bool opens,
		      char *opens_what, size_t opens_len)
{
	size_t i;
	int rc;

	if (fw_bpf_attach_tracepoint(&s->bpf, "tracepoint__task__task_newtask", "task",
				     "task_newtask") < 0 ||
	    fw_bpf_attach_tracepoint(&s->bpf, "tracepoint__sched__sched_process_exit", "sched",
				     "sched_process_exit") < 0) {
		fw_fail("cannot attach the core tracepoints: %s", s->bpf.last_error);
		return FW_EXIT_BPF;
	}
	if (fw_tracepoint_exists(k->tracefs, "sched", "sched_process_exec"))
		fw_bpf_attach_tracepoint(&s->bpf, "tracepoint__sched__sched_process_exec", "sched",
					 "sched_process_exec"); /* optional: nicer names only */
	if (opens && (rc = attach_opens(s, k, opens_what, opens_len)) != FW_EXIT_OK)
		return rc;
	s->probes[0] = '\0';
	if (s->use_kprobes) {
		for (i = 0; i < k->plan.count; i++) {
			const char *sym = k->plan.probes[i].symbol;

			if (fw_bpf_attach_kprobe(&s->bpf, kp_function(k->plan.probes[i].syscall), sym,
						 false) == 0) {
				append(s->probes, sizeof(s->probes), sym);
				continue;
			}
			if (s->opt.mode == FW_MODE_KPROBE) {
				fw_fail("cannot attach kprobe to %s: %s", sym, s->bpf.last_error);
				return FW_EXIT_BPF;
			}
			fprintf(stderr,
				FW_PROG ": kprobe on %s failed (%s); falling back to tracepoints\n", sym,
				s->bpf.last_error);
			/* All of them, the open pair included: every probe then goes
			 * through tracepoints, the opens too. */
			fw_bpf_detach_kind(&s->bpf, FW_ATTACH_KPROBE);
			s->use_kprobes = false;
			if (s->opens_kprobes) {
				s->opens_kprobes = false;
				if ((rc = attach_opens(s, k, opens_what, opens_len)) != FW_EXIT_OK)
					return rc;
			}
			break;
		}
	} else if (s->opt.mode == FW_MODE_AUTO) {
		fprintf(stderr, FW_PROG ": kprobes are not available on this kernel; using tracepoints\n");
	}
	if (!s->use_kprobes && s->opt.syscalls) {
		s->probes[0] = '\0';
		for (i = 0; i < NCALLS(entry_calls); i++) {
			char fn[64], ev[32], name[48];

			if (!tp_entry(k, entry_calls[i].call))
				continue;
			snprintf(ev, sizeof(ev), "sys_enter_%s", entry_calls[i].call);
			snprintf(fn, sizeof(fn), "tracepoint__syscalls__%s", ev);
			if (fw_bpf_attach_tracepoint(&s->bpf, fn, "syscalls", ev) < 0) {
				fprintf(stderr, FW_PROG ": warning: cannot attach syscalls:%s: %s\n", ev,
					s->bpf.last_error);
				continue;
			}
			snprintf(name, sizeof(name), "syscalls:%s", ev);
			append(s->probes, sizeof(s->probes), name);
		}
	}
	state_write(s, 0, s->probes[0] != '\0');
	return attach_returns(s, k);
}

/* "; killing at 256 live in a burst, ..." for the start line. */
/* "; KILLING what a rule names ..." for the start line. */
static void describe_containment(const struct fw_session *s, char *buf, size_t len)
{
	const struct fw_options *o = &s->opt;
	char established[32];
	size_t used;

	buf[0] = '\0';
	if (!fw_containment(o))
		return;
	fw_format_duration(o->established_ns, established, sizeof(established));
	if (o->kill)
		snprintf(buf, len, "; %s the lineage of what a rule names (of a root whose program "
			 "ran over %s: what it made in the episode)%s",
			 o->dry_run ? "DRY RUN, would kill" : "KILLING", established,
			 o->threads ? ", and thread storms at twice the thread threshold" : "");
	else
		snprintf(buf, len, "; %s", o->dry_run ? "DRY RUN" : "enforcing limits");
	used = strlen(buf);
	if (o->n_limits)
		snprintf(buf + used, len - used, "; %zu --limit", o->n_limits);
	used = strlen(buf);
	if (o->n_allow_comm + o->n_allow_uid + o->n_allow_cgroup)
		snprintf(buf + used, len - used, "; %zu --allow",
			 o->n_allow_comm + o->n_allow_uid + o->n_allow_cgroup);
}

static void announce(struct fw_session *s, const char *opens_what, const char *realtime)
{
	char window[32], extra[1200] = "", contain[512], threads[64] = "";
	size_t used;

	fw_format_duration(s->opt.window_ns, window, sizeof(window));
	describe_containment(s, contain, sizeof(contain));
	used = strlen(contain);
	snprintf(contain + used, sizeof(contain) - used, "%s", realtime);
	if (opens_what[0])
		snprintf(extra, sizeof(extra), "; opens: %s", opens_what);
	if (s->opt.threads)
		snprintf(threads, sizeof(threads), ", threads at %u", s->opt.thread_threshold);
	fprintf(stderr,
		FW_PROG ": attached: %s %s; task:task_newtask, sched:sched_process_exit, "
		"sched:sched_process_exec; returns: %s%s. Rules per %s: replicator at rank %u, chain at "
		"%u generations, spawner at %u live children (or 64 whose creations fail), rate at %u "
		"(reported only)%s%s%s. Tracks up to %u processes; records out through %s buffers. "
		"Runs with %s only, no_new_privs and a seccomp allow-list of %d syscalls. Ctrl-C to "
		"stop.\n",
		s->use_kprobes ? "kprobes" : "tracepoints", s->probes[0] ? s->probes : "(no entry probes)",
		s->returns[0] ? s->returns : "none", extra, window, s->opt.rank, s->opt.chain,
		s->opt.spawn_max, s->opt.proc_threshold, threads, s->opt.log_path ? "" : " (no log)",
		contain, fw_record_slots(s), s->ringbuf ? "ring" : "perf",
		s->caps_kept[0] ? s->caps_kept : "no capability", s->seccomp_syscalls);
	if (s->opt.json) {
		json_t *caps = json_array();
		size_t i;

		for (i = 0; i < s->n_caps; i++)
			json_array_append_new(caps, json_string(s->cap_names[i]));
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, "
				      "s:b, s:b, s:b, s:b, s:b, s:I, s:I, s:o, s:I, s:I, s:s}",
				      "event", "start", "mode", s->use_kprobes ? "kprobe" : "tracepoint",
				      "probes", s->probes, "returns", s->returns, "opens", opens_what,
				      "hostname", s->hostname,
				      "threshold", (json_int_t)s->opt.proc_threshold,
				      "rank", (json_int_t)s->opt.rank, "chain", (json_int_t)s->opt.chain,
				      "spawn_max", (json_int_t)s->opt.spawn_max,
				      "established_ms", (json_int_t)(s->opt.established_ns / 1000000),
				      "window_ms", (json_int_t)(s->opt.window_ns / 1000000),
				      "threads", s->opt.threads, "events", s->opt.events,
				      "opens_events", s->opt.opens, "kill", s->opt.kill,
				      "dry_run", s->opt.dry_run,
				      "limits", (json_int_t)s->opt.n_limits,
				      /* the compiler helper's peak memory (it is gone) */
				      "compiler_peak_kb", (json_int_t)s->bpf.helper_maxrss_kb,
				      /* what it keeps after attaching (sandbox.h) */
				      "capabilities", caps, "seccomp_syscalls",
				      (json_int_t)s->seccomp_syscalls,
				      "records", (json_int_t)fw_record_slots(s),
				      "buffers", s->ringbuf ? "ring" : "perf");
		fw_print_json(j);
	} else if (s->opt.events || s->opt.opens) {
		puts(fw_events_header());
	}
	fflush(stdout);
}

static void write_textfile(struct fw_session *s)
{
	struct fw_metrics m;

	memset(&m, 0, sizeof(m));
	if (metrics_fill(s, &m) == 0 && fw_metrics_write_file(s->opt.metrics_textfile, &m) < 0)
		fprintf(stderr, FW_PROG ": warning: cannot write %s: %s\n", s->opt.metrics_textfile,
			strerror(errno));
}

/* Once a second, what the probe could not keep, from its own counts (the
 * kernel tells a perf reader of a loss only when its next record fits):
 * events the buffer had no room for, processes the record store had no
 * room for. */
static void report_losses(struct fw_session *s)
{
	uint64_t st[FW_STAT_COUNT];

	read_stats(s, st);
	if (st[FW_STAT_EV_LOST] > s->lost_events_reported)
		fprintf(stderr,
			FW_PROG ": lost %llu events (event buffer full; %llu in all): "
			"try --buffer-pages %u or filters\n",
			(unsigned long long)(st[FW_STAT_EV_LOST] - s->lost_events_reported),
			(unsigned long long)st[FW_STAT_EV_LOST],
			s->opt.buffer_pages < FW_MAX_BUFFER_PAGES ? s->opt.buffer_pages * 2
								  : s->opt.buffer_pages);
	s->lost_events_reported = st[FW_STAT_EV_LOST];
	if (st[FW_STAT_UNTRACKED] > s->untracked_reported)
		fprintf(stderr,
			FW_PROG ": warning: the record store (%u) is full: %llu processes "
			"untracked (%llu in all), %llu records made room; try --records %u\n",
			fw_record_slots(s),
			(unsigned long long)(st[FW_STAT_UNTRACKED] - s->untracked_reported),
			(unsigned long long)st[FW_STAT_UNTRACKED],
			(unsigned long long)st[FW_STAT_EVICTED],
			s->opt.record_bits < FW_PROC_SLOT_BITS_MAX ? 2 * fw_record_slots(s)
								  : fw_record_slots(s));
	s->untracked_reported = st[FW_STAT_UNTRACKED];
}

/* Stage: poll until a signal or --duration; then drain what the kernel
 * already sent. */
static void run(struct fw_session *s)
{
	uint64_t deadline = 0, next_textfile = 0, next_lost = 0;

	if (s->opt.duration_ns)
		deadline = fw_mono_ns() + s->opt.duration_ns;
	while (!stop_signal) {
		uint64_t now = fw_mono_ns();
		int timeout = 200;

		if (reopen_signal) {
			reopen_signal = 0;
			reopen_log(s);
		}
		if (deadline) {
			if (now >= deadline)
				break;
			if (deadline - now < 200000000ULL)
				timeout = (int)((deadline - now) / 1000000ULL) + 1;
		}
		if (s->opt.metrics_textfile && now >= next_textfile) {
			write_textfile(s);
			next_textfile = now + TEXTFILE_PERIOD_NS;
		}
		if (now >= next_lost) {
			report_losses(s);
			next_lost = now + LOST_REPORT_PERIOD_NS;
		}
		/* The wall clock is set and stepped (NTP, a resumed VM) under
		 * CLOCK_MONOTONIC, which the kernel stamps records with: each
		 * round's records get the offset of now, as a daemon's clock should. */
		s->wall_offset = wall_offset_now();
		fw_bpf_poll(&s->bpf, timeout);
		if (s->opt.events || s->opt.opens)
			fw_bpf_drain(&s->bpf); /* below the wakeup mark */
		/* The returns first: a kill's sweep waits for its lineage to go
		 * quiet, which a chain does only once its children die at their
		 * first return. */
		returns_update(s);
		fw_run_pending_kills(s);
		publish_process_count(s);
		/* A line-buffered stdout (alerts without -e) fails inside
		 * printf and leaves nothing for fflush: ferror says so. */
		errno = 0;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fw_fail("cannot write %s to stdout: %s; stopping",
				s->opt.events || s->opt.opens ? "events" : "alerts",
				errno ? strerror(errno) : "an earlier write failed");
			break;
		}
	}
	fw_bpf_drain(&s->bpf); /* nothing the kernel already sent is lost */
	fw_run_pending_kills(s);
	publish_process_count(s);
	fflush(stdout);
	if (s->opt.metrics_textfile)
		write_textfile(s);
}

/* Stage: what the kernel offers. Returns an exit code, or -1 to go on. */
static int learn_kernel(struct fw_session *s, struct kernel_facts *k, const char *argv0)
{
	uname(&k->uts);
	load_plan(&s->opt, k);
	if (!k->plan_ok && s->opt.arch_probe) {
		fw_fail("%s", k->plan_err);
		return FW_EXIT_USAGE;
	}
	if (!k->plan_ok && s->opt.mode == FW_MODE_KPROBE) {
		fw_fail("--probe-mode kprobe: %s", k->plan_err);
		return FW_EXIT_BPF;
	}
	if (geteuid() != 0 && !s->opt.list_probes) {
		fw_fail("must be run as root (it loads eBPF programs); try: sudo %s", argv0);
		return FW_EXIT_NOT_ROOT;
	}
	if (fw_tracefs_open(k->tracefs, sizeof(k->tracefs), &k->tracefs_mounted) < 0) {
		if (!s->opt.list_probes) {
			fw_fail("tracefs is not available at /sys/kernel/tracing and could not be "
				"mounted: %s", strerror(errno));
			return FW_EXIT_BPF;
		}
		k->tracefs[0] = '\0';
	}
	if (k->tracefs_mounted)
		fprintf(stderr, FW_PROG ": mounted tracefs on %s (it was not mounted)\n", k->tracefs);
	k->kprobes_ok = k->plan_ok && fw_kprobes_supported(k->tracefs);
	if (s->opt.list_probes) {
		if (!k->plan_ok)
			printf("kprobes: none usable: %s\n", k->plan_err);
		else
			print_plan(k, s->opt.mode);
		return FW_EXIT_OK;
	}
	if (s->opt.mode == FW_MODE_KPROBE && !k->kprobes_ok) {
		fw_fail("--probe-mode kprobe: this kernel cannot attach kprobes (no kprobe PMU and no "
			"%s/kprobe_events; built without CONFIG_KPROBES?); use --probe-mode auto",
			k->tracefs);
		return FW_EXIT_BPF;
	}
	reclaim_stale(s, k);
	if (!fw_tracepoint_exists(k->tracefs, "task", "task_newtask") ||
	    !fw_tracepoint_exists(k->tracefs, "sched", "sched_process_exit")) {
		fw_fail("this kernel lacks the task:task_newtask or sched:sched_process_exit "
			"tracepoint");
		return FW_EXIT_BPF;
	}
	if (s->opt.filter_pid && kill((pid_t)s->opt.pid, 0) < 0 && errno == ESRCH) {
		fw_fail("invalid --pid %u: no such process", s->opt.pid);
		return FW_EXIT_USAGE;
	}
	return -1;
}

int main(int argc, char **argv)
{
	static struct fw_session s;
	static struct kernel_facts k;
	static char iobuf[1 << 16];
	struct fw_metrics_server *server = NULL;
	unsigned char fds_at_start[256];
	char err[1024], opens_what[256] = "", realtime[96];
	bool opens;
	struct sigaction sa;
	int rc, pid_fd = -1;

	open_fds(fds_at_start, (int)sizeof(fds_at_start));
	switch (fw_options_parse(argc, argv, &s.opt, stdout, err, sizeof(err))) {
	case FW_PARSE_EXIT_OK:
		return FW_EXIT_OK;
	case FW_PARSE_ERROR:
		fw_fail("%s", err);
		return FW_EXIT_USAGE;
	default:
		break;
	}
	/* Events can come by the ten thousand a second: block-buffer them and
	 * flush once per poll. Otherwise line by line. */
	if (s.opt.events || s.opt.opens)
		setvbuf(stdout, iobuf, _IOFBF, sizeof(iobuf));
	else
		setvbuf(stdout, NULL, _IOLBF, 0);
	s.alert_out = !s.opt.json && (s.opt.events || s.opt.opens) ? stderr : stdout;
	s.procs_fd = s.stats_fd = s.follow_fd = s.marks_fd = s.doom_count_fd = -1;
	s.state_fd = s.process_count_fd = s.candidates_fd = -1;
	opens = s.opt.opens || s.opt.metrics_port || s.opt.metrics_textfile;

	/* SIGHUP reopens the log from the start on: a logrotate that runs while
	 * the probe compiles must not end the tool (its default action). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hangup;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);

	rc = learn_kernel(&s, &k, argv[0]);
	if (rc >= 0)
		return rc;
	if (s.opt.pid_file && write_pid_file(s.opt.pid_file, &pid_fd) < 0)
		return FW_EXIT_LOG;
	if (open_log(&s) < 0) {
		rc = FW_EXIT_LOG;
		goto out;
	}
	if (s.opt.metrics_textfile && check_textfile(s.opt.metrics_textfile) < 0) {
		rc = FW_EXIT_LOG;
		goto out;
	}
	if (gethostname(s.hostname, sizeof(s.hostname)) < 0)
		snprintf(s.hostname, sizeof(s.hostname), "unknown");
	s.hostname[sizeof(s.hostname) - 1] = '\0';
	/* Listen before the slow compile, so a taken port fails at once; it
	 * answers 500 until the probes are attached. */
	if (s.opt.metrics_port) {
		server = fw_metrics_serve(s.opt.metrics_host, s.opt.metrics_port, metrics_fill, &s,
					  err, sizeof(err));
		if (!server) {
			fw_fail("%s", err);
			rc = FW_EXIT_LOG;
			goto out;
		}
	}

	if (fw_contain_resolve(&s, err, sizeof(err)) < 0) {
		fw_fail("%s", err);
		rc = FW_EXIT_USAGE;
		goto out;
	}
	s.use_kprobes = s.opt.mode != FW_MODE_TRACEPOINT && k.kprobes_ok;
	/* Test hook: the perf buffers that kernels before 5.8 use, on any. */
	s.ringbuf = !getenv("FORKWATCH_TEST_PERF_BUFFERS") && fw_bpf_ringbuf_supported();
	if ((rc = find_headers(&k, &s.opt)) != FW_EXIT_OK ||
	    (rc = compile_probe(&s, &k, opens)) != FW_EXIT_OK ||
	    (rc = configure(&s)) != FW_EXIT_OK ||
	    (rc = attach_all(&s, &k, opens, opens_what, sizeof(opens_what))) != FW_EXIT_OK)
		goto out;
	if (s.opt.filter_pid && fw_follow_seed(&s, s.opt.pid) < 0) {
		fw_fail("invalid --pid %u: the process is gone", s.opt.pid);
		rc = FW_EXIT_USAGE;
		goto out;
	}
	fw_bpf_release_compiler(&s.bpf); /* the compiler helper (clang, LLVM) ends here */

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout (| head) ends the run in run() */
	if (s.opt.syslog) {
		/* Connected now (LOG_NDELAY), before the sandbox; it reconnects
		 * (socket, connect) if the syslog daemon restarts. */
		openlog(FW_PROG, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		s.syslog_open = true;
	}

	fw_contain_realtime(&s, realtime, sizeof(realtime));
	if ((rc = enter_sandbox(&s, server)) != FW_EXIT_OK)
		goto out;
	s.wall_offset = wall_offset_now();
	announce(&s, opens_what, realtime);
	s.started = now_wall();
	run(&s);
	print_summary(&s, now_wall() - s.started);
	rc = FW_EXIT_OK;

out:
	fw_metrics_stop(server);
	fw_bpf_close(&s.bpf);
	free(s.members);
	if (s.log)
		fclose(s.log);
	if (s.syslog_open)
		closelog();
	if (pid_fd >= 0) {
		unlink(s.opt.pid_file);
		close(pid_fd);
	}
	fflush(stdout);
	check_fds_released(fds_at_start);
	return rc;
}
