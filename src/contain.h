/* SPDX-License-Identifier: GPL-2.0 */
/* Containment (--kill, --dry-run, --limit, --allow): what user space adds
 * to the probe's kills. It fills the exemption and limit maps at start and,
 * for each lineage the probe dooms (a rule named its root; the probe kills
 * every member at its next fork), sweeps the members that do not fork:
 * stopped first, then killed, until none is left. */
#ifndef FW_CONTAIN_H
#define FW_CONTAIN_H

#include <stdint.h>

#include "forkwatch_logic.h"

#include "output.h"

struct fw_session;

/* One --allow cgroup: resolved on the cgroup v2 mount. */
struct fw_cgroup_allow {
	char rel[4096];  /* path below the mount, as /proc/PID/cgroup shows it */
	uint64_t id;
	uint32_t level;
};

/* Before the compile: resolves --allow cgroup: paths (a one-line reason in
 * err on failure). */
int fw_contain_resolve(struct fw_session *s, char *err, size_t errlen);

/* After the compile, before attaching: fills the protected, kernel thread,
 * allow and limit maps. Returns 0, or -1 with errno. */
int fw_contain_setup(struct fw_session *s);

/* Once attached, with --kill: the calling thread takes real-time priority,
 * so that sweeps keep up with a bomb's thousands of runnable tasks. Says
 * what it got in desc (for the start line); warns when it cannot. */
void fw_contain_realtime(struct fw_session *s, char *desc, size_t len);

/* A verdict whose lineage the probe doomed (r->alert): the sweep (dry run:
 * only counted), then the doom is lifted; fills r's containment fields. */
void fw_contain_episode(struct fw_session *s, struct fw_report *r);

#endif
