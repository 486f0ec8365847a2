/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record store the model (forkwatch_model.h) works on: an array of
 * 2^FW_STORE_BITS slots, each holding one record tagged with its tgid
 * (forkwatch_logic.h, "The record store"). The probe keeps the array in its
 * procs map and the unit tests in plain memory; both run this code, so
 * placing, finding and making room for records is tested as the kernel
 * does it.
 *
 * Its owner defines fw_store_slot(idx), the slot at idx (0 to
 * 2^FW_STORE_BITS - 1) or 0, after including this file (the probe: a map
 * lookup, which BCC rewrites only in a function body), and may define
 * FW_STORE_BITS (default FW_PROC_SLOT_BITS, the probe's compile-time size).
 */
#ifndef FORKWATCH_STORE_H
#define FORKWATCH_STORE_H

#ifndef FW_STORE_BITS
#define FW_STORE_BITS FW_PROC_SLOT_BITS
#endif

FW_INLINE struct fw_proc *fw_store_slot(__u32 idx);

FW_INLINE struct fw_proc *fw_store_at(__u32 k, __u32 choice)
{
	return fw_store_slot(fw_proc_slot_in(k, choice, FW_STORE_BITS));
}

/* The record of tgid k, or 0. */
FW_INLINE struct fw_proc *fw_store_get(__u32 k)
{
	struct fw_proc *r;

	if (!k)
		return 0;
	r = fw_store_at(k, 0);
	if (!r || r->tgid == k)
		return r;
	if (!r->moved)
		return 0; /* nothing of its first choice sits elsewhere */
	r = fw_store_at(k, 1);
	if (!r || r->tgid == k)
		return r;
	r = fw_store_at(k, 2);
	return r && r->tgid == k ? r : 0;
}

/* *r into slot, whose count of moved records stays. */
FW_INLINE void fw_store_fill(struct fw_proc *slot, __u32 k, struct fw_proc *r)
{
	__u32 moved = slot->moved;

	r->tgid = k;
	__builtin_memcpy(slot, r, sizeof(*r));
	slot->moved = moved;
}

/* A copy of *r as k's record, unless k has one or all of k's slots hold
 * records of others: 0 on success. */
FW_INLINE int fw_store_new(__u32 k, struct fw_proc *r)
{
	struct fw_proc *first, *slot;

	if (!k || fw_store_get(k))
		return -1;
	first = fw_store_at(k, 0);
	if (!first)
		return -1;
	if (!first->tgid) {
		fw_store_fill(first, k, r);
		return 0;
	}
	/* The first choice holds another live record: the next free one. */
	slot = fw_store_at(k, 1);
	if (!slot)
		return -1;
	if (slot->tgid) {
		slot = fw_store_at(k, 2);
		if (!slot || slot->tgid)
			return -1;
	}
	fw_store_fill(slot, k, r);
	FW_ADD(&first->moved, 1);
	return 0;
}

FW_INLINE void fw_store_del(__u32 k)
{
	struct fw_proc *r = fw_store_get(k), *first;

	if (!r)
		return;
	r->tgid = 0;
	first = fw_store_at(k, 0);
	if (first && first != r && first->moved)
		FW_ADD(&first->moved, -1);
}

/* Which record may give its slot to k, whose slots are all taken: the
 * tgid of the first of them fw_rec_evictable lets go, never keep's (a
 * record the caller holds), or 0. */
FW_INLINE __u32 fw_store_victim(__u32 k, __u32 keep, __u64 now, const struct fw_config *cfg)
{
	struct fw_proc *r;
	__u32 c;

FW_UNROLL
	for (c = 0; c < FW_PROC_CHOICES; c++) {
		r = fw_store_at(k, c);
		if (r && r->tgid && r->tgid != keep && fw_rec_evictable(r, now, cfg))
			return r->tgid;
	}
	return 0;
}

/* The store as the model reaches it (forkwatch_model.h). */
#define FW_REC_GET(k) fw_store_get(k)
#define FW_REC_NEW(k, r) fw_store_new((k), (r))
#define FW_REC_DEL(k) fw_store_del(k)
#define FW_REC_VICTIM(k, keep, now, cfg) fw_store_victim((k), (keep), (now), (cfg))

#endif /* FORKWATCH_STORE_H */
