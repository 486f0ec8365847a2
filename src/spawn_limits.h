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

/* used is at least half of max (max 0: no limit, never near). */
bool fw_limit_near(uint64_t used, uint64_t max);

/* Is process pid, which holds kids live children, near a limit that binds
 * its creations? why says which (for the log), e.g. "pids.max 1024 of
 * /sys/fs/cgroup/pids/fw-bomb-1 holds 600". Reads /proc and cgroupfs. */
bool fw_spawner_near_limit(uint32_t pid, uint32_t kids, char *why, size_t len);

#endif
