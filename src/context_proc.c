// SPDX-License-Identifier: GPL-2.0
/* Who an alert is about: the /proc and /etc/passwd reads (context.h parses
 * them), and the walk of the cgroup2 mount for an id when no process is
 * left. Runs in the sandbox: only open/openat, read, readlinkat, close,
 * fstat, getdents64 and name_to_handle_at, which its allow-list has, and
 * no capability: /proc/PID's cgroup, status, stat and cmdline are readable
 * by anyone, as are cgroup directories. User
 * names come from /etc/passwd, read here, not through NSS, whose modules
 * (sss, ldap, systemd) would open sockets and libraries the sandbox does
 * not allow: a user known only to a directory service shows as its uid. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "spawn_limits.h"
#include "util.h"

/* The cgroup tree is walked at most this deep and this wide looking for an
 * id (fw_context_read_cgroup_id): systemd nests a few levels, kubelet and
 * container runtimes a few more; a host holds thousands at most. */
#define CGROUP_WALK_DEPTH 32
#define CGROUP_WALK_DIRS 100000

/* A file below an open /proc/PID, read whole into buf (at most len - 1
 * bytes), NUL-terminated. Its length, or -1. */
static ssize_t read_at(int dir, const char *name, char *buf, size_t len)
{
	ssize_t n, got = 0;
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)got + 1 < len && (n = read(fd, buf + got, len - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* /proc/PID, when it is the process the alert named: there, and started no
 * later than the alert (else its pid was reused). A directory fd: what is
 * read through it is that process's, even if the pid is reused meanwhile.
 * -1 when not. */
static int open_proc(uint32_t pid, uint64_t born_by_ns)
{
	char path[32], stat[1024];
	uint64_t start, boot_alert, mono = clock_ns(CLOCK_MONOTONIC), boot = clock_ns(CLOCK_BOOTTIME);
	const char *state;
	int dir;

	if (!pid)
		return -1;
	snprintf(path, sizeof(path), "/proc/%u", pid);
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	/* born_by in CLOCK_BOOTTIME, which the start time counts in. */
	boot_alert = boot - (mono > born_by_ns ? mono - born_by_ns : 0);
	if (read_at(dir, "stat", stat, sizeof(stat)) <= 0 || !(state = strrchr(stat, ')')) ||
	    fw_context_stat_starttime(stat, &start) < 0 ||
	    fw_context_started_after(start, sysconf(_SC_CLK_TCK), boot_alert) ||
	    !strncmp(state, ") Z", 3) || !strncmp(state, ") X", 3)) { /* dead: no cmdline */
		close(dir);
		return -1;
	}
	return dir;
}

static void user_name(uint32_t uid, char *out, size_t len)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen("/etc/passwd", "re");

	out[0] = '\0';
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0)
		if (fw_context_passwd_name(line, uid, out, len) == 0)
			break;
	free(line);
	fclose(f);
}

