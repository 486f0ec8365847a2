// SPDX-License-Identifier: GPL-2.0
/* Event records (--events, --opens): one line each on stdout. Output is
 * block-buffered and flushed after every poll, so a storm costs one write
 * per batch, not one per line. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bcc/libbpf.h>
#include <jansson.h>

#include "output.h"
#include "session.h"

void fw_on_event(void *cookie, void *data, int size)
{
	struct fw_session *s = cookie;
	union fw_event_record r;
	char line[2048];
	uint32_t type = fw_decode_event(data, size, &r);
	double wall;

	if (type == FW_EVENT_OPEN) {
		const struct fw_open_event *e = &r.open;

		wall = s->wall_offset + (double)e->ts_ns / 1e9;
		if (s->opt.json) {
			fw_print_json(fw_open_event_json(e, wall));
		} else {
			fw_format_open_event(e, wall, line, sizeof(line));
			fputs(line, stdout);
			fputc('\n', stdout);
		}
	} else if (type == FW_EVENT_PROCESS || type == FW_EVENT_THREAD) {
		const struct fw_task_event *e = &r.task;
		uint32_t ppid;

		wall = s->wall_offset + (double)e->ts_ns / 1e9;
		/* The probe knows the parent of what it tracks; for a thread of a
		 * process older than the tool, /proc does. */
		ppid = e->ppid ? e->ppid : fw_proc_ppid(e->pid);
		if (s->opt.json) {
			fw_print_json(fw_task_event_json(e, wall, ppid));
		} else {
			fw_format_task_event(e, wall, ppid, line, sizeof(line));
			fputs(line, stdout);
			fputc('\n', stdout);
		}
	} else {
		return; /* short, or of no type this build knows */
	}
	s->events++;
}

void fw_on_event_lost(void *cookie, uint64_t lost)
{
	struct fw_session *s = cookie;

	/* Reported once per poll round by the main loop, not per batch. */
	__atomic_add_fetch(&s->lost_events, lost, __ATOMIC_RELAXED);
}

/* Live processes and their parents, from /proc. */
static size_t list_processes(uint32_t **pids, uint32_t **ppids)
{
	size_t n = 0, cap = 1024;
	struct dirent *d;
	DIR *dir = opendir("/proc");

	*pids = malloc(cap * sizeof(**pids));
	*ppids = malloc(cap * sizeof(**ppids));
	if (!dir || !*pids || !*ppids) {
		if (dir)
			closedir(dir);
		return 0;
	}
	while ((d = readdir(dir)) != NULL) {
		char *end;
		unsigned long pid = strtoul(d->d_name, &end, 10);

		if (*end || pid == 0)
			continue;
		if (n == cap) {
			uint32_t *a = realloc(*pids, 2 * cap * sizeof(**pids));
			uint32_t *b = a ? realloc(*ppids, 2 * cap * sizeof(**ppids)) : NULL;

			if (a)
				*pids = a;
			if (!b)
				break;
			*ppids = b;
			cap *= 2;
		}
		(*pids)[n] = (uint32_t)pid;
		(*ppids)[n++] = fw_proc_ppid((uint32_t)pid);
	}
	closedir(dir);
	return n;
}

struct proc_pair {
	uint32_t pid, ppid;
};

static int by_pid(const void *a, const void *b)
{
	uint32_t x = ((const struct proc_pair *)a)->pid, y = ((const struct proc_pair *)b)->pid;

	return x < y ? -1 : x > y;
}

/* 1 when p descends from (or is) root; state[] memoizes 0 unknown, 1 yes, 2 no. */
static int descends(const struct proc_pair *procs, size_t n, uint8_t *state, size_t i,
		    uint32_t root)
{
	size_t chain[64], depth = 0, k;
	int verdict = 2;

	while (depth < 64) {
		struct proc_pair key = { .pid = procs[i].ppid };
		const struct proc_pair *parent;

		if (state[i]) {
			verdict = state[i];
			break;
		}
		chain[depth++] = i;
		if (procs[i].pid == root) {
			verdict = 1;
			break;
		}
		parent = bsearch(&key, procs, n, sizeof(*procs), by_pid);
		if (!parent || procs[i].ppid == 0)
			break;
		i = (size_t)(parent - procs);
	}
	for (k = 0; k < depth; k++)
		state[chain[k]] = (uint8_t)verdict;
	return verdict == 1;
}

int fw_follow_seed(struct fw_session *s, uint32_t pid)
{
	uint32_t *pids = NULL, *ppids = NULL;
	struct proc_pair *procs;
	uint8_t one = 1, *state;
	size_t n, i;
	int added = 0, found = 0;

	n = list_processes(&pids, &ppids);
	procs = calloc(n ? n : 1, sizeof(*procs));
	state = calloc(n ? n : 1, 1);
	for (i = 0; i < n && procs; i++) {
		procs[i].pid = pids[i];
		procs[i].ppid = ppids[i];
		found |= pids[i] == pid;
	}
	if (procs && state && found) {
		qsort(procs, n, sizeof(*procs), by_pid);
		for (i = 0; i < n; i++)
			if (descends(procs, n, state, i, pid) &&
			    bpf_update_elem(s->follow_fd, &procs[i].pid, &one, 0) == 0)
				added++;
	}
	free(state);
	free(procs);
	free(pids);
	free(ppids);
	return found ? added : -1;
}
