// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "burst.h"

#include <stdlib.h>

static int by_top(const void *a, const void *b, void *levelp)
{
	size_t level = *(const size_t *)levelp;
	uint32_t x = ((const struct fw_member *)a)->top[level];
	uint32_t y = ((const struct fw_member *)b)->top[level];

	return x < y ? -1 : x > y;
}

uint32_t fw_burst_root(uint32_t tree_root, struct fw_member *members, size_t n,
		       uint64_t burst_start_ns, unsigned share_pct, uint32_t *depth)
{
	size_t i, lo = 0, hi = 0, level;
	uint32_t node = tree_root;

	/* Keep the burst: move its members to the front. */
	for (i = 0; i < n; i++) {
		if (members[i].created_ns >= burst_start_ns) {
			struct fw_member t = members[hi];

			members[hi++] = members[i];
			members[i] = t;
		}
	}
	/* [lo, hi) always holds the burst members inside node's subtree. */
	for (level = 0; level < FW_TOP_DEPTH; level++) {
		size_t below = 0, best_lo = 0, best_n = 0, run_lo;

		/* Strict descendants of node have an ancestor at this level. */
		for (i = lo; i < hi; i++) {
			if (members[i].depth > level) {
				struct fw_member t = members[lo + below];

				members[lo + below++] = members[i];
				members[i] = t;
			}
		}
		if (below == 0)
			break;
		qsort_r(members + lo, below, sizeof(*members), by_top, &level);
		size_t forking_children = 0;
		int head_copy = 0;

		for (run_lo = lo; run_lo < lo + below;) {
			size_t run_hi = run_lo;
			int has_descendants = 0;

			/* Two generations below the child, not one: a shell helper
			 * such as $(cat f || echo 0) has a child of its own. */
			while (run_hi < lo + below && members[run_hi].top[level] == members[run_lo].top[level]) {
				has_descendants |= members[run_hi].depth > level + 2;
				run_hi++;
			}
			forking_children += has_descendants;
			if (run_hi - run_lo > best_n) {
				best_n = run_hi - run_lo;
				best_lo = run_lo;
			}
			run_lo = run_hi;
		}
		if (forking_children >= 2 || best_n * 100 < (size_t)share_pct * below)
			break;
		/* The dominant child itself, if it is still alive. */
		for (i = best_lo; i < best_lo + best_n; i++)
			if (members[i].depth == level + 1)
				head_copy = !(members[i].flags & FW_PROC_EXECD);
		if (head_copy)
			break;
		node = members[best_lo].top[level];
		lo = best_lo;
		hi = best_lo + best_n;
	}
	*depth = (uint32_t)level;
	return node;
}

static int by_tgid(const void *a, const void *b)
{
	uint32_t x = ((const struct fw_member *)a)->tgid, y = ((const struct fw_member *)b)->tgid;

	return x < y ? -1 : x > y;
}

/* Follows creator links from m up to root; sorted: members sorted by tgid. */
static int descends_by_ppid(const struct fw_member *sorted, size_t n, const struct fw_member *m,
			    uint32_t root)
{
	int hops;

	for (hops = 0; hops < 4096 && m; hops++) {
		struct fw_member key = { .tgid = m->ppid };

		if (m->ppid == root)
			return 1;
		m = bsearch(&key, sorted, n, sizeof(*sorted), by_tgid);
	}
	return 0;
}

size_t fw_sweep_select(struct fw_member *members, size_t n, uint32_t tree_root, uint32_t root,
		       uint32_t root_depth, uint64_t since_ns)
{
	struct fw_member *sorted = NULL;
	int by_top = root != tree_root && root_depth >= 1 && root_depth <= FW_TOP_DEPTH;
	size_t i, k = 0;

	if (root != tree_root && !by_top) {
		sorted = malloc(n * sizeof(*sorted) + 1);
		if (!sorted)
			return 0;
		for (i = 0; i < n; i++)
			sorted[i] = members[i];
		qsort(sorted, n, sizeof(*sorted), by_tgid);
	}
	for (i = 0; i < n; i++) {
		const struct fw_member *m = &members[i];
		int pick;

		if (m->created_ns < since_ns)
			pick = 0;
		else if (root == tree_root || m->tgid == root)
			pick = 1;
		else if (by_top)
			pick = m->depth > root_depth && m->top[root_depth - 1] == root;
		else
			pick = descends_by_ppid(sorted, n, m, root);
		if (pick) {
			struct fw_member t = members[k];

			members[k++] = members[i];
			members[i] = t;
		}
	}
	free(sorted);
	return k;
}
