// SPDX-License-Identifier: GPL-2.0
/* Taking back what dead instances left (see stale.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stale.h"
#include "util.h"

static bool pid_alive(int pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

static void note_pid(struct fw_stale_report *r, int pid)
{
	unsigned i;

	for (i = 0; i < r->npids; i++)
		if (r->pids[i] == pid)
			return;
	if (r->npids < FW_STALE_MAX_PIDS)
		r->pids[r->npids++] = pid;
}

int fw_stale_reclaim_kprobes(const char *tracefs, struct fw_stale_report *r)
{
	char path[512], line[1024], event[256], cmd[300];
	FILE *f;
	int pid, fd;

	if (fw_snprintf(path, sizeof(path), "%s/kprobe_events", tracefs) < 0)
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* Append mode: a write of "-:event" removes that one event; opening
	 * it with O_TRUNC would remove every kprobe event on the machine. */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	while (fgets(line, sizeof(line), f)) {
		if (fw_stale_kprobe_line(line, event, sizeof(event), &pid) < 0 || pid == getpid() ||
		    pid_alive(pid))
			continue;
		note_pid(r, pid);
		snprintf(cmd, sizeof(cmd), "-:%s", event);
		if (fd >= 0 && write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd))
			r->removed++;
		else if (fd >= 0 && errno == EBUSY)
			r->busy++;
		else
			r->failed++;
	}
	if (fd >= 0)
		close(fd);
	fclose(f);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void fw_stale_reclaim_tmp(const char *dir, const char *base, bool prefix, struct fw_stale_report *r)
{
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(dir);
	int pid;

	if (!d)
		return;
	while ((e = readdir(d))) {
		pid = fw_stale_tmp_pid(e->d_name, base, prefix);
		if (pid < 0 || pid == getpid() || pid_alive(pid) ||
		    fw_snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < 0)
			continue;
		/* A file, or a tree of directories and symlinks: never followed. */
		if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0) {
			r->files++;
			note_pid(r, pid);
		}
	}
	closedir(d);
}
