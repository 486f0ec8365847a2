// SPDX-License-Identifier: GPL-2.0
/* Alerts from the probe: naming the burst root, then console, JSON and
 * metrics.log. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <bcc/libbpf.h>
#include <jansson.h>

#include "output.h"
#include "session.h"
#include "spawn_limits.h"
#include "util.h"

/* Live members tried for the context when the root and the last creator
 * are gone (read_context): one that is gone costs a failed open. */
#define CONTEXT_MEMBERS_TRIED 256

void fw_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, FW_PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void fw_print_json(json_t *j)
{
	if (!j)
		return;
	json_dumpf(j, stdout, JSON_COMPACT);
	json_decref(j);
	fputc('\n', stdout);
}

void fw_proc_comm(uint32_t pid, char *out, size_t len)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	if (fw_read_small_file(path, buf, sizeof(buf)) <= 0) {
		out[0] = '\0';
		return;
	}
	buf[strcspn(buf, "\n")] = '\0';
	fw_clean_comm(buf, sizeof(buf), 0, out, len);
}

uint32_t fw_proc_ppid(uint32_t pid)
{
	char path[64], buf[1024];
	uint32_t ppid;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	if (fw_read_small_file(path, buf, sizeof(buf)) <= 0 || fw_stat_ppid(buf, &ppid) < 0)
		return 0;
	return ppid;
}

#define BATCH 1024

static size_t add_member(struct fw_session *s, size_t n, const struct fw_proc *rec)
{
	if (rec->tgid && n < fw_record_slots(s))
		fw_member_from(&s->members[n++], rec->tgid, rec);
	return n;
}

/* The array of slots: in batches (one syscall per BATCH slots, kernel
 * 5.6+), else slot by slot. Returns how many members, or -1. */
static long read_slots(struct fw_session *s)
{
	size_t n = 0;
	static struct fw_proc recs[BATCH];
	static uint32_t keys[BATCH];
	uint32_t in = 0, out = 0, count, slot;
	bool first = true;
	int r;

	for (;;) {
		count = BATCH;
		r = bpf_lookup_batch(s->procs_fd, first ? NULL : &in, &out, keys, recs, &count);
		if (r < 0 && errno != ENOENT) {
			if (!first)
				return -1;
			break; /* no batches here */
		}
		for (uint32_t i = 0; i < count; i++)
			n = add_member(s, n, &recs[i]);
		if (r < 0)
			return (long)n; /* ENOENT: the last batch */
		in = out;
		first = false;
	}
	for (slot = 0; slot < fw_record_slots(s); slot++)
		if (bpf_lookup_elem(s->procs_fd, &slot, &recs[0]) == 0)
			n = add_member(s, n, &recs[0]);
	return (long)n;
}

long fw_read_members(struct fw_session *s)
{
	if (!s->members)
		s->members = calloc(fw_record_slots(s), sizeof(*s->members)); /* every record fits */
	if (!s->members)
		return -1;
	return read_slots(s);
}

int fw_record_get(const struct fw_session *s, uint32_t tgid, struct fw_proc *rec)
{
	uint32_t c, slot;

	for (c = 0; tgid && c < FW_PROC_CHOICES; c++) {
		slot = fw_proc_slot_in(tgid, c, s->opt.record_bits);
		if (bpf_lookup_elem(s->procs_fd, &slot, rec) == 0 && rec->tgid == tgid)
			return 0;
	}
	return -1;
}

uint32_t fw_lineage_count(struct fw_session *s, uint32_t root, uint64_t since_ns, int whole)
{
	long n = fw_read_members(s);

	return n > 0 ? (uint32_t)fw_lineage_select(s->members, (size_t)n, root, since_ns, whole) : 0;
}

static void emit(struct fw_session *s, const struct fw_report *r)
{
	char line[4096];

	if (s->opt.json) {
		fw_print_json(fw_report_json(r));
		fflush(stdout);
	} else {
		fw_format_text(r, line, sizeof(line));
		fputs(line, s->alert_out);
		fputc('\n', s->alert_out);
		fflush(s->alert_out);
	}
	if (s->log) {
		fw_format_csv(r, line, sizeof(line));
		fprintf(s->log, "%s\n", line);
		fflush(s->log);
	}
	if (s->syslog_open) {
		fw_format_syslog(r, line, sizeof(line));
		syslog(r->is_kill ? LOG_ERR : LOG_WARNING, "%s", line);
	}
}

/* Newest first. */
static int by_birth_desc(const void *x, const void *y)
{
	const struct fw_context_candidate *a = x, *b = y;

	return a->born_by_ns < b->born_by_ns ? 1 : a->born_by_ns > b->born_by_ns ? -1 : 0;
}

/* The context of a's root; when the root is gone, of the member that made
 * the last child, else of the live members fw_lineage_count put at the
 * front of s->members (members of them; 0 when it was not called), newest
 * first, up to CONTEXT_MEMBERS_TRIED of them: a bash bomb's members live
 * for milliseconds each, and under --kill the newest die as they are made
 * while the quiet older ones wait for the sweep, so it takes the first of
 * them that can still be read. When none can (all died between the
 * verdict and this read), the cgroup the probe saw the creator in.
 * FORKWATCH_TEST_CONTEXT_CGROUP (a test hook) goes to that at once. */
static void read_context(struct fw_session *s, const struct fw_alert *a, uint32_t members,
			 struct fw_context *ctx)
{
	struct fw_context_candidate *c;
	size_t n = 0, i;

