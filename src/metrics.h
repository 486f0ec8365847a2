/* SPDX-License-Identifier: GPL-2.0 */
/* Prometheus metrics: the text exposition format from a snapshot of the
 * kernel's counters (pure), and the ways it is served. */
#ifndef FW_METRICS_H
#define FW_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "forkwatch_logic.h"

struct fw_metrics {
	uint64_t stats[FW_STAT_COUNT]; /* the probe's per-CPU counters, summed */
	uint64_t tracked_processes;    /* records in the procs map */
	uint64_t lost_alerts_read;     /* samples the perf readers reported lost */
	uint64_t lost_events_read;
	double start_time;             /* Unix time the probes were attached */
	const char *version;
	const char *mode;              /* "kprobe" or "tracepoint" */
	const char *probes;            /* the entry probes attached, comma-separated */
	int opens_counted;             /* open probes attached: sys_openat_calls_total is real */
	int calls_counted;             /* entry probes attached: calls by syscall are real */
	const char *containment;       /* NULL (off), "kill", "dry-run" or "limits" */
	uint64_t sweep_kills;          /* members user space's sweeps killed (dry run: listed) */
	/* Alerts user space reported, by rule and unit label (NULL: none
	 * rendered); labels->n slots, then "other". */
	const struct fw_unit_labels *unit_labels;
	const uint64_t (*alerts_by_unit)[FW_UNIT_LABELS_MAX + 1];
};

/* Renders m into buf (NUL-terminated). Returns the length, or -1 when buf
 * is too small. */
int fw_metrics_render(const struct fw_metrics *m, char *buf, size_t len);

/* Label values need \\, \" and \n escaped. */
void fw_metrics_escape_label(const char *in, char *out, size_t len);

/* Fills a snapshot at scrape time; called from the HTTP thread. */
typedef int (*fw_metrics_fill_fn)(void *cookie, struct fw_metrics *m);

/* What the HTTP endpoint answers one request with (metrics_http.c hands
 * libmicrohttpd's method and URL here and replies as told): GET or HEAD of
 * /metrics gets the snapshot fill takes, rendered into buf (len bytes; NULL
 * when it could not be had); anything else gets 404, and a snapshot that
 * cannot be taken or rendered 500. Pure but for fill. */
struct fw_http_answer {
	unsigned status;          /* 200, 404 or 500 */
	const char *content_type;
	const char *body;         /* buf, or a static text */
	size_t len;
};
/* Does the request get the metrics (and so a body buffer)? */
bool fw_metrics_wanted(const char *method, const char *url);
void fw_metrics_answer(const char *method, const char *url, fw_metrics_fill_fn fill,
		       void *cookie, char *buf, size_t len, struct fw_http_answer *a);

struct fw_metrics_server;

/* Serves GET /metrics on host:port (any other request: 404). Returns NULL
 * with a one-line reason in err. */
struct fw_metrics_server *fw_metrics_serve(const char *host, uint16_t port,
					   fw_metrics_fill_fn fill, void *cookie, char *err,
					   size_t errlen);
/* Stop serving and serve again on the same listening socket: the new
 * libmicrohttpd thread is made by the caller's thread now, so it has that
 * thread's (dropped) capabilities. 0, or -1 with err (no server then). */
int fw_metrics_restart(struct fw_metrics_server *s, char *err, size_t errlen);
void fw_metrics_stop(struct fw_metrics_server *s);

/* Writes the metrics to path atomically (a temporary file beside it, then
 * rename). Returns 0, or -1 with errno set. */
int fw_metrics_write_file(const char *path, const struct fw_metrics *m);

#endif
