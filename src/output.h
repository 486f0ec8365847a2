/* SPDX-License-Identifier: GPL-2.0 */
/* Turning an alert into a console line, a metrics.log line and JSON. Pure. */
#ifndef FW_OUTPUT_H
#define FW_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "forkwatch_logic.h"

/* An alert with what user space worked out about it. */
struct fw_report {
	const struct fw_alert *alert;
	double wall;               /* Unix time of the alert */
	const char *hostname;
	uint32_t ppid;             /* resolved parent of alert->tgid (0: unknown) */
	uint32_t root;             /* root of the burst (thread alerts: the process) */
	const char *root_comm;
	uint32_t root_depth;       /* below the tree root */
	const char *tree_comm;     /* command of alert->root (the tree root) */
	uint64_t window_ns;
};

const char *fw_alert_kind_name(uint32_t kind);

/* One console line, no newline. */
void fw_format_text(const struct fw_report *r, char *buf, size_t len);

/* The header of metrics.log and one line of it (no newline). The first five
 * columns are the original tool's: timestamp, pid, tgid, hostname, number of
 * subprocesses. */
const char *fw_csv_header(void);
void fw_format_csv(const struct fw_report *r, char *buf, size_t len);

/* A JSON object (caller decrefs). */
json_t *fw_report_json(const struct fw_report *r);

/* RFC 3339 UTC with milliseconds: 2026-11-22T10:15:02.123Z */
void fw_format_rfc3339(double wall, char *buf, size_t len);

/* Copies a command name, replacing anything unprintable (and, for CSV, commas). */
void fw_clean_comm(const char *comm, size_t n, int for_csv, char *out, size_t len);

#endif
