// SPDX-License-Identifier: GPL-2.0
/*
 * bcc-forkwatch: fork-bomb detector and process-creation monitor on libbcc.
 *
 * main() does the orchestration: options, probe choice, kernel headers,
 * compile, attach (kprobes, falling back to tracepoints), then waits for
 * alerts until a signal or --duration, and tears everything down.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bcc/libbpf.h>
#include <jansson.h>

#include "burst.h"
#include "forkwatch_logic.h"
#include "headers.h"
#include "kallsyms.h"
#include "loader.h"
#include "options.h"
#include "output.h"
#include "probe_choice.h"
#include "tracefs.h"
#include "util.h"

#define PROG "bcc-forkwatch"
#define STATE_DIR "/var/cache/bcc-forkwatch"
#define PERF_PAGES 8 /* alerts are rare; 32 KiB per CPU is plenty */
#define MAX_MEMBERS 32768

extern const char fw_probe_source[];

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct state {
	struct fw_options opt;
	struct fw_bpf bpf;
	FILE *log;
	char hostname[256];
	uint64_t alerts;
	uint64_t lost;
	int procs_fd;
	int trees_fd;
	struct fw_member *members; /* scratch for naming burst roots */
};

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int read_small_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static void proc_comm(uint32_t pid, char *out, size_t len)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	if (read_small_file(path, buf, sizeof(buf)) <= 0) {
		out[0] = '\0';
		return;
	}
	buf[strcspn(buf, "\n")] = '\0';
	fw_clean_comm(buf, sizeof(buf), 0, out, len);
}

