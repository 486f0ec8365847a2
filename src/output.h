/* SPDX-License-Identifier: GPL-2.0 */
/* Turning an alert into a console line, a metrics.log line and JSON. Pure. */
#ifndef FW_OUTPUT_H
#define FW_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "context.h"
#include "forkwatch_logic.h"

/* A verdict with what user space worked out about it: an ALERT line, or
 * (is_kill) the KILLED line of its containment. */
struct fw_report {
	const struct fw_alert *alert;
	double wall;               /* Unix time of the verdict */
	const char *hostname;
	uint32_t ppid;             /* resolved parent of alert->tgid (0: unknown) */
	const char *root_comm;     /* the named root's command */
	uint32_t members;          /* live processes of the root's lineage, when reported */
	uint64_t window_ns;

	int is_kill;               /* the containment's line */
	int dry_run;               /* nothing was killed: killed_* are what would be */
	uint32_t killed_kernel;    /* SIGKILLs the probe sent for the doom */
	uint32_t killed_sweep;     /* members the sweep stopped and killed */
	double took_ms;            /* from the verdict to the last member found */

	const struct fw_context *ctx; /* who it is (context.h); NULL: not read */
};

/* Records from the perf buffers, as they come (data, size): each is
 * checked before it is read (whole, and of a kind this build knows), then
 * copied out, so that a short or garbled record is dropped, never read past
 * its size. The callbacks (alerts.c, events.c) act on what these return. */
enum fw_alert_record {
	FW_ALERT_REJECTED,      /* too short, or a kind or action this build does not know */
	FW_ALERT_VERDICT,       /* *a: a verdict to report */
	FW_ALERT_NOTE_RETURNS,  /* the probe asks for the creation returns (FW_NOTE_RETURNS) */
};
enum fw_alert_record fw_decode_alert(const void *data, int size, struct fw_alert *a);

union fw_event_record {
	struct fw_task_event task; /* FW_EVENT_PROCESS, FW_EVENT_THREAD */
	struct fw_open_event open; /* FW_EVENT_OPEN */
};
/* The record's type (FW_EVENT_*), its record copied into *e; 0 when it is
 * too short for its type or of no type this build knows. */
uint32_t fw_decode_event(const void *data, int size, union fw_event_record *e);

/* enum fw_rule as a label: "replicator", "chain", ... */
const char *fw_rule_name(uint32_t rule);
/* A kill reason (FW_STAT_KILLS + reason): a rule, or "lineage". */
const char *fw_kill_reason_name(uint32_t reason);
/* enum fw_action: "report", "kill", "dry-run", "spared". */
const char *fw_action_name(uint32_t action);
/* enum fw_spared as a label: "protected", "allow_comm", ...; "" for none. */
const char *fw_spared_name(uint32_t cause);

/* Why the rule fired, in words (the same text in every output). */
void fw_format_why(const struct fw_alert *a, uint64_t window_ns, char *buf, size_t len);
/* The original tool's "number of subprocesses" for a verdict: the live
 * members of a replicator's or chain's lineage, a spawner's live children,
 * else the figure that crossed the threshold. */
uint32_t fw_report_subprocesses(const struct fw_report *r);

/* One console line, no newline. */
void fw_format_text(const struct fw_report *r, char *buf, size_t len);

/* The header of metrics.log and one line of it (no newline). The first five
 * columns are the original tool's: timestamp, pid, tgid, hostname, number of
 * subprocesses. */
const char *fw_csv_header(void);
void fw_format_csv(const struct fw_report *r, char *buf, size_t len);

/* A JSON object (caller decrefs). */
json_t *fw_report_json(const struct fw_report *r);

/* The context as key=value fields (logfmt: a value with a space, a quote
 * or an equals sign is double-quoted, its quotes as \"), in a fixed order:
 * cgroup unit slice container runtime ns_level ns_pid user user_id cmdline
 * cmdline_truncated context context_pid. A field with no value is left
 * out. "" for a NULL context. */
void fw_format_context_kv(const struct fw_context *c, char *buf, size_t len);

/* The message syslog(3) gets for an alert or a kill (without the "ident[pid]: "
 * syslog puts before it): event= first, then the alert's fields, why=, and
 * the context's (fw_format_context_kv). See README, "Syslog". */
void fw_format_syslog(const struct fw_report *r, char *buf, size_t len);

/* RFC 3339 UTC with milliseconds: 2026-11-22T10:15:02.123Z */
void fw_format_rfc3339(double wall, char *buf, size_t len);

/* Copies a command name, replacing anything unprintable (and, for CSV, commas). */
void fw_clean_comm(const char *comm, size_t n, int for_csv, char *out, size_t len);

/* Event lines (--events, --opens): one layout for every kind, so a stream
 * mixing them stays in columns. The path comes last. */
const char *fw_events_header(void);
/* ppid: the parent, resolved by the caller when the probe sent 0. */
void fw_format_task_event(const struct fw_task_event *e, double wall, uint32_t ppid, char *buf,
			  size_t len);
void fw_format_open_event(const struct fw_open_event *e, double wall, char *buf, size_t len);
json_t *fw_task_event_json(const struct fw_task_event *e, double wall, uint32_t ppid);
json_t *fw_open_event_json(const struct fw_open_event *e, double wall);

/* O_RDONLY|O_CREAT|O_CLOEXEC, with any unknown bits as a hex remainder. */
void fw_format_open_flags(uint64_t flags, char *buf, size_t len);
const char *fw_open_call_name(uint32_t call);
/* A path made safe for one text line: control bytes and backslashes become
 * \xNN; everything else is kept. n bounds the input. */
void fw_escape_path(const char *path, size_t n, char *out, size_t len);
/* The same, and with ascii_only bytes from 0x80 up too (for JSON, when the
 * path is not UTF-8). */
void fw_escape_bytes(const char *path, size_t n, int ascii_only, char *out, size_t len);

#endif
