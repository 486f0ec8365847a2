// SPDX-License-Identifier: GPL-2.0
#include "lineage.h"

#include <stdlib.h>
#include <string.h>

void fw_member_from(struct fw_member *m, uint32_t tgid, const struct fw_proc *rec)
{
	m->tgid = tgid;
	m->ppid = rec->ppid;
	m->created_ns = rec->created_ns;
	m->parent_created_ns = rec->parent_created_ns;
	m->chain_root = rec->chain_root;
	m->chain_next = rec->chain_next;
	m->flags = rec->flags;
	memcpy(m->anc, rec->anc, sizeof(m->anc));
}

static int by_tgid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* A selected member: its tgid and identity, sorted for lookups. */
struct picked {
	uint32_t tgid;
	uint64_t created_ns;
};

static int picked_has(const struct picked *p, size_t n, uint32_t tgid, uint64_t created_ns)
{
	struct picked key = { .tgid = tgid };
	const struct picked *hit = bsearch(&key, p, n, sizeof(*p), by_tgid);

	return hit && hit->created_ns == created_ns;
}

static int direct_pick(const struct fw_member *m, uint32_t root, uint64_t since_ns, int whole)
{
	size_t i;

	if (m->tgid == root)
		return whole;
	if (m->created_ns < since_ns || (m->flags & FW_PROC_OLD))
		return 0;
	if (m->chain_root == root || m->chain_next == root)
		return 1;
	for (i = 0; i < FW_ANC && m->anc[i]; i++)
		if (m->anc[i] == root)
			return 1;
	return 0;
}

size_t fw_lineage_select(struct fw_member *members, size_t n, uint32_t root, uint64_t since_ns,
			 int whole)
{
	unsigned char *in = calloc(n + 1, 1);
	struct picked *picked = malloc((n + 1) * sizeof(*picked));
	size_t i, npicked = 0, k = 0;
	int grew = 1, passes;

	if (!in || !picked) {
		free(in);
		free(picked);
		return 0;
	}
	for (i = 0; i < n; i++)
		in[i] = (unsigned char)direct_pick(&members[i], root, since_ns, whole);
	/* Deeper than the ancestors a record keeps: through creators, until
	 * nothing is added (each pass adds at least one generation). */
	for (passes = 0; grew && passes < 4096; passes++) {
		grew = 0;
		npicked = 0;
		for (i = 0; i < n; i++)
			if (in[i] || (members[i].tgid == root && !whole)) {
				picked[npicked].tgid = members[i].tgid;
				picked[npicked++].created_ns = members[i].created_ns;
			}
		qsort(picked, npicked, sizeof(*picked), by_tgid);
		for (i = 0; i < n; i++) {
			const struct fw_member *m = &members[i];

			if (in[i] || m->tgid == root || m->created_ns < since_ns ||
			    (m->flags & FW_PROC_OLD) || !m->ppid)
				continue;
			if (picked_has(picked, npicked, m->ppid, m->parent_created_ns)) {
				in[i] = 1;
				grew = 1;
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (in[i] && !(members[i].flags & FW_PROC_DEAD)) {
			struct fw_member t = members[k];
			unsigned char f = in[k];

			members[k] = members[i];
			members[i] = t;
			in[k++] = 1; /* the flags move with their members */
			in[i] = f;
		}
	}
	free(in);
	free(picked);
	return k;
}
