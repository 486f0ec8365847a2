/* SPDX-License-Identifier: GPL-2.0 */
/* What an instance ended by SIGKILL leaves behind, and taking it back at
 * the next start.
 *
 * Perf-event kprobes (the kprobe PMU), tracepoints, programs and maps die
 * with their file descriptors. Two things do not:
 *  - legacy kprobe events: where the kernel has no kprobe PMU, libbcc
 *    writes "p:kprobes/<event>_bcc_<pid> <symbol>" to kprobe_events and
 *    removes it only when detaching; those outlive the process;
 *  - temporary files written under a pid-suffixed name and renamed into
 *    place: "<file>.tmp.<pid>" (--metrics-textfile) and the half-made
 *    merged header tree "ksrc-<name>.tmp.<pid>".
 * Only entries whose pid no longer exists are removed; the kernel refuses
 * (EBUSY) to remove a kprobe event that is still attached, which protects
 * a live instance in another pid namespace too. A mounted tracefs is left
 * mounted: it is shared and costs nothing. */
#ifndef FW_STALE_H
#define FW_STALE_H

#include <stdbool.h>
#include <stddef.h>

/* Pure: a kprobe_events line in libbcc's legacy naming
 * ("r16:kprobes/r___x64_sys_clone_bcc_1234 __x64_sys_clone"): 0 with the
 * event as group/name ("kprobes/r___x64_sys_clone_bcc_1234") and the
 * creator's pid; -1 for any other line. */
int fw_stale_kprobe_line(const char *line, char *event, size_t len, int *pid);

/* Pure: "<base>.tmp.<pid>" -> pid; with prefix, "<base><more>.tmp.<pid>"
 * ("ksrc-" for "ksrc-<name>.tmp.<pid>"); -1 for any other name. */
int fw_stale_tmp_pid(const char *name, const char *base, bool prefix);

#define FW_STALE_MAX_PIDS 8

struct fw_stale_report {
	unsigned removed;                /* kprobe events removed */
	unsigned busy;                   /* dead pid, but the kernel said in use (left) */
	unsigned failed;                 /* could not be removed otherwise */
	unsigned files;                  /* temporary files and trees removed */
	int pids[FW_STALE_MAX_PIDS];     /* the dead instances, first few */
	unsigned npids;
};

/* Glue: remove the legacy kprobe events of pids that are gone. 0, or -1
 * when kprobe_events cannot be read (no kprobes: nothing to do). */
int fw_stale_reclaim_kprobes(const char *tracefs, struct fw_stale_report *r);

/* Glue: remove the files or trees in dir named as fw_stale_tmp_pid
 * recognises whose pid is gone. */
void fw_stale_reclaim_tmp(const char *dir, const char *base, bool prefix, struct fw_stale_report *r);

/* Pure: one line for the start ("left by pid 1234 (no longer running): 4
 * kprobe events removed"), empty when there was nothing. */
void fw_stale_describe(const struct fw_stale_report *r, char *out, size_t len);

#endif
