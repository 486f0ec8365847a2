/* SPDX-License-Identifier: GPL-2.0 */
/* One run of the tool: what main's stages, the alert and event handlers and
 * the metrics callback share. */
#ifndef FW_SESSION_H
#define FW_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "context.h"
#include "lineage.h"
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
	char caps_kept[160];  /* after the privilege drop: "cap_bpf, cap_perfmon" (sandbox.h) */
	const char *cap_names[8]; /* the same, one name each (static strings) */
	size_t n_caps;
	int seccomp_syscalls; /* syscalls the allow-list lets through */
	char record_bits_flag[32]; /* -DFW_PROC_SLOT_BITS=N, for the compile */
	char alert_pages_flag[32]; /* -DFW_ALERT_PAGES=N and ... */
	char event_pages_flag[32]; /* ... -DFW_EVENT_PAGES=N, with ring buffers */
	bool ringbuf;              /* records go out through ring buffers, not perf buffers */
	bool use_kprobes;
	bool opens_attached;  /* open probes counting (for --opens or metrics) */
	bool opens_kprobes;   /* ... through the kprobe pair, not tracepoints */
	char probes[1024];    /* entry probes attached, comma-separated */
	char returns[64];     /* how creation returns are seen: kretprobes, syscall exits, or "" */
	int return_probes;    /* ... how many attached */
	/* The syscall exit tracepoints, when they serve as the returns: all the
	 * time with --syscalls, else on demand (struct fw_state). */
	char return_fn[64];        /* their one program */
	char return_events[4][24]; /* sys_exit_clone, ... that exist */
	int n_return_events;
	bool returns_on_demand;
	bool returns_attached;
	bool returns_note;         /* the probe asked (FW_NOTE_RETURNS) this round */
	int state_fd;
	int process_count_fd;
	int candidates_fd;
	uint64_t returns_attaches;    /* times attached on demand */
	uint64_t returns_since;       /* CLOCK_MONOTONIC ns attached, while attached */
	uint64_t returns_ns;          /* ns attached in all, before the current attach */
	uint64_t candidate_near_ns;   /* when a candidate was last found near a limit */
	uint64_t candidate_checked_ns;
	char candidate_why[256];        /* what it was near */
	int procs_fd, stats_fd, follow_fd;
	uint64_t alerts;      /* alerts printed */
	uint64_t events;      /* event records printed */
	uint64_t lost_alerts; /* as the perf readers reported them */
	uint64_t lost_events;
	uint64_t lost_events_reported;
	uint64_t untracked_reported;
	struct fw_member *members; /* scratch: the records, read for a lineage */
	struct fw_context_candidate *context_candidates; /* scratch: whose context to read */

	/* Containment. */
	int marks_fd;
	int doom_count_fd;           /* [FW_DOOMS_LIFTED] user space alone writes */
	uint64_t dooms_lifted;
	struct fw_cgroup_allow cgroups[FW_MAX_CGROUPS];
	uint32_t protected_pids[64]; /* the tool and its ancestors */
	size_t n_protected;
	uint64_t killed_sweep;       /* members the sweeps killed */
	/* Verdicts reported this poll round, contained after it: each with
	 * who it is and its lineage's size, read at its alert (the kill
	 * line's context and subprocesses are its alert's). */
	struct fw_pending_kill {
		struct fw_alert alert;
		struct fw_context ctx;
		uint32_t members;
	} pending_kills[64];
	size_t n_pending_kills;
	uint64_t dropped_kills;      /* reports past that, left to the probe */
	uint64_t kill_episodes;

	/* Alerts by rule and unit label (context.h: bounded), for Prometheus;
	 * written here, read by the metrics thread. */
	struct fw_unit_labels unit_labels;
	uint64_t alerts_by_unit[FW_RULES][FW_UNIT_LABELS_MAX + 1];

	/* Files reopened on SIGHUP (logrotate). */
	bool syslog_open;     /* --syslog: openlog done */
};

/* Slots of the probe's record store (--records). */
static inline uint32_t fw_record_slots(const struct fw_session *s)
{
	return 1u << s->opt.record_bits;
}

/* Reads every record of the procs map into s->members. Returns how many,
 * or -1. */
long fw_read_members(struct fw_session *s);

/* The record of tgid, from the probe's store. 0, or -1
 * when it has none. */
int fw_record_get(const struct fw_session *s, uint32_t tgid, struct fw_proc *rec);

/* Live processes of root's lineage as a doom covers it (fw_lineage_select),
 * from the records now. */
uint32_t fw_lineage_count(struct fw_session *s, uint32_t root, uint64_t since_ns, int whole);

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