void fw_context_read(const struct fw_context_candidate *cands, size_t n_cands, struct fw_context *c)
{
	static char buf[8192];
	ssize_t n = 0;
	size_t i, fallback_i = 0;
	int dir = -1, fallback = -1;

	memset(c, 0, sizeof(*c));
	c->hierarchy = c->runtime = "";
	/* The first whose command line can be read: a member of a bash bomb
	 * lives for milliseconds, and one that exits between the checks and
	 * the reads has none. Failing all, the first there (a kernel thread
	 * has none either). */
	for (i = 0; i < n_cands && dir < 0; i++) {
		if (i > 0 && cands[i].pid == cands[0].pid)
			continue;
		dir = open_proc(cands[i].pid, cands[i].born_by_ns);
		if (dir < 0)
			continue;
		n = read_at(dir, "cmdline", buf, FW_CTX_CMDLINE_READ + 1);
		if (n > 0)
			break;
		if (fallback < 0) {
			fallback = dir;
			fallback_i = i;
		} else {
			close(dir);
		}
		dir = -1;
	}
	if (dir < 0 && fallback >= 0) {
		dir = fallback;
		i = fallback_i;
		n = 0;
	} else if (fallback >= 0) {
		close(fallback);
	}
	if (dir < 0)
		return; /* FW_CTX_NONE */
	c->source = i == 0 ? FW_CTX_ROOT : FW_CTX_MEMBER;
	c->pid = cands[i].pid;
	if (n > 0)
		c->cmdline_truncated = fw_context_escape_cmdline(buf, (size_t)n, c->cmdline,
								 sizeof(c->cmdline)) ||
				       n >= FW_CTX_CMDLINE_READ;
	if (read_at(dir, "cgroup", buf, sizeof(buf)) > 0)
		fw_context_from_cgroup(buf, c);
	if (read_at(dir, "status", buf, sizeof(buf)) > 0) {
		if (fw_status_uid(buf, &c->uid) == 0) {
			c->has_uid = true;
			user_name(c->uid, c->user, sizeof(c->user));
		}
		if (fw_context_nspid(buf, &c->ns_pid, &c->ns_level) < 0)
			c->ns_pid = c->ns_level = 0;
	}
	close(dir);
}

int fw_cgroup2_mount(char *out, size_t len)
{
	FILE *f = fopen("/proc/mounts", "re");
	int found;

	if (!f)
		return -1;
	found = fw_mounts_cgroup2(f, out, len);
	fclose(f);
	return found;
}

int fw_cgroup_id_at(int dirfd, const char *name, uint64_t *id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h;
	int mount_id;

	h.fh.handle_bytes = sizeof(h.id);
	if (name_to_handle_at(dirfd, name, &h.fh, &mount_id, 0) < 0)
		return -1;
	if (h.fh.handle_bytes != sizeof(uint64_t)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

/* Depth first below dir (owned, closed here), whose path below the mount
 * is path[0..used): the directory whose id is id, its path left in path.
 * 1 when found. */
static int find_cgroup(int dir, uint64_t id, char *path, size_t len, size_t used, int depth,
		       unsigned *budget)
{
	DIR *d = fdopendir(dir);
	struct dirent *e;
	uint64_t got;
	int found = 0, n;

	if (!d) {
		close(dir);
		return 0;
	}
	while (!found && *budget && (e = readdir(d))) {
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		(*budget)--;
		n = snprintf(path + used, len - used, "/%s", e->d_name);
		if (n < 0 || (size_t)n >= len - used)
			continue; /* too long to name */
		if (fw_cgroup_id_at(dirfd(d), e->d_name, &got) == 0 && got == id) {
			found = 1;
		} else if (depth < CGROUP_WALK_DEPTH) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (sub >= 0)
				found = find_cgroup(sub, id, path, len, used + (size_t)n, depth + 1,
						    budget);
		}
	}
	if (!found)
		path[used] = '\0';
	closedir(d);
	return found;
}

void fw_context_read_cgroup_id(uint64_t id, uint32_t uid, struct fw_context *c)
{
	static char path[8192], text[8200];
	char mnt[4096];
	unsigned budget = CGROUP_WALK_DIRS;
	uint64_t got;
	int dir;

	if (!id || fw_cgroup2_mount(mnt, sizeof(mnt)) < 0)
		return;
	path[0] = '\0'; /* the root itself: "0::/" */
	if (fw_cgroup_id_at(AT_FDCWD, mnt, &got) < 0 || got != id) {
		dir = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0 || !find_cgroup(dir, id, path, sizeof(path), 0, 1, &budget))
			return;
	}
	/* As /proc/PID/cgroup would have said it: one decision of what a
	 * path means (fw_context_from_cgroup). */
	snprintf(text, sizeof(text), "0::%s\n", path[0] ? path : "/");
	fw_context_from_cgroup(text, c);
	c->source = FW_CTX_CGROUP;
	c->pid = 0;
	c->has_uid = true;
	c->uid = uid;
	user_name(uid, c->user, sizeof(c->user));
}
