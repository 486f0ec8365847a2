/* SPDX-License-Identifier: GPL-2.0 */
/* Naming the root of a burst, at alert time, from the lineage the probe
 * keeps: the kernel attributes a burst to the oldest untracked ancestor
 * (the tree root); the process that really started it sits somewhere on the
 * path below. Pure. */
#ifndef FW_BURST_H
#define FW_BURST_H

#include <stddef.h>
#include <stdint.h>

#include "forkwatch_logic.h"

struct fw_member {
	uint64_t created_ns;
	uint32_t tgid;
	uint32_t depth;
	uint32_t flags; /* FW_PROC_* */
	uint32_t ppid;  /* creator */
	uint32_t top[FW_TOP_DEPTH];
};

/* Share (percent) of a node's burst descendants one child must hold for the
 * walk to descend into it. */
#define FW_BURST_SHARE_PCT 90

/* Walks down from tree_root towards the process that started the burst, over
 * the live burst members (created at or after burst_start_ns). At each node
 * it stops when
 *   - two or more children have descendants two generations down in the
 *     burst (it fans out here; a helper with one child of its own does not
 *     count),
 *   - no child holds share_pct of the node's burst descendants, or
 *   - the dominant child is alive and has not exec'd: a copy of this node's
 *     program, which makes this node the bomb (for (;;) fork(), where an
 *     early child's subtree can grow past share_pct on its own);
 * otherwise it descends into the dominant child. Returns where it stopped and
 * its depth below tree_root (0: the tree root). members is reordered. */
uint32_t fw_burst_root(uint32_t tree_root, struct fw_member *members, size_t n,
		       uint64_t burst_start_ns, unsigned share_pct, uint32_t *depth);

/* Which tracked members a containment sweep kills, given the lineage the
 * probe doomed (root at root_depth below tree_root, members created from
 * since_ns on): root and its descendants, found through top[] (at any
 * depth, even when the members between are gone) when root is within
 * FW_TOP_DEPTH of the tree root, else through creator links. When root is
 * the tree root (it predates the tool and is never a member), that is every
 * member created since since_ns: the burst.
 * Moves the selected members to the front; returns how many. */
size_t fw_sweep_select(struct fw_member *members, size_t n, uint32_t tree_root, uint32_t root,
		       uint32_t root_depth, uint64_t since_ns);

#endif
