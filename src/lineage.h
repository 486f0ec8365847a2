/* SPDX-License-Identifier: GPL-2.0 */
/* Which processes belong to a named root's lineage, from the records the
 * probe keeps: what an alert counts and what a containment sweep kills.
 * Pure. */
#ifndef FW_LINEAGE_H
#define FW_LINEAGE_H

#include <stddef.h>
#include <stdint.h>

#include "forkwatch_logic.h"

/* One record of the procs map, as user space reads it. */
struct fw_member {
	uint32_t tgid;
	uint32_t ppid;
	uint64_t created_ns;
	uint64_t parent_created_ns;
	uint32_t chain_root, chain_next;
	uint32_t flags; /* FW_PROC_* */
	uint32_t anc[FW_ANC];
};

/* Fills a member from its record. */
void fw_member_from(struct fw_member *m, uint32_t tgid, const struct fw_proc *rec);

/* The lineage of root as a doom covers it: the root itself when whole,
 * and every process created from since_ns on whose chain's first or second
 * process, or one of whose nearest ancestors, is root, or whose creator is such a process
 * (followed through records of any depth, dead ones included, as the probe
 * keeps them for a line's sake). Moves the live ones to the front of
 * members and returns how many. */
size_t fw_lineage_select(struct fw_member *members, size_t n, uint32_t root, uint64_t since_ns,
			 int whole);

#endif
