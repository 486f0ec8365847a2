/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every part of the probe shares: the settings written by user space,
 * the per-CPU statistics that Prometheus and the summary read, and the
 * record store the model (forkwatch_model.h) works on, which containment
 * reads too.
 */
#ifndef FW_EMBEDDED
#include "forkwatch_logic.h" /* the embedded source has it inlined above */
#endif

BPF_ARRAY(config, struct fw_config, 1);
BPF_PERCPU_ARRAY(stats, u64, FW_STAT_COUNT);
/* Processes created since start, one slot, as the original exercise had it
 * (bpftool map dump name process_count). User space writes it from the
 * per-CPU count each poll round: one shared counter written by every CPU
 * at every fork would cost more than the rest of the bookkeeping. */
BPF_ARRAY(process_count, u64, 1);

/* One record per process (created while watching, or older and seen to
 * create or exec), in the store FW_PROC_SLOTS describes. */
BPF_ARRAY(procs, struct fw_proc, FW_PROC_SLOTS);
BPF_PERF_OUTPUT(alerts);
/* Verdicts are built here, not on the 512-byte BPF stack: per CPU, and
 * tracepoint programs do not nest on a CPU, so one slot serves. */
BPF_PERCPU_ARRAY(alert_scratch, struct fw_alert, 1);
BPF_PERCPU_ARRAY(proc_scratch, struct fw_proc, 1); /* a new record, built */

static __always_inline void fw_stat(u32 idx)
{
	u64 *v = stats.lookup(&idx);

	if (v)
		(*v)++;
}

/* The record store of forkwatch_model.h. Functions, since BCC rewrites
 * map calls only outside macros. */
static __always_inline struct fw_proc *fw_slot(u32 k, u32 choice)
{
	u32 slot = fw_proc_slot(k, choice);

	return procs.lookup(&slot);
}

static __always_inline struct fw_proc *fw_rec_get(u32 k)
{
	struct fw_proc *r;

	if (!k)
		return 0;
	r = fw_slot(k, 0);
	if (!r || r->tgid == k)
		return r;
	if (!r->moved)
		return 0; /* nothing of its first choice sits elsewhere */
	r = fw_slot(k, 1);
	if (!r || r->tgid == k)
		return r;
	r = fw_slot(k, 2);
	return r && r->tgid == k ? r : 0;
}

/* *r into slot, whose count of moved records stays. */
static __always_inline void fw_slot_fill(struct fw_proc *slot, u32 k, struct fw_proc *r)
{
	u32 moved = slot->moved;

	r->tgid = k;
	__builtin_memcpy(slot, r, sizeof(*r));
	slot->moved = moved;
}

/* A copy of *r as k's record, unless k has one: 0 on success. */
static __always_inline int fw_rec_new(u32 k, struct fw_proc *r)
{
	struct fw_proc *first, *slot;
	u32 idx;

	if (!k || fw_rec_get(k))
		return -1;
	first = fw_slot(k, 0);
	if (!first)
		return -1;
	if (!first->tgid) {
		fw_slot_fill(first, k, r);
		return 0;
	}
	/* The first choice holds another live record: the next free one. */
	idx = fw_proc_slot(k, 1);
	slot = procs.lookup(&idx);
	if (!slot)
		return -1;
	if (slot->tgid) {
		idx = fw_proc_slot(k, 2);
		slot = procs.lookup(&idx);
		if (!slot || slot->tgid)
			return -1;
	}
	fw_slot_fill(slot, k, r);
	FW_ADD(&first->moved, 1);
	return 0;
}

/* k's record becomes a copy of *r, made if need be: 0 on success. */
static __always_inline int fw_rec_set(u32 k, struct fw_proc *r)
{
	struct fw_proc *cur = fw_rec_get(k);

	if (!cur)
		return fw_rec_new(k, r);
	fw_slot_fill(cur, k, r);
	return 0;
}

static __always_inline void fw_rec_del(u32 k)
{
	struct fw_proc *r = fw_rec_get(k), *first;

	if (!r)
		return;
	r->tgid = 0;
	first = fw_slot(k, 0);
	if (first && first != r && first->moved)
		FW_ADD(&first->moved, -1);
}

/* The running state shared with user space (struct fw_state). */
BPF_ARRAY(state, struct fw_state, 1);

static __always_inline struct fw_state *fw_state_get(void)
{
	u32 zero = 0;

	return state.lookup(&zero);
}

/* Containment acted: the returns are wanted (struct fw_state). Written
 * coarsely, since every CPU may do it. */
static __always_inline void fw_hot(u64 now)
{
	struct fw_state *st = fw_state_get();

	if (st && (s64)(now - st->hot_ns) >= (s64)FW_HOT_GRAIN_NS)
		st->hot_ns = now;
}

/* A candidate for user space to look at (struct fw_candidate): a new one,
 * a spawner at every power of two of its live children, else coarsely. */
BPF_ARRAY(candidates, struct fw_candidate, FW_CANDIDATES);

static __always_inline void fw_near_limit(u64 now, u32 tgid, u32 kids)
{
	u32 slot = tgid % FW_CANDIDATES;
	struct fw_candidate *c = candidates.lookup(&slot);
	struct fw_state *st;

	if (!c || (c->tgid == tgid && (kids & (kids - 1)) != 0 &&
		   (s64)(now - c->ns) < (s64)FW_HOT_GRAIN_NS))
		return;
	c->ns = now;
	c->tgid = tgid;
	c->kids = kids;
	st = fw_state_get();
	if (st)
		st->candidate_ns = now;
}

#define FW_REC_GET(k) fw_rec_get(k)
#define FW_REC_NEW(k, r) fw_rec_new((k), (r))
#define FW_REC_SET(k, r) fw_rec_set((k), (r))
#define FW_REC_DEL(k) fw_rec_del(k)
#define FW_STAT(i) fw_stat(i)
#define FW_NEAR_LIMIT(now, t, kids) fw_near_limit((now), (t), (kids))

#ifdef FW_KILL
#ifndef FW_MAX_DOOMED
#define FW_MAX_DOOMED 4096
#endif
BPF_HASH(marks, u32, struct fw_doom, FW_MAX_DOOMED); /* doomed lineages, by root */

static __always_inline struct fw_doom *fw_doom_get(u32 k)
{
	return marks.lookup(&k);
}
#define FW_DOOM_GET(k) fw_doom_get(k)
#endif

#ifndef FW_EMBEDDED
#include "forkwatch_model.h" /* the embedded source has it next */
#endif

/* Where a verdict is built (fw_verdict_root clears it), or NULL. */
static __always_inline struct fw_alert *fw_alert_new(void)
{
	u32 zero = 0;

	return alert_scratch.lookup(&zero);
}

static __always_inline struct fw_proc *fw_scratch(void)
{
	u32 zero = 0;

	return proc_scratch.lookup(&zero);
}

static __always_inline struct fw_config *fw_config_get(void)
{
	u32 zero = 0;

	return config.lookup(&zero);
}