static uint32_t proc_ppid(uint32_t pid)
{
	char path[64], buf[1024], *close_paren;
	unsigned ppid;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	if (read_small_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	close_paren = strrchr(buf, ')'); /* comm may hold spaces and parens */
	if (!close_paren || sscanf(close_paren + 1, " %*c %u", &ppid) != 1)
		return 0;
	return ppid;
}

/* Reads the live members of one tree out of the procs map and names the
 * process where the burst fans out. Also finds a command name for it when
 * it is already gone: the one its children were created with. */
static uint32_t name_burst_root(struct state *s, uint32_t tree_root, uint32_t *depth,
				char *comm, size_t commlen)
{
	struct fw_tree tree;
	struct fw_proc rec;
	uint32_t key, next, root;
	size_t n = 0, i;
	int r;

	*depth = 0;
	comm[0] = '\0';
	if (bpf_lookup_elem(s->trees_fd, &tree_root, &tree) < 0)
		return tree_root;
	r = bpf_get_first_key(s->procs_fd, &key, sizeof(key));
	while (r == 0 && n < MAX_MEMBERS) {
		if (bpf_lookup_elem(s->procs_fd, &key, &rec) == 0 && rec.root == tree_root) {
			s->members[n].tgid = key;
			s->members[n].created_ns = rec.created_ns;
			s->members[n].depth = rec.depth;
			s->members[n].flags = rec.flags;
			memcpy(s->members[n].top, rec.top, sizeof(rec.top));
			n++;
		}
		r = bpf_get_next_key(s->procs_fd, &key, &next);
		key = next;
	}
	root = fw_burst_root(tree_root, s->members, n, tree.burst_start_ns, FW_BURST_SHARE_PCT,
			     depth);
	proc_comm(root, comm, commlen);
	if (comm[0] || root == tree_root)
		return root;
	for (i = 0; i < n; i++) {
		struct fw_member *m = &s->members[i];

		/* The root is gone (a bash bomb's root exits at once): name it
		 * after the command a descendant was created with, a direct
		 * child's when one is alive (deeper ones may have exec'd since). */
		if (m->depth > *depth && m->top[*depth - 1] == root &&
		    bpf_lookup_elem(s->procs_fd, &m->tgid, &rec) == 0) {
			fw_clean_comm(rec.comm, sizeof(rec.comm), 0, comm, commlen);
			if (m->depth == *depth + 1)
				break;
		}
	}
	return root;
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
		fail("internal error: %d file descriptors left open after teardown", leaked);
}

static void on_alert(void *cookie, void *data, int size)
{
	struct state *s = cookie;
	struct fw_alert a;
	struct fw_report r = { 0 };
	char root_comm[FW_COMM_LEN + 1] = "", tree_comm[FW_COMM_LEN + 1] = "", line[1024];

	if (size < (int)sizeof(a))
		return;
	memcpy(&a, data, sizeof(a));
	s->alerts++;

	r.alert = &a;
	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC: shift it onto wall time. */
	r.wall = now_wall() - (double)(now_mono_ns() - a.ts_ns) / 1e9;
	r.hostname = s->hostname;
	r.window_ns = s->opt.window_ns;
	r.ppid = a.ppid ? a.ppid : proc_ppid(a.tgid);
	proc_comm(a.root, tree_comm, sizeof(tree_comm));
	if (a.kind == FW_ALERT_THREADS) {
		r.root = a.tgid;
		fw_clean_comm(a.comm, sizeof(a.comm), 0, root_comm, sizeof(root_comm));
	} else {
		r.root = name_burst_root(s, a.root, &r.root_depth, root_comm, sizeof(root_comm));
	}
	r.root_comm = root_comm[0] ? root_comm : "?";
	r.tree_comm = tree_comm[0] ? tree_comm : "?";

	if (s->opt.json) {
		json_t *j = fw_report_json(&r);

		if (j) {
			json_dumpf(j, stdout, JSON_COMPACT);
			json_decref(j);
			fputc('\n', stdout);
		}
	} else {
		fw_format_text(&r, line, sizeof(line));
		puts(line);
	}
	fflush(stdout);
	if (s->log) {
		fw_format_csv(&r, line, sizeof(line));
		fprintf(s->log, "%s\n", line);
		fflush(s->log);
	}
}

static void on_lost(void *cookie, uint64_t lost)
{
	struct state *s = cookie;

	s->lost += lost;
	fprintf(stderr, PROG ": lost %llu alert samples (perf buffer full)\n",
		(unsigned long long)lost);
}

static int open_log(struct state *s)
{
	struct stat st;
	int fd;

	if (!s->opt.log_path)
		return 0;
	fd = open(s->opt.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fail("cannot write log %s: %s", s->opt.log_path,
		     fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	s->log = fdopen(fd, "a");
	if (!s->log) {
		close(fd);
		fail("cannot write log %s: %s", s->opt.log_path, strerror(errno));
		return -1;
	}
	if (st.st_size == 0)
		fprintf(s->log, "%s\n", fw_csv_header());
	fflush(s->log);
	return 0;
}

static void print_plan(const struct fw_probe_plan *plan, bool kprobes_ok, const char *tracefs,
		       enum fw_probe_mode mode)
{
	static const char *const entry_tps[] = { "clone", "clone3", "fork", "vfork" };
	size_t i;

	printf("arch: %s\n", plan->arch);
	printf("kprobes: %s\n", kprobes_ok ? "supported by this kernel"
					   : "not supported by this kernel (no kprobe PMU, no "
					     "kprobe_events)");
	printf("mode: %s -> %s\n", fw_mode_name(mode),
	       mode == FW_MODE_TRACEPOINT || (mode == FW_MODE_AUTO && !kprobes_ok) ? "tracepoints"
										    : "kprobes");
	printf("kprobes (entry points from /proc/kallsyms):\n");
	for (i = 0; i < plan->count; i++)
		printf("  %-24s %-7s %s\n", plan->probes[i].symbol,
		       fw_syscall_name(plan->probes[i].syscall), plan->probes[i].why);
	for (i = 0; i < plan->nmissing; i++)
		printf("  %-24s %-7s not in kallsyms on this kernel\n", "-", plan->missing[i]);
	printf("tracepoints (fallback entry points):\n");
	for (i = 0; i < 4; i++) {
		char ev[32];

		snprintf(ev, sizeof(ev), "sys_enter_%s", entry_tps[i]);
		printf("  syscalls:%-16s %s\n", ev,
		       tracefs && fw_tracepoint_exists(tracefs, "syscalls", ev) ? "present" : "absent");
	}
	printf("always (counting and lineage):\n");
	printf("  task:task_newtask         new tasks with clone_flags (%s)\n",
	       tracefs && fw_tracepoint_exists(tracefs, "task", "task_newtask") ? "present"
										: "absent");
	printf("  sched:sched_process_exit  exits, for live counts (%s)\n",
	       tracefs && fw_tracepoint_exists(tracefs, "sched", "sched_process_exit") ? "present"
										       : "absent");
	printf("  sched:sched_process_exec  command names after exec (%s)\n",
	       tracefs && fw_tracepoint_exists(tracefs, "sched", "sched_process_exec") ? "present"
										       : "absent");
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

static void read_stats(struct state *s, uint64_t *out)
{
	int fd = fw_bpf_table_fd(&s->bpf, "stats");
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	uint64_t *vals;
	uint32_t i;
	long c;

	memset(out, 0, sizeof(uint64_t) * FW_STAT_COUNT);
	if (fd < 0 || ncpu <= 0)
		return;
	/* Per-CPU arrays return one 8-byte slot per possible CPU. */
	vals = calloc((size_t)ncpu + 64, sizeof(uint64_t));
	if (!vals)
		return;
	for (i = 0; i < FW_STAT_COUNT; i++)
		if (bpf_lookup_elem(fd, &i, vals) == 0)
			for (c = 0; c < ncpu; c++)
				out[i] += vals[c];
	free(vals);
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

static void print_summary(struct state *s, double seconds)
{
	uint64_t st[FW_STAT_COUNT];

	read_stats(s, st);
	if (s->opt.json) {
		json_t *j = json_pack("{s:s, s:f, s:I, s:I, s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:I}",
				      "event", "summary", "seconds", seconds,
				      "processes", (json_int_t)st[FW_STAT_PROCS],
				      "threads", (json_int_t)st[FW_STAT_THREADS],
				      "exits", (json_int_t)st[FW_STAT_EXITS],
				      "calls", by_syscall(st, FW_STAT_CALLS),
				      "processes_by", by_syscall(st, FW_STAT_PROCS_BY),
				      "threads_by", by_syscall(st, FW_STAT_THREADS_BY),
				      "alerts", (json_int_t)s->alerts,
				      "suppressed", (json_int_t)st[FW_STAT_SUPPRESSED],
				      "lost", (json_int_t)s->lost,
				      "untracked", (json_int_t)st[FW_STAT_UNTRACKED]);

		if (j) {
			json_dumpf(j, stdout, JSON_COMPACT);
			json_decref(j);
			fputc('\n', stdout);
			fflush(stdout);
		}
		return;
	}
	fprintf(stderr,
		PROG ": %.1fs: %llu processes and %llu threads created (calls: clone %llu, clone3 "
		"%llu, fork %llu, vfork %llu), %llu alerts (%llu repeats suppressed), %llu lost "
		"samples%s\n",
		seconds, (unsigned long long)st[FW_STAT_PROCS],
		(unsigned long long)st[FW_STAT_THREADS],
		(unsigned long long)st[FW_STAT_CALLS + FW_SYS_CLONE],
		(unsigned long long)st[FW_STAT_CALLS + FW_SYS_CLONE3],
		(unsigned long long)st[FW_STAT_CALLS + FW_SYS_FORK],
		(unsigned long long)st[FW_STAT_CALLS + FW_SYS_VFORK], (unsigned long long)s->alerts,
		(unsigned long long)st[FW_STAT_SUPPRESSED], (unsigned long long)s->lost,
		st[FW_STAT_UNTRACKED] ? " (some processes untracked: maps full)" : "");
}

static int load_plan(const struct fw_options *o, const char *machine, struct fw_probe_plan *plan,
		     char *err, size_t errlen)
{
	const char *wanted[FW_MAX_PROBES];
	char spec_buf[1024];
	struct fw_ksyms ks;
	int nwanted = 0, r;
	FILE *f;

	if (o->arch_probe) {
		nwanted = fw_spec_symbols(o->arch_probe, spec_buf, sizeof(spec_buf), wanted,
					  FW_MAX_PROBES);
		if (nwanted < 0)
			nwanted = 0;
	}
	f = fopen("/proc/kallsyms", "re");
	if (!f) {
		fw_snprintf(err, errlen, "cannot read /proc/kallsyms: %s", strerror(errno));
		return -1;
	}
	r = fw_ksyms_load(f, wanted, (size_t)nwanted, &ks);
	fclose(f);
	if (r < 0) {
		fw_snprintf(err, errlen, "cannot read /proc/kallsyms");
		return -1;
	}
	r = fw_plan_from_spec(&ks, o->arch_probe, machine, plan, err, errlen);
	fw_ksyms_free(&ks);
	return r;
}

int main(int argc, char **argv)
{
	static struct state s;
	unsigned char fds_at_start[256];
	struct fw_probe_plan plan;
	struct fw_headers hdr;
	struct utsname uts;
	char err[1024], tracefs[256], os_release[4096] = "", kept[1024] = "";
	const char *cflags[16];
	int ncflags = 0, rc = FW_EXIT_OK, plan_ok;
	bool kprobes_ok, tracefs_mounted = false, use_kprobes;
	struct sigaction sa;
	double started;
	uint64_t deadline = 0;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	open_fds(fds_at_start, (int)sizeof(fds_at_start));
	switch (fw_options_parse(argc, argv, &s.opt, stdout, err, sizeof(err))) {
	case FW_PARSE_EXIT_OK:
		return FW_EXIT_OK;
	case FW_PARSE_ERROR:
		fail("%s", err);
		return FW_EXIT_USAGE;
	default:
		break;
	}
	uname(&uts);

	plan_ok = load_plan(&s.opt, uts.machine, &plan, err, sizeof(err)) == 0;
	if (!plan_ok && s.opt.arch_probe) {
		fail("%s", err);
		return FW_EXIT_USAGE;
	}
	if (!plan_ok && s.opt.mode == FW_MODE_KPROBE) {
		fail("--probe-mode kprobe: %s", err);
		return FW_EXIT_BPF;
	}

	if (geteuid() != 0 && !s.opt.list_probes) {
		fail("must be run as root (it loads eBPF programs); try: sudo %s", argv[0]);
		return FW_EXIT_NOT_ROOT;
	}
	if (fw_tracefs_open(tracefs, sizeof(tracefs), &tracefs_mounted) < 0) {
		if (!s.opt.list_probes) {
			fail("tracefs is not available at /sys/kernel/tracing and could not be mounted: "
			     "%s", strerror(errno));
			return FW_EXIT_BPF;
		}
		tracefs[0] = '\0';
	}
	if (tracefs_mounted)
		fprintf(stderr, PROG ": mounted tracefs on %s (it was not mounted)\n", tracefs);
	kprobes_ok = plan_ok && fw_kprobes_supported(tracefs);

	if (s.opt.list_probes) {
		if (!plan_ok)
			printf("kprobes: none usable: %s\n", err);
		else
			print_plan(&plan, kprobes_ok, tracefs[0] ? tracefs : NULL, s.opt.mode);
		return FW_EXIT_OK;
	}
	if (s.opt.mode == FW_MODE_KPROBE && !kprobes_ok) {
		fail("--probe-mode kprobe: this kernel cannot attach kprobes (no kprobe PMU and no "
		     "%s/kprobe_events; built without CONFIG_KPROBES?); use --probe-mode auto",
		     tracefs);
		return FW_EXIT_BPF;
	}
	if (!fw_tracepoint_exists(tracefs, "task", "task_newtask") ||
	    !fw_tracepoint_exists(tracefs, "sched", "sched_process_exit")) {
		fail("this kernel lacks the task:task_newtask or sched:sched_process_exit tracepoint");
		return FW_EXIT_BPF;
	}

	if (open_log(&s) < 0)
		return FW_EXIT_LOG;
	if (gethostname(s.hostname, sizeof(s.hostname)) < 0)
		snprintf(s.hostname, sizeof(s.hostname), "unknown");
	s.hostname[sizeof(s.hostname) - 1] = '\0';

	/* Kernel headers. */
	read_small_file("/etc/os-release", os_release, sizeof(os_release));
	{
		struct fw_headers_query q = {
			.root = "",
			.release = uts.release,
			.machine = uts.machine,
			.explicit_dir = s.opt.kernel_headers,
			.env_source = getenv("BCC_KERNEL_SOURCE"),
			.state_dir = STATE_DIR,
			.os_release = os_release,
		};

		if (fw_find_headers(&q, &hdr, err, sizeof(err)) < 0) {
			fail("%s", err);
			rc = FW_EXIT_HEADERS;
			goto out;
		}
	}
	if (hdr.source[0] && setenv("BCC_KERNEL_SOURCE", hdr.source, 1) < 0) {
		fail("cannot set BCC_KERNEL_SOURCE: %s", strerror(errno));
		rc = FW_EXIT_HEADERS;
		goto out;
	}
	if (hdr.mismatch)
		fprintf(stderr,
			PROG ": warning: no headers for the running kernel %s; compiling against %s "
			"(%s). Struct layouts may differ; the probe reads none.\n",
			uts.release, hdr.release, hdr.how);

	/* Compile-time switches: integers decided here, never user text. */
	use_kprobes = s.opt.mode != FW_MODE_TRACEPOINT && kprobes_ok;
	cflags[ncflags++] = "-DFW_EMBEDDED";
	if (fw_tracepoint_has_field(tracefs, "sched", "sched_process_exit", "group_dead") == 1)
		cflags[ncflags++] = "-DFW_EXIT_HAS_GROUP_DEAD=1";
	if (fw_tracepoint_exists(tracefs, "sched", "sched_process_exec"))
		cflags[ncflags++] = "-DFW_TP_EXEC=1";
	if (s.opt.mode != FW_MODE_KPROBE) {
		if (fw_tracepoint_exists(tracefs, "syscalls", "sys_enter_clone"))
			cflags[ncflags++] = "-DFW_TP_ENTRY_CLONE=1";
		if (fw_tracepoint_exists(tracefs, "syscalls", "sys_enter_clone3"))
			cflags[ncflags++] = "-DFW_TP_ENTRY_CLONE3=1";
		if (fw_tracepoint_exists(tracefs, "syscalls", "sys_enter_fork"))
			cflags[ncflags++] = "-DFW_TP_ENTRY_FORK=1";
		if (fw_tracepoint_exists(tracefs, "syscalls", "sys_enter_vfork"))
			cflags[ncflags++] = "-DFW_TP_ENTRY_VFORK=1";
	}
	if (fw_bpf_compile(&s.bpf, fw_probe_source, cflags, ncflags, s.opt.verbose) < 0) {
		fail("cannot compile the probe with headers from %s%s%s", hdr.source[0] ? hdr.source :
		     hdr.how, s.bpf.last_error[0] ? ": " : "", s.bpf.last_error);
		rc = FW_EXIT_BPF;
		goto out;
	}

	/* Settings go through a map, before anything is attached. */
	{
		struct fw_config cfg = {
			.window_ns = s.opt.window_ns,
			.epoch_max_ns = s.opt.window_ns * FW_EPOCH_WINDOWS,
			.proc_threshold = s.opt.proc_threshold,
			.tree_threshold = s.opt.tree_threshold,
			.thread_threshold = s.opt.thread_threshold,
			.threads_enabled = s.opt.threads,
		};
		uint32_t zero = 0;

		s.procs_fd = fw_bpf_table_fd(&s.bpf, "procs");
		s.trees_fd = fw_bpf_table_fd(&s.bpf, "trees");
		if (bpf_update_elem(fw_bpf_table_fd(&s.bpf, "config"), &zero, &cfg, 0) < 0 ||
		    s.procs_fd < 0 || s.trees_fd < 0) {
			fail("cannot configure the probe: %s", strerror(errno));
			rc = FW_EXIT_BPF;
			goto out;
		}
	}
	s.members = calloc(MAX_MEMBERS, sizeof(*s.members));
	if (!s.members) {
		fail("out of memory");
		rc = FW_EXIT_BPF;
		goto out;
	}
	if (fw_bpf_open_perf(&s.bpf, "alerts", on_alert, on_lost, &s, PERF_PAGES) < 0) {
		fail("cannot open the perf buffer: %s", s.bpf.last_error[0] ? s.bpf.last_error :
		     strerror(errno));
		rc = FW_EXIT_BPF;
		goto out;
	}

	/* Core tracepoints first: they count, whatever the entry probes. */
	if (fw_bpf_attach_tracepoint(&s.bpf, "tracepoint__task__task_newtask", "task",
				     "task_newtask") < 0 ||
	    fw_bpf_attach_tracepoint(&s.bpf, "tracepoint__sched__sched_process_exit", "sched",
				     "sched_process_exit") < 0) {
		fail("cannot attach the core tracepoints: %s", s.bpf.last_error);
		rc = FW_EXIT_BPF;
		goto out;
	}
	if (fw_tracepoint_exists(tracefs, "sched", "sched_process_exec"))
		fw_bpf_attach_tracepoint(&s.bpf, "tracepoint__sched__sched_process_exec", "sched",
					 "sched_process_exec"); /* optional: nicer names only */

	if (use_kprobes) {
		for (i = 0; i < plan.count; i++) {
			if (fw_bpf_attach_kprobe(&s.bpf, kp_function(plan.probes[i].syscall),
						 plan.probes[i].symbol) < 0) {
				if (s.opt.mode == FW_MODE_KPROBE) {
					fail("cannot attach kprobe to %s: %s", plan.probes[i].symbol,
					     s.bpf.last_error);
					rc = FW_EXIT_BPF;
					goto out;
				}
				fprintf(stderr,
					PROG ": kprobe on %s failed (%s); falling back to tracepoints\n",
					plan.probes[i].symbol, s.bpf.last_error);
				fw_bpf_detach_kprobes(&s.bpf);
				use_kprobes = false;
				break;
			}
			snprintf(kept + strlen(kept), sizeof(kept) - strlen(kept), "%s%s",
				 kept[0] ? ", " : "", plan.probes[i].symbol);
		}
	} else if (s.opt.mode == FW_MODE_AUTO) {
		fprintf(stderr, PROG ": kprobes are not available on this kernel; using tracepoints\n");
	}
	if (!use_kprobes) {
		static const char *const calls[] = { "clone", "clone3", "fork", "vfork" };

		kept[0] = '\0';
		for (i = 0; i < 4; i++) {
			char fn[64], ev[32];

			snprintf(ev, sizeof(ev), "sys_enter_%s", calls[i]);
			snprintf(fn, sizeof(fn), "tracepoint__syscalls__%s", ev);
			if (!fw_tracepoint_exists(tracefs, "syscalls", ev))
				continue;
			if (fw_bpf_attach_tracepoint(&s.bpf, fn, "syscalls", ev) < 0) {
				fprintf(stderr, PROG ": warning: cannot attach syscalls:%s: %s\n", ev,
					s.bpf.last_error);
				continue;
			}
			snprintf(kept + strlen(kept), sizeof(kept) - strlen(kept), "%ssyscalls:%s",
				 kept[0] ? ", " : "", ev);
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	{
		char window[32];

		fw_format_duration(s.opt.window_ns, window, sizeof(window));
		fprintf(stderr,
			PROG ": attached: %s %s; task:task_newtask, sched:sched_process_exit. "
			"Alerting at %u processes per %s from one process, %u live in a burst%s%s. "
			"Ctrl-C to stop.\n",
			use_kprobes ? "kprobes" : "tracepoints", kept[0] ? kept : "(no entry probes)",
			s.opt.proc_threshold, window, s.opt.tree_threshold,
			s.opt.threads ? ", threads too" : "", s.opt.log_path ? "" : " (no log)");
		if (s.opt.json) {
			json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b}", "event",
					      "start", "mode", use_kprobes ? "kprobe" : "tracepoint",
					      "probes", kept, "hostname", s.hostname,
					      "threshold", (json_int_t)s.opt.proc_threshold,
					      "tree_threshold", (json_int_t)s.opt.tree_threshold,
					      "window_ms", (json_int_t)(s.opt.window_ns / 1000000),
					      "threads", s.opt.threads);
			if (j) {
				json_dumpf(j, stdout, JSON_COMPACT);
				json_decref(j);
				fputc('\n', stdout);
				fflush(stdout);
			}
		}
	}

	started = now_wall();
	if (s.opt.duration_ns)
		deadline = now_mono_ns() + s.opt.duration_ns;
	while (!stop_signal) {
		int timeout = 200;

		if (deadline) {
			uint64_t now = now_mono_ns();

			if (now >= deadline)
				break;
			if (deadline - now < 200000000ULL)
				timeout = (int)((deadline - now) / 1000000ULL) + 1;
		}
		fw_bpf_poll(&s.bpf, timeout);
	}
	fw_bpf_drain(&s.bpf); /* nothing the kernel already sent is lost */
	print_summary(&s, now_wall() - started);

out:
	fw_bpf_close(&s.bpf);
	free(s.members);
	if (s.log)
		fclose(s.log);
	check_fds_released(fds_at_start);
	return rc;
}
