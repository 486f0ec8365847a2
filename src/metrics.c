// SPDX-License-Identifier: GPL-2.0
/* The Prometheus text format (version 0.0.4), from a counter snapshot. */
#define _GNU_SOURCE
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "probe_choice.h"

struct out {
	char *buf;
	size_t len, used;
	int overflow;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used) {
		o->overflow = 1;
		return;
	}
	o->used += (size_t)n;
}

static void family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample line: name{labels} value, or name value without labels. */
static void sample(struct out *o, const char *name, const char *labels, uint64_t v)
{
	if (labels)
		put(o, "%s{%s} %llu\n", name, labels, (unsigned long long)v);
	else
		put(o, "%s %llu\n", name, (unsigned long long)v);
}

void fw_metrics_escape_label(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; in && *in && o + 2 < len; in++) {
		if (*in == '\\' || *in == '"') {
			out[o++] = '\\';
			out[o++] = *in;
		} else if (*in == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

int fw_metrics_render(const struct fw_metrics *m, char *buf, size_t len)
{
	const uint64_t *st = m->stats;
	struct out o = { buf, len, 0, 0 };
	char mode[64], probes[1024], version[64];
	uint64_t calls = 0;
	int i;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < FW_SYS_COUNT; i++)
		calls += st[FW_STAT_CALLS + i];
	/* Without entry probes (no kprobes, no --syscalls) the calls are what
	 * they made and the failures seen. */
	if (!m->calls_counted)
		calls = st[FW_STAT_PROCS] + st[FW_STAT_THREADS] + st[FW_STAT_FAILED];

	/* The original monitor's two counters, same names, no labels. */
	family(&o, "sys_clone_calls_total", "counter",
	       "Calls to the process-creation syscalls (clone, clone3, fork, vfork); without entry "
	       "probes, the tasks they created and the failures seen.");
	sample(&o, "sys_clone_calls_total", NULL, calls);
	if (m->opens_counted) {
		family(&o, "sys_openat_calls_total", "counter",
		       "Calls to the file-open syscalls (open, openat, openat2).");
		sample(&o, "sys_openat_calls_total", NULL, st[FW_STAT_OPENS]);
	}

	if (m->calls_counted) {
		family(&o, "forkwatch_syscall_calls_total", "counter",
		       "Process-creation syscall calls seen by the entry probes, failed ones included.");
		for (i = 0; i < FW_SYS_COUNT; i++)
			if (i != FW_SYS_NONE)
				put(&o, "forkwatch_syscall_calls_total{syscall=\"%s\"} %llu\n",
				    fw_syscall_name(i), (unsigned long long)st[FW_STAT_CALLS + i]);
	}

	family(&o, "forkwatch_tasks_created_total", "counter",
	       "Tasks created, by kind and by the syscall that made them (none: no entry probe "
	       "saw the call, as for kernel threads, or none is attached).");
	for (i = 0; i < FW_SYS_COUNT; i++)
		put(&o, "forkwatch_tasks_created_total{kind=\"process\",syscall=\"%s\"} %llu\n",
		    fw_syscall_name(i), (unsigned long long)st[FW_STAT_PROCS_BY + i]);
	for (i = 0; i < FW_SYS_COUNT; i++)
		put(&o, "forkwatch_tasks_created_total{kind=\"thread\",syscall=\"%s\"} %llu\n",
		    fw_syscall_name(i), (unsigned long long)st[FW_STAT_THREADS_BY + i]);

	family(&o, "forkwatch_process_exits_total", "counter", "Processes that exited.");
	sample(&o, "forkwatch_process_exits_total", NULL, st[FW_STAT_EXITS]);

	if (m->opens_counted) {
		family(&o, "forkwatch_opens_failed_total", "counter",
		       "File opens that returned an error.");
		sample(&o, "forkwatch_opens_failed_total", NULL, st[FW_STAT_OPENS_FAILED]);
	}

	family(&o, "forkwatch_alerts_total", "counter",
	       "Verdicts reported, by the rule that named the root (limit: --limit kills).");
	for (i = 1; i < FW_RULES; i++)
		put(&o, "forkwatch_alerts_total{kind=\"%s\"} %llu\n", fw_rule_name(i),
		    (unsigned long long)st[FW_STAT_ALERTS + i]);
	if (m->unit_labels && m->alerts_by_unit) {
		uint32_t n = __atomic_load_n(&m->unit_labels->n, __ATOMIC_ACQUIRE), u;
		char label[FW_CTX_UNIT_LEN * 2];

		family(&o, "forkwatch_alerts_by_unit_total", "counter",
		       "Alerts reported, by rule and the systemd unit of the root (container:RUNTIME "
		       "for a container, none outside a unit; the first 16 values, then other).");
		for (i = 1; i < FW_RULES; i++)
			for (u = 0; u <= n; u++) {
				uint64_t v = __atomic_load_n(&m->alerts_by_unit[i][u < n ? u : FW_UNIT_LABELS_MAX],
							     __ATOMIC_RELAXED);

				if (!v)
					continue; /* a series appears with its first alert */
				fw_metrics_escape_label(u < n ? m->unit_labels->names[u] : "other", label,
							sizeof(label));
				put(&o, "forkwatch_alerts_by_unit_total{kind=\"%s\",unit=\"%s\"} %llu\n",
				    fw_rule_name(i), label, (unsigned long long)v);
			}
	}
	family(&o, "forkwatch_creations_failed_total", "counter",
	       "Process creations that failed (no task made: pids.max, RLIMIT_NPROC, pid_max).");
	sample(&o, "forkwatch_creations_failed_total", NULL, st[FW_STAT_FAILED]);
	family(&o, "forkwatch_alerts_suppressed_total", "counter",
	       "Alerts held back by the one-per-window rate limit.");
	sample(&o, "forkwatch_alerts_suppressed_total", NULL, st[FW_STAT_SUPPRESSED]);

	family(&o, "forkwatch_events_total", "counter",
	       "Event records sent to user space (--events, --opens), after the filters.");
	sample(&o, "forkwatch_events_total", "type=\"process\"", st[FW_STAT_EV_PROCESS]);
	sample(&o, "forkwatch_events_total", "type=\"thread\"", st[FW_STAT_EV_THREAD]);
	sample(&o, "forkwatch_events_total", "type=\"open\"", st[FW_STAT_EV_OPEN]);

	family(&o, "forkwatch_lost_samples_total", "counter",
	       "Records the ring or perf buffer had no room for, counted by the probe.");
	sample(&o, "forkwatch_lost_samples_total", "buffer=\"events\"", st[FW_STAT_EV_LOST]);
	sample(&o, "forkwatch_lost_samples_total", "buffer=\"alerts\"", st[FW_STAT_ALERTS_LOST]);
	family(&o, "forkwatch_lost_samples_read_total", "counter",
	       "Lost records as the perf readers reported them (should match the probe's count).");
	sample(&o, "forkwatch_lost_samples_read_total", "buffer=\"events\"", m->lost_events_read);
	sample(&o, "forkwatch_lost_samples_read_total", "buffer=\"alerts\"", m->lost_alerts_read);

	if (m->containment) {
		family(&o, "forkwatch_kills_total", "counter",
		       "SIGKILLs the probe sent (with --dry-run: that were due), by reason.");
		for (i = 0; i < FW_KILL_REASONS; i++)
			if (i != FW_RULE_RATE)
				put(&o, "forkwatch_kills_total{reason=\"%s\"} %llu\n",
				    fw_kill_reason_name(i), (unsigned long long)st[FW_STAT_KILLS + i]);
		family(&o, "forkwatch_sweep_kills_total", "counter",
		       "Members of doomed lineages that user space stopped and killed (with --dry-run: "
		       "found).");
		sample(&o, "forkwatch_sweep_kills_total", NULL, m->sweep_kills);
		family(&o, "forkwatch_lineages_doomed_total", "counter",
		       "Lineages the probe doomed: roots named by a rule under --kill.");
		sample(&o, "forkwatch_lineages_doomed_total", NULL, st[FW_STAT_DOOMED]);
		family(&o, "forkwatch_kills_spared_total", "counter",
		       "Kills that were due but not done, by the exemption that covered the process.");
		for (i = 1; i < FW_SPARED_CAUSES; i++)
			put(&o, "forkwatch_kills_spared_total{cause=\"%s\"} %llu\n", fw_spared_name(i),
			    (unsigned long long)st[FW_STAT_SPARED + i]);
		family(&o, "forkwatch_kills_failed_total", "counter",
		       "Kills the kernel refused (bpf_send_signal failed).");
		sample(&o, "forkwatch_kills_failed_total", NULL, st[FW_STAT_KILLS_FAILED]);
	}

	family(&o, "forkwatch_untracked_processes_total", "counter",
	       "Processes not tracked because the record store was full (see --records).");
	sample(&o, "forkwatch_untracked_processes_total", NULL, st[FW_STAT_UNTRACKED]);

	family(&o, "forkwatch_records_evicted_total", "counter",
	       "Process records dropped to make room in a full record store (old processes "
	       "that never created, dead ones nothing ranks through).");
	sample(&o, "forkwatch_records_evicted_total", NULL, st[FW_STAT_EVICTED]);

	family(&o, "forkwatch_tracked_processes", "gauge",
	       "Process records the probe holds (live processes, and exited ones whose lines "
	       "still rank).");
	sample(&o, "forkwatch_tracked_processes", NULL, m->tracked_processes);

	fw_metrics_escape_label(m->mode, mode, sizeof(mode));
	fw_metrics_escape_label(m->probes, probes, sizeof(probes));
	fw_metrics_escape_label(m->version, version, sizeof(version));
	family(&o, "forkwatch_info", "gauge",
	       "Always 1: the version, probe mode, entry probes and containment (off, kill, dry-run "
	       "or limits).");
	put(&o, "forkwatch_info{version=\"%s\",mode=\"%s\",probes=\"%s\",containment=\"%s\"} 1\n",
	    version, mode, probes, m->containment ? m->containment : "off");
	family(&o, "forkwatch_start_time_seconds", "gauge",
	       "Unix time at which the probes were attached.");
	put(&o, "forkwatch_start_time_seconds %.3f\n", m->start_time);

	return o.overflow ? -1 : (int)o.used;
}

bool fw_metrics_wanted(const char *method, const char *url)
{
	return (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
	       strcmp(url, "/metrics") == 0;
}

void fw_metrics_answer(const char *method, const char *url, fw_metrics_fill_fn fill,
		       void *cookie, char *buf, size_t len, struct fw_http_answer *a)
{
	static const char not_found[] = "not found: try GET /metrics\n";
	static const char broken[] = "cannot read the counters\n";
	struct fw_metrics m;
	int n;

	if (!fw_metrics_wanted(method, url)) {
		*a = (struct fw_http_answer){ 404, "text/plain; charset=utf-8", not_found,
					      sizeof(not_found) - 1 };
		return;
	}
	memset(&m, 0, sizeof(m));
	if (!buf || fill(cookie, &m) < 0 || (n = fw_metrics_render(&m, buf, len)) < 0) {
		*a = (struct fw_http_answer){ 500, "text/plain; charset=utf-8", broken,
					      sizeof(broken) - 1 };
		return;
	}
	*a = (struct fw_http_answer){ 200, "text/plain; version=0.0.4; charset=utf-8", buf,
				      (size_t)n };
}

int fw_metrics_write_file(const char *path, const struct fw_metrics *m)
{
	char tmp[4096], *buf;
	size_t cap = 65536;
	int n, fd, saved;
	FILE *f;

	buf = malloc(cap);
	if (!buf)
		return -1;
	n = fw_metrics_render(m, buf, cap);
	if (n < 0 || snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		free(buf);
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		free(buf);
		errno = saved;
		return -1;
	}
	/* fclose always runs; any failure leaves the old file in place. */
	saved = fwrite(buf, 1, (size_t)n, f) != (size_t)n ? (errno ? errno : EIO) : 0;
	if (fclose(f) != 0 && !saved)
		saved = errno;
	if (!saved && rename(tmp, path) < 0)
		saved = errno;
	if (saved) {
		unlink(tmp);
		free(buf);
		errno = saved;
		return -1;
	}
	free(buf);
	return 0;
}
