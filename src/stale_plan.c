// SPDX-License-Identifier: GPL-2.0
/* Recognising what a dead instance left: pure parsing. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stale.h"

/* A decimal pid, 1 to INT_MAX, the whole of [s, end). */
static int parse_pid(const char *s, const char *end)
{
	long v = 0;

	if (s >= end || end - s > 10 || *s == '0')
		return -1;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v > 0 && v <= INT_MAX ? (int)v : -1;
}

int fw_stale_kprobe_line(const char *line, char *event, size_t len, int *pid)
{
	static const char group[] = "kprobes/";
	const char *p = line, *name, *end, *tag = NULL, *q;
	int found;

	if (*p != 'p' && *p != 'r')
		return -1;
	p++;
	while (isdigit((unsigned char)*p)) /* r16: maxactive */
		p++;
	if (*p++ != ':' || strncmp(p, group, sizeof(group) - 1) != 0)
		return -1;
	name = p + sizeof(group) - 1;
	end = name;
	while (*end && !isspace((unsigned char)*end))
		end++;
	/* The last "_bcc_" in the name; the pid runs to its end. */
	for (q = name; q + 5 <= end; q++)
		if (strncmp(q, "_bcc_", 5) == 0)
			tag = q;
	if (!tag || tag == name)
		return -1;
	found = parse_pid(tag + 5, end);
	if (found < 0 || (size_t)(end - p) >= len)
		return -1;
	memcpy(event, p, (size_t)(end - p));
	event[end - p] = '\0';
	*pid = found;
	return 0;
}

int fw_stale_tmp_pid(const char *name, const char *base, bool prefix)
{
	size_t n = strlen(base);
	const char *tmp = strstr(name, ".tmp."), *next;

	if (n == 0 || strncmp(name, base, n) != 0 || !tmp)
		return -1;
	while ((next = strstr(tmp + 1, ".tmp.")))
		tmp = next;
	if (prefix ? (size_t)(tmp - name) <= n : (size_t)(tmp - name) != n)
		return -1;
	return parse_pid(tmp + 5, name + strlen(name));
}

void fw_stale_describe(const struct fw_stale_report *r, char *out, size_t len)
{
	char parts[4][64];
	size_t n = 0, k = 0, i;

	out[0] = '\0';
	if (!r->npids || len == 0)
		return;
	if (r->removed)
		snprintf(parts[k++], sizeof(parts[0]), "%u kprobe event%s removed", r->removed,
			 r->removed == 1 ? "" : "s");
	if (r->busy)
		snprintf(parts[k++], sizeof(parts[0]), "%u kprobe event%s still attached, left", r->busy,
			 r->busy == 1 ? "" : "s");
	if (r->failed)
		snprintf(parts[k++], sizeof(parts[0]), "%u kprobe event%s not removable", r->failed,
			 r->failed == 1 ? "" : "s");
	if (r->files)
		snprintf(parts[k++], sizeof(parts[0]), "%u temporary file%s removed", r->files,
			 r->files == 1 ? "" : "s");
	n = (size_t)snprintf(out, len, "left by pid");
	for (i = 0; i < r->npids && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s %d", i ? "," : "", r->pids[i]);
	if (n < len)
		n += (size_t)snprintf(out + n, len - n, " (no longer running):");
	for (i = 0; i < k && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s %s", i ? "," : "", parts[i]);
}
