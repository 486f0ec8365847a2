// SPDX-License-Identifier: GPL-2.0
/* Limits that bind a spawner (see limits.h): parsers, then the reads. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spawn_limits.h"
#include "util.h"

int fw_cgroup_pids_path(const char *text, char *out, size_t len)
{
	const char *line = text, *v2 = NULL;

	while (line && *line) {
		const char *nl = strchr(line, '\n'), *c1 = strchr(line, ':'), *c2;
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		c2 = c1 && c1 < line + n ? memchr(c1 + 1, ':', (size_t)(line + n - c1 - 1)) : NULL;
		if (c2) {
			const char *ctl = c1 + 1, *path = c2 + 1;
			size_t ctl_len = (size_t)(c2 - ctl), path_len = (size_t)(line + n - path);
			int pids = 0;

			/* The controller list is comma-separated ("cpu,cpuacct"). */
			for (const char *p = ctl; p < c2;) {
				const char *comma = memchr(p, ',', (size_t)(c2 - p));
				size_t w = comma ? (size_t)(comma - p) : (size_t)(c2 - p);

				if (w == 4 && !strncmp(p, "pids", 4))
					pids = 1;
				p += w + 1;
			}
			if (path_len && path[0] == '/' && path_len < len) {
				if (pids) {
					memcpy(out, path, path_len);
					out[path_len] = '\0';
					return 1;
				}
				if (ctl_len == 0 && !strncmp(line, "0:", 2))
					v2 = line;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (v2) {
		const char *path = strstr(v2, "::") + 2, *nl = strchr(path, '\n');
		size_t n = nl ? (size_t)(nl - path) : strlen(path);

		memcpy(out, path, n);
		out[n] = '\0';
		return 2;
	}
	return 0;
}

int fw_parse_limit(const char *text, uint64_t *max)
{
	char buf[32];
	size_t n = strcspn(text, "\n");
	uint64_t v;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (!strcmp(buf, "max")) {
		*max = 0;
		return 0;
	}
	if (fw_parse_uint(buf, 0, UINT64_MAX, &v) < 0)
		return -1;
	*max = v;
	return 0;
}

int fw_limits_nproc(const char *text, uint64_t *soft)
{
	const char *p = strstr(text, "Max processes");
	char value[32];

	if (!p || sscanf(p + strlen("Max processes"), " %31s", value) != 1)
		return -1;
	if (!strcmp(value, "unlimited")) {
		*soft = 0;
		return 0;
	}
	return fw_parse_uint(value, 0, UINT64_MAX, soft) < 0 ? -1 : 0;
}

