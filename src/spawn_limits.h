/* SPDX-License-Identifier: GPL-2.0 */
/* The limits that bind a spawner's creations, and whether it is near one:
 * its cgroup's pids.max (or an ancestor's), its RLIMIT_NPROC, kernel.pid_max
 * and kernel.threads-max. Near is half: failed creations are watched from
 * there (struct fw_state), before the first one fails. */
#ifndef FW_SPAWN_LIMITS_H
#define FW_SPAWN_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The pids controller's cgroup in /proc/PID/cgroup text: the cgroup v1
 * "N:pids:/path" line, else the v2 "0::/path" line. Returns 1 (v1), 2 (v2),
 * or 0 when neither is there. */
int fw_cgroup_pids_path(const char *text, char *out, size_t len);

/* A limit file's value ("max", or a number; a newline may follow): *max 0
 * for no limit. -1 when it is neither. */
int fw_parse_limit(const char *text, uint64_t *max);

/* The soft "Max processes" limit in /proc/PID/limits text: *soft 0 when
 * unlimited. -1 when the line is missing or garbled. */
int fw_limits_nproc(const char *text, uint64_t *soft);

/* The mount point of the cgroup v1 hierarchy with the pids controller
 * (v1), or of cgroup2 (!v1), from /proc/self/mountinfo text. -1 if none. */
int fw_cgroup_mount(const char *mountinfo, bool v1, char *out, size_t len);

/* The /proc text the sweep (contain.c) and the reports (alerts.c) read,
 * parsed here, apart from their reads, so that they are unit-tested and
 * fuzzed without libbcc or a session. */

/* /proc/PID/stat: the parent's pid (field 4), read after the last ')' (the
 * command name may hold spaces and parens). 0, or -1 when garbled. */
int fw_stat_ppid(const char *stat, uint32_t *ppid);

/* /proc/PID/stat: the flags word (field 9). 0, or -1 when garbled. */
int fw_stat_flags(const char *stat, unsigned long *flags);

/* /proc/PID/status: the real uid (the first number of a "Uid:" line that
 * is not the first line). 0, or -1 when there is none. */
int fw_status_uid(const char *status, uint32_t *uid);

/* /proc/PID/cgroup: the cgroup v2 line's path ("0::/path", first or later
 * in the text), cut at its newline in place; NULL when there is none. */
char *fw_cgroup_v2_path(char *text);

/* Is cgroup path cg (as fw_cgroup_v2_path gives it) rel or below it? */
bool fw_cgroup_within(const char *cg, const char *rel);

/* An --allow cgroup: path below the mount: trailing slashes removed in
 * place ("/" stays); returns its level (how many names deep it is). */
uint32_t fw_cgroup_rel_level(char *rel);

/* /proc/mounts: the mount point of the first cgroup2 file system into out.
 * 0, or -1 when there is none (or it does not fit). */
int fw_mounts_cgroup2(FILE *mounts, char *out, size_t len);

/* /proc/loadavg: the tasks in the system (the denominator of its fourth
 * field), or 0 when garbled. */
uint64_t fw_loadavg_tasks(const char *text);

/* used is at least half of max (max 0: no limit, never near). */
bool fw_limit_near(uint64_t used, uint64_t max);

/* Is process pid, which holds kids live children, near a limit that binds
 * its creations? why says which (for the log), e.g. "pids.max 1024 of
 * /sys/fs/cgroup/pids/fw-bomb-1 holds 600". Reads /proc and cgroupfs. */
bool fw_spawner_near_limit(uint32_t pid, uint32_t kids, char *why, size_t len);

#endif
