/* SPDX-License-Identifier: GPL-2.0 */
/* tracefs: where it is, what tracepoints and fields the running kernel has. */
#ifndef FW_TRACEFS_H
#define FW_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>

/* The tracefs directory BCC will read format files from (it prefers
 * /sys/kernel/debug/tracing). When none is mounted, mounts tracefs on
 * /sys/kernel/tracing and sets *mounted. Returns 0 or -1 (errno set). */
int fw_tracefs_open(char *dir, size_t len, bool *mounted);

bool fw_tracepoint_exists(const char *tracefs, const char *category, const char *event);

/* Does the tracepoint's format declare the field? -1 if unreadable. */
int fw_tracepoint_has_field(const char *tracefs, const char *category, const char *event,
			    const char *field);

/* Pure: does a tracefs format text declare field? */
bool fw_format_has_field(const char *format, const char *field);

/* Does the format declare exactly decl ("char comm[16]": type, name and
 * size)? -1 if unreadable. The probe reads such a field as that type. */
int fw_tracepoint_has_decl(const char *tracefs, const char *category, const char *event,
			   const char *decl);

/* Pure: the same, on a format text. */
bool fw_format_has_decl(const char *format, const char *decl);

/* Can this kernel attach kprobes at all (kprobe PMU or kprobe_events)? */
bool fw_kprobes_supported(const char *tracefs);

#endif
