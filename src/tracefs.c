// SPDX-License-Identifier: GPL-2.0
#include "tracefs.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static bool has_events(const char *dir)
{
	char p[256];
	struct stat st;

	return fw_snprintf(p, sizeof(p), "%s/events", dir) == 0 && stat(p, &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

int fw_tracefs_open(char *dir, size_t len, bool *mounted)
{
	struct stat st;

	*mounted = false;
	/* libbcc 0.26 uses debugfs's tracing dir whenever it exists. */
	if (stat("/sys/kernel/debug/tracing", &st) == 0 && S_ISDIR(st.st_mode)) {
		if (fw_snprintf(dir, len, "/sys/kernel/debug/tracing") < 0)
			return -1;
		if (has_events(dir))
			return 0;
	}
	if (fw_snprintf(dir, len, "/sys/kernel/tracing") < 0)
		return -1;
	if (has_events(dir))
		return 0;
	if (mount("tracefs", dir, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -1;
	*mounted = true;
	return has_events(dir) ? 0 : -1;
}

bool fw_tracepoint_exists(const char *tracefs, const char *category, const char *event)
{
	char p[512];

	return fw_snprintf(p, sizeof(p), "%s/events/%s/%s/format", tracefs, category, event) == 0 &&
	       access(p, R_OK) == 0;
}

bool fw_format_has_field(const char *format, const char *field)
{
	const char *line = format;
	size_t lf = strlen(field);

	/* "\tfield:bool group_dead;\toffset:32;..." : the name is the last word
	 * before ';', possibly followed by [N]. */
	while (line && *line) {
		const char *f = strstr(line, "field:");
		const char *nl = strchr(line, '\n');

		if (f && (!nl || f < nl)) {
			const char *semi = strchr(f, ';');

			if (semi && (!nl || semi < nl)) {
				const char *end = semi;
				const char *bracket = memchr(f, '[', (size_t)(semi - f));

				if (bracket)
					end = bracket;
				const char *start = end;

				while (start > f && (isalnum((unsigned char)start[-1]) || start[-1] == '_'))
					start--;
				if ((size_t)(end - start) == lf && strncmp(start, field, lf) == 0)
					return true;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

bool fw_format_has_decl(const char *format, const char *decl)
{
	const char *line = format;
	size_t ld = strlen(decl);

	/* "\tfield:char comm[16];\toffset:12;...": the declaration whole, from
	 * "field:" to its ';'. */
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		const char *f = strstr(line, "field:");

		if (f && (!nl || f < nl) && strncmp(f + 6, decl, ld) == 0 && f[6 + ld] == ';')
			return true;
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

static int read_format(const char *tracefs, const char *category, const char *event, char *buf,
		       size_t size)
{
	char p[512];
	size_t n;
	FILE *f;

	if (fw_snprintf(p, sizeof(p), "%s/events/%s/%s/format", tracefs, category, event) < 0)
		return -1;
	f = fopen(p, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

int fw_tracepoint_has_decl(const char *tracefs, const char *category, const char *event,
			   const char *decl)
{
	char buf[8192];

	if (read_format(tracefs, category, event, buf, sizeof(buf)) < 0)
		return -1;
	return fw_format_has_decl(buf, decl) ? 1 : 0;
}

int fw_tracepoint_has_field(const char *tracefs, const char *category, const char *event,
			    const char *field)
{
	char buf[8192];

	if (read_format(tracefs, category, event, buf, sizeof(buf)) < 0)
		return -1;
	return fw_format_has_field(buf, field) ? 1 : 0;
}

bool fw_kprobes_supported(const char *tracefs)
{
	char p[512];

	if (access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0)
		return true;
	return fw_snprintf(p, sizeof(p), "%s/kprobe_events", tracefs) == 0 && access(p, F_OK) == 0;
}