	if (!s->context_candidates)
		s->context_candidates = calloc(2 + (size_t)fw_record_slots(s), sizeof(*c));
	c = s->context_candidates;
	if (!c || getenv("FORKWATCH_TEST_CONTEXT_CGROUP")) {
		fw_context_read(NULL, 0, ctx); /* none: the context says so */
		fw_context_read_cgroup_id(a->cgroup_id, a->uid, ctx);
		return;
	}
	c[n++] = (struct fw_context_candidate){ a->root, a->ts_ns };
	c[n++] = (struct fw_context_candidate){ a->tgid, a->ts_ns };
	for (i = 0; i < members && i < fw_record_slots(s) && s->members; i++)
		c[n++] = (struct fw_context_candidate){ s->members[i].tgid, s->members[i].created_ns };
	qsort(c + 2, n - 2, sizeof(c[0]), by_birth_desc);
	fw_context_read(c, n < 2 + CONTEXT_MEMBERS_TRIED ? n : 2 + CONTEXT_MEMBERS_TRIED, ctx);
	if (ctx->source == FW_CTX_NONE)
		fw_context_read_cgroup_id(a->cgroup_id, a->uid, ctx);
}

/* Prometheus: this alert under its rule and unit label. */
static void count_by_unit(struct fw_session *s, const struct fw_alert *a,
			  const struct fw_context *ctx)
{
	char label[FW_CTX_UNIT_LEN];
	size_t slot;

	if (a->kind >= FW_RULES)
		return;
	fw_context_unit_label(ctx, label, sizeof(label));
	slot = fw_unit_label_slot(&s->unit_labels, label);
	__atomic_add_fetch(&s->alerts_by_unit[a->kind][slot], 1, __ATOMIC_RELAXED);
}

static void report_init(struct fw_session *s, const struct fw_alert *a, struct fw_report *r,
			char *root_comm, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->alert = a;
	r->wall = s->wall_offset + (double)a->ts_ns / 1e9;
	r->hostname = s->hostname;
	r->window_ns = s->opt.window_ns;
	r->ppid = a->ppid ? a->ppid : fw_proc_ppid(a->tgid);
	fw_clean_comm(a->root_comm, sizeof(a->root_comm), 0, root_comm, len);
	r->root_comm = root_comm;
	r->dry_run = a->action == FW_ACT_DRY_RUN;
}

/* Rules whose containment dooms a lineage (and so needs a sweep). */
static int dooms_lineage(const struct fw_alert *a)
{
	return (a->action == FW_ACT_KILL || a->action == FW_ACT_DRY_RUN) &&
	       (a->kind == FW_RULE_REPLICATOR || a->kind == FW_RULE_CHAIN ||
		a->kind == FW_RULE_SPAWNER);
}

/* A verdict from the probe: its ALERT line now, while the lineage is
 * alive to be counted; its containment after the poll round. A limit or
 * thread kill (one process, with its threads) is its KILLED line alone. */
static void report(struct fw_session *s, const struct fw_alert *a)
{
	static struct fw_context ctx;
	char root_comm[FW_COMM_LEN + 1];
	struct fw_report r;

	report_init(s, a, &r, root_comm, sizeof(root_comm));
	r.ctx = &ctx;
	if (a->kind == FW_RULE_LIMIT || (a->kind == FW_RULE_THREADS && a->action != FW_ACT_REPORT &&
					 a->action != FW_ACT_SPARED)) {
		read_context(s, a, 0, &ctx);
		r.is_kill = 1;
		r.killed_kernel = 1;
		s->kill_episodes++;
		emit(s, &r);
		return;
	}
	if (a->kind == FW_RULE_REPLICATOR || a->kind == FW_RULE_CHAIN)
		r.members = fw_lineage_count(s, a->root, a->doomed_since_ns, a->whole);
	/* Who it is: once per alert, now, while the root (or a member) lives. */
	read_context(s, a, r.members, &ctx);
	s->alerts++;
	count_by_unit(s, a, &ctx);
	emit(s, &r);
	if (!dooms_lineage(a))
		return;
	if (s->n_pending_kills < sizeof(s->pending_kills) / sizeof(s->pending_kills[0])) {
		s->pending_kills[s->n_pending_kills++] =
			(struct fw_pending_kill){ .alert = *a, .ctx = ctx, .members = r.members };
	} else if (s->dropped_kills++ == 0)
		fprintf(stderr, FW_PROG ": warning: more than %zu containments in one poll round; "
			"the rest are left to the probe (no sweep)\n", s->n_pending_kills);
}

void fw_on_alert(void *cookie, void *data, int size)
{
	struct fw_session *s = cookie;
	struct fw_alert a;

	switch (fw_decode_alert(data, size, &a)) {
	case FW_ALERT_NOTE_RETURNS:
		s->returns_note = true; /* run() attaches them after this round */
		return;
	case FW_ALERT_VERDICT:
		report(s, &a);
		return;
	case FW_ALERT_REJECTED:
		return;
	}
}

void fw_run_pending_kills(struct fw_session *s)
{
	char root_comm[FW_COMM_LEN + 1];
	struct fw_report r;
	size_t i;

	for (i = 0; i < s->n_pending_kills; i++) {
		const struct fw_pending_kill *k = &s->pending_kills[i];

		report_init(s, &k->alert, &r, root_comm, sizeof(root_comm));
		r.ctx = &k->ctx;
		r.members = k->members;
		r.is_kill = 1;
		fw_contain_episode(s, &r);
		s->kill_episodes++;
		emit(s, &r);
	}
	s->n_pending_kills = 0;
}

void fw_on_alert_lost(void *cookie, uint64_t lost)
{
	struct fw_session *s = cookie;

	__atomic_add_fetch(&s->lost_alerts, lost, __ATOMIC_RELAXED);
	fprintf(stderr, FW_PROG ": lost %llu alert samples (perf buffer full)\n",
		(unsigned long long)lost);
}