int fw_cgroup_mount(const char *mountinfo, bool v1, char *out, size_t len)
{
	const char *line = mountinfo;

	while (line && *line) {
		const char *start = line, *nl = strchr(line, '\n'), *dash;
		char copy[1024], mnt[512], fstype[64], opts[512];
		size_t n = nl ? (size_t)(nl - start) : strlen(start);

		line = nl ? nl + 1 : NULL;
		if (n >= sizeof(copy))
			continue;
		memcpy(copy, start, n);
		copy[n] = '\0';
		/* id parent major:minor root mountpoint options [optional...] - type source superopts */
		dash = strstr(copy, " - ");
		if (!dash || sscanf(copy, "%*s %*s %*s %*s %511s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s %*s %511s", fstype, opts) != 2)
			continue;
		if (v1) {
			char *tok, *save = NULL;

			if (strcmp(fstype, "cgroup"))
				continue;
			for (tok = strtok_r(opts, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				if (!strcmp(tok, "pids"))
					break;
			if (!tok)
				continue;
		} else if (strcmp(fstype, "cgroup2")) {
			continue;
		}
		if (strlen(mnt) >= len)
			continue;
		snprintf(out, len, "%s", mnt);
		return 0;
	}
	return -1;
}

int fw_stat_ppid(const char *stat, uint32_t *ppid)
{
	const char *close_paren = strrchr(stat, ')');
	unsigned v;

	if (!close_paren || sscanf(close_paren + 1, " %*c %u", &v) != 1)
		return -1;
	*ppid = v;
	return 0;
}

int fw_stat_flags(const char *stat, unsigned long *flags)
{
	const char *close_paren = strrchr(stat, ')');

	if (!close_paren || sscanf(close_paren + 1, " %*c %*d %*d %*d %*d %*d %lu", flags) != 1)
		return -1;
	return 0;
}

int fw_status_uid(const char *status, uint32_t *uid)
{
	const char *line = strstr(status, "\nUid:");
	unsigned v;

	if (!line || sscanf(line + 5, "%u", &v) != 1)
		return -1;
	*uid = v;
	return 0;
}

char *fw_cgroup_v2_path(char *text)
{
	char *line = !strncmp(text, "0::", 3) ? text : strstr(text, "\n0::"), *cg;

	if (!line)
		return NULL;
	/* line is "0::..." or "\n0::...": its first byte, not the one after
	 * "0::" (an empty path's newline), says where the path starts. */
	cg = line[0] == '\n' ? line + 4 : line + 3;
	cg[strcspn(cg, "\n")] = '\0';
	return cg;
}

bool fw_cgroup_within(const char *cg, const char *rel)
{
	size_t n = strlen(rel);

	return !strcmp(rel, "/") || !strcmp(cg, rel) || (!strncmp(cg, rel, n) && cg[n] == '/');
}

uint32_t fw_cgroup_rel_level(char *rel)
{
	uint32_t level = 0;
	const char *p;

	/* Trailing slashes are not levels. */
	while (strlen(rel) > 1 && rel[strlen(rel) - 1] == '/')
		rel[strlen(rel) - 1] = '\0';
	for (p = rel; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			level++;
	return level;
}

int fw_mounts_cgroup2(FILE *mounts, char *out, size_t len)
{
	char dev[256], dir[4096], type[64];

	while (fscanf(mounts, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2") && snprintf(out, len, "%s", dir) < (int)len)
			return 0;
	return -1;
}

uint64_t fw_loadavg_tasks(const char *text)
{
	unsigned long long running, total;

	if (sscanf(text, "%*s %*s %*s %llu/%llu", &running, &total) != 2)
		return 0;
	return total;
}

bool fw_limit_near(uint64_t used, uint64_t max)
{
	return max && used >= max - max / 2;
}

static int read_u64_file(const char *path, uint64_t *v)
{
	char buf[64];

	if (fw_read_small_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return fw_parse_limit(buf, v);
}

/* The tasks in the system (the denominator in /proc/loadavg). */
static uint64_t tasks_in_system(void)
{
	char buf[128];

	if (fw_read_small_file("/proc/loadavg", buf, sizeof(buf)) <= 0)
		return 0;
	return fw_loadavg_tasks(buf);
}

/* The mount point of the pids hierarchy (v1) or of cgroup2 (!v1): read
 * from /proc/self/mountinfo once, since it is looked up every 100 ms while
 * a candidate is active. 0, or -1 when there is none. */
static int cgroup_mount(bool v1, char *out, size_t len)
{
	static char mountinfo[65536], found[2][512];
	static int known[2]; /* 0 not looked for, 1 found, -1 none */
	int k = v1 ? 1 : 0;

	if (!known[k]) {
		known[k] = fw_read_small_file("/proc/self/mountinfo", mountinfo, sizeof(mountinfo)) > 0 &&
					   fw_cgroup_mount(mountinfo, v1, found[k], sizeof(found[k])) == 0
				   ? 1
				   : -1;
	}
	if (known[k] < 0 || strlen(found[k]) >= len)
		return -1;
	snprintf(out, len, "%s", found[k]);
	return 0;
}

static bool cgroup_near(uint32_t pid, char *why, size_t len)
{
	char path[64], text[8192], rel[4096], mnt[512], dir[4096 + 512], file[4096 + 600];
	uint64_t max, cur;
	int kind;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/cgroup", pid);
	if (fw_read_small_file(path, text, sizeof(text)) <= 0 ||
	    (kind = fw_cgroup_pids_path(text, rel, sizeof(rel))) == 0 ||
	    cgroup_mount(kind == 1, mnt, sizeof(mnt)) < 0)
		return false;
	snprintf(dir, sizeof(dir), "%s%s", mnt, strcmp(rel, "/") ? rel : "");
	/* Its cgroup and every ancestor up to the mount: the tightest binds. */
	for (;;) {
		char *slash;

		snprintf(file, sizeof(file), "%s/pids.max", dir);
		if (read_u64_file(file, &max) == 0 && max) {
			snprintf(file, sizeof(file), "%s/pids.current", dir);
			if (read_u64_file(file, &cur) == 0 && fw_limit_near(cur, max)) {
				snprintf(why, len, "pids.current %" PRIu64 " of pids.max %" PRIu64 " in %s",
					 cur, max, dir);
				return true;
			}
		}
		if (strlen(dir) <= strlen(mnt))
			return false;
		slash = strrchr(dir, '/');
		if (!slash || slash <= dir + strlen(mnt) - 1)
			return false;
		*slash = '\0';
	}
}

bool fw_spawner_near_limit(uint32_t pid, uint32_t kids, char *why, size_t len)
{
	char path[64], text[4096];
	uint64_t tasks = tasks_in_system(), v;

	if (cgroup_near(pid, why, len))
		return true;
	/* RLIMIT_NPROC counts the user's tasks, which the system's bound. */
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/limits", pid);
	if (fw_read_small_file(path, text, sizeof(text)) > 0 && fw_limits_nproc(text, &v) == 0 &&
	    (fw_limit_near(kids, v) || fw_limit_near(tasks, v))) {
		snprintf(why, len, "RLIMIT_NPROC %" PRIu64 ", %" PRIu64 " tasks in the system", v, tasks);
		return true;
	}
	if (read_u64_file("/proc/sys/kernel/threads-max", &v) == 0 && fw_limit_near(tasks, v)) {
		snprintf(why, len, "kernel.threads-max %" PRIu64 ", %" PRIu64 " tasks", v, tasks);
		return true;
	}
	if (read_u64_file("/proc/sys/kernel/pid_max", &v) == 0 && fw_limit_near(tasks, v)) {
		snprintf(why, len, "kernel.pid_max %" PRIu64 ", %" PRIu64 " tasks", v, tasks);
		return true;
	}
	return false;
}
