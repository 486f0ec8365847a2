/* SPDX-License-Identifier: GPL-2.0 */
/* One run of the tool: what main's stages, the alert and event handlers and
 * the metrics callback share. */
#ifndef FW_SESSION_H
#define FW_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "burst.h"
#include "contain.h"
#include "loader.h"
#include "options.h"

#define FW_PROG "bcc-forkwatch"

struct fw_session {
	struct fw_options opt;
	struct fw_bpf bpf;
	FILE *log;            /* metrics.log, or NULL */
	FILE *alert_out;      /* stdout; stderr when text events own stdout */
	char hostname[256];
	double wall_offset;   /* wall clock minus CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	double started;       /* wall time the probes were attached */
	bool use_kprobes;
	bool opens_attached;  /* open probes counting (for --opens or metrics) */
	bool opens_kprobes;   /* ... through the kprobe pair, not tracepoints */
	char probes[1024];    /* entry probes attached, comma-separated */
	int procs_fd, trees_fd, stats_fd, follow_fd;
	uint64_t alerts;      /* alerts printed */
	uint64_t events;      /* event records printed */
	uint64_t lost_alerts; /* as the perf readers reported them */
	uint64_t lost_events;
	uint64_t lost_events_reported;
	struct fw_member *members; /* scratch for naming burst roots */

	/* Containment. */
	int marks_fd;
	int child_kill_probes;       /* sys_exit_clone* tracepoints attached */
	struct fw_cgroup_allow cgroups[FW_MAX_CGROUPS];
	uint32_t protected_pids[64]; /* the tool and its ancestors */
	size_t n_protected;
	uint64_t killed_sweep;       /* members the sweeps killed */
	struct fw_alert pending_kills[64]; /* reported this poll round, swept after it */
	size_t n_pending_kills;
	uint64_t dropped_kills;      /* reports past that, left to the probe */
	uint64_t kill_episodes;
};

/* Reads the tracked members of a tree into s->members; fills *tree. Returns
 * how many, or -1 when the tree is gone. */
long fw_read_members(struct fw_session *s, uint32_t tree_root, struct fw_tree *tree);

/* Names the root of the current burst of a tree (see fw_burst_root), with a
 * command name for it even when it is gone. */
uint32_t fw_name_burst_root(struct fw_session *s, uint32_t tree_root, uint32_t *depth, char *comm,
			    size_t commlen);

/* The command of root, at depth below tree_root: its own, else (it is gone,
 * as a bash bomb's root is at once) the one a descendant was created with.
 * Empty when neither is known. */
void fw_lineage_comm(struct fw_session *s, uint32_t tree_root, uint32_t root, uint32_t depth,
		     char *comm, size_t commlen);

void fw_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads a small file (at most len - 1 bytes) as a string; -1 on failure. */

/* One JSON line on stdout; takes the reference, does nothing with NULL. */
void fw_print_json(json_t *j);

/* /proc readers for what the probe cannot know. */
void fw_proc_comm(uint32_t pid, char *out, size_t len);
uint32_t fw_proc_ppid(uint32_t pid);

/* Handles the kill reports queued by fw_on_alert in this poll round:
 * after the round, so that alerts read in the same round are named while
 * the burst is still alive. */
void fw_run_pending_kills(struct fw_session *s);

/* Perf buffer callbacks (cookie: the session). */
void fw_on_alert(void *cookie, void *data, int size);
void fw_on_alert_lost(void *cookie, uint64_t lost);
void fw_on_event(void *cookie, void *data, int size);
void fw_on_event_lost(void *cookie, uint64_t lost);

/* -p: puts pid and its live descendants into the follow map. Returns how
 * many, or -1 when pid does not exist. */
int fw_follow_seed(struct fw_session *s, uint32_t pid);

#endif
