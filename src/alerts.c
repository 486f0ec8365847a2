// SPDX-License-Identifier: GPL-2.0
/* Alerts from the probe: naming the burst root, then console, JSON and
 * metrics.log. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bcc/libbpf.h>
#include <jansson.h>

#include "output.h"
#include "session.h"
#include "util.h"

#define MAX_MEMBERS 32768

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
	char path[64], buf[1024], *close_paren;
	unsigned ppid;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	if (fw_read_small_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	close_paren = strrchr(buf, ')'); /* comm may hold spaces and parens */
	if (!close_paren || sscanf(close_paren + 1, " %*c %u", &ppid) != 1)
		return 0;
	return ppid;
}

long fw_read_members(struct fw_session *s, uint32_t tree_root, struct fw_tree *tree)
{
	struct fw_proc rec;
	uint32_t key, next;
	size_t n = 0;
	int r;

	if (!s->members)
		s->members = calloc(MAX_MEMBERS, sizeof(*s->members));
	if (!s->members || bpf_lookup_elem(s->trees_fd, &tree_root, tree) < 0)
		return -1;
	r = bpf_get_first_key(s->procs_fd, &key, sizeof(key));
	while (r == 0 && n < MAX_MEMBERS) {
		if (bpf_lookup_elem(s->procs_fd, &key, &rec) == 0 && rec.root == tree_root) {
			s->members[n].tgid = key;
			s->members[n].created_ns = rec.created_ns;
			s->members[n].depth = rec.depth;
			s->members[n].flags = rec.flags;
			s->members[n].ppid = rec.ppid;
			memcpy(s->members[n].top, rec.top, sizeof(rec.top));
			n++;
		}
		r = bpf_get_next_key(s->procs_fd, &key, &next);
		key = next;
	}
	return (long)n;
}

/* The command of a gone root from members already read: the one a
 * descendant was created with, a direct child's when one is alive (deeper
 * ones may have exec'd since). */
static void comm_from_members(struct fw_session *s, size_t n, uint32_t root, uint32_t depth,
			      char *comm, size_t commlen)
{
	struct fw_proc rec;
	size_t i;

	for (i = 0; i < n; i++) {
		struct fw_member *m = &s->members[i];

		if (m->depth > depth && m->top[depth - 1] == root &&
		    bpf_lookup_elem(s->procs_fd, &m->tgid, &rec) == 0) {
			fw_clean_comm(rec.comm, sizeof(rec.comm), 0, comm, commlen);
			if (m->depth == depth + 1)
				break;
		}
	}
}

/* No /proc command, and a root the lineage keeps below the tree root: its
 * members know it. */
static int comm_from_lineage(uint32_t tree_root, uint32_t root, uint32_t depth, const char *comm)
{
	return !comm[0] && root != tree_root && depth >= 1 && depth <= FW_TOP_DEPTH;
}

void fw_lineage_comm(struct fw_session *s, uint32_t tree_root, uint32_t root, uint32_t depth,
		     char *comm, size_t commlen)
{
	struct fw_tree tree;
	long got;

	fw_proc_comm(root, comm, commlen);
	if (!comm_from_lineage(tree_root, root, depth, comm))
		return;
	got = fw_read_members(s, tree_root, &tree);
	if (got > 0)
		comm_from_members(s, (size_t)got, root, depth, comm, commlen);
}

/* Reads the live members of one tree out of the procs map and names the
 * process where the burst fans out. */
uint32_t fw_name_burst_root(struct fw_session *s, uint32_t tree_root, uint32_t *depth, char *comm,
			    size_t commlen)
{
	struct fw_tree tree;
	uint32_t root;
	long got;

	*depth = 0;
	comm[0] = '\0';
	got = fw_read_members(s, tree_root, &tree);
	if (got < 0)
		return tree_root;
	root = fw_burst_root(tree_root, s->members, (size_t)got, tree.burst_start_ns,
			     FW_BURST_SHARE_PCT, depth);
	/* As fw_lineage_comm, from the members just read. */
	fw_proc_comm(root, comm, commlen);
	if (comm_from_lineage(tree_root, root, *depth, comm))
		comm_from_members(s, (size_t)got, root, *depth, comm, commlen);
	return root;
}

static void report(struct fw_session *s, const struct fw_alert *alert)
{
	struct fw_alert a = *alert;
	struct fw_report r = { 0 };
	char root_comm[FW_COMM_LEN + 1] = "", tree_comm[FW_COMM_LEN + 1] = "", line[1024];

	if (a.kind == FW_ALERT_KILL)
		s->kill_episodes++;
	else
		s->alerts++;

	r.alert = &a;
	r.wall = s->wall_offset + (double)a.ts_ns / 1e9;
	r.hostname = s->hostname;
	r.window_ns = s->opt.window_ns;
	r.ppid = a.ppid ? a.ppid : fw_proc_ppid(a.tgid);
	fw_proc_comm(a.root, tree_comm, sizeof(tree_comm));
	if (a.kind == FW_ALERT_KILL) {
		fw_contain_episode(s, &r, root_comm, sizeof(root_comm));
	} else if (a.kind == FW_ALERT_THREADS) {
		r.root = a.tgid;
		fw_clean_comm(a.comm, sizeof(a.comm), 0, root_comm, sizeof(root_comm));
	} else {
		r.root = fw_name_burst_root(s, a.root, &r.root_depth, root_comm, sizeof(root_comm));
	}
	r.root_comm = root_comm[0] ? root_comm : "?";
	r.tree_comm = tree_comm[0] ? tree_comm : "?";

	if (s->opt.json) {
		fw_print_json(fw_report_json(&r));
		fflush(stdout);
	} else {
		fw_format_text(&r, line, sizeof(line));
		fputs(line, s->alert_out);
		fputc('\n', s->alert_out);
		fflush(s->alert_out);
	}
	if (s->log) {
		fw_format_csv(&r, line, sizeof(line));
		fprintf(s->log, "%s\n", line);
		fflush(s->log);
	}
}

void fw_on_alert(void *cookie, void *data, int size)
{
	struct fw_session *s = cookie;
	struct fw_alert a;

	if (size < (int)sizeof(a))
		return;
	memcpy(&a, data, sizeof(a));
	if (a.kind != FW_ALERT_KILL) {
		report(s, &a);
		return;
	}
	if (s->n_pending_kills < sizeof(s->pending_kills) / sizeof(s->pending_kills[0]))
		s->pending_kills[s->n_pending_kills++] = a;
	else if (s->dropped_kills++ == 0)
		fprintf(stderr, FW_PROG ": warning: more than %zu kill reports in one poll round; "
			"the rest are left to the probe (no sweep)\n", s->n_pending_kills);
}

void fw_run_pending_kills(struct fw_session *s)
{
	size_t i;

	for (i = 0; i < s->n_pending_kills; i++)
		report(s, &s->pending_kills[i]);
	s->n_pending_kills = 0;
}

void fw_on_alert_lost(void *cookie, uint64_t lost)
{
	struct fw_session *s = cookie;

	__atomic_add_fetch(&s->lost_alerts, lost, __ATOMIC_RELAXED);
	fprintf(stderr, FW_PROG ": lost %llu alert samples (perf buffer full)\n",
		(unsigned long long)lost);
}
