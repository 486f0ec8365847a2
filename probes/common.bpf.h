/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every part of the probe shares: the settings written by user space,
 * the per-CPU statistics that Prometheus and the summary read, and the
 * record store the model (forkwatch_model.h) works on, which containment
 * reads too.
 */
#ifndef FW_EMBEDDED
#include "forkwatch_logic.h" /* the embedded source has these inlined above */
#include "forkwatch_store.h"
#endif

BPF_ARRAY(config, struct fw_config, 1);
BPF_PERCPU_ARRAY(stats, u64, FW_STAT_COUNT);
/* Processes created since start, one slot, as the original exercise had it
 * (bpftool map dump name process_count). User space writes it from the
 * per-CPU count each poll round: one shared counter written by every CPU
 * at every fork would cost more than the rest of the bookkeeping. */
BPF_ARRAY(process_count, u64, 1);

/* One record per process (created while watching, or older and seen to
 * create or exec), in the store forkwatch_store.h keeps: FW_PROC_SLOTS of
 * them, set by --records. */
BPF_ARRAY(procs, struct fw_proc, FW_PROC_SLOTS);

/* Records to user space: one ring buffer shared by the CPUs where the
 * kernel has them (5.8 on: FW_RINGBUF, with the sizes in pages), else a
 * perf buffer per CPU. A ring buffer record costs a reservation and a
 * copy; a perf buffer's goes through perf's output path, which on the
 * bench machine cost about a microsecond per event. */
#define FW_RB_NO_WAKEUP 1ULL    /* uapi BPF_RB_NO_WAKEUP */
#define FW_RB_FORCE_WAKEUP 2ULL /* uapi BPF_RB_FORCE_WAKEUP */
#ifdef FW_RINGBUF
BPF_RINGBUF_OUTPUT(alerts, FW_ALERT_PAGES);
#else
BPF_PERF_OUTPUT(alerts);
#endif
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

/* The store's slots (forkwatch_store.h). A function, since BCC rewrites
 * map calls only outside macros. */
static __always_inline struct fw_proc *fw_store_slot(u32 idx)
{
	return procs.lookup(&idx);
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

/* A verdict (or a note) to user space, which is woken at once: 0, or < 0
 * when the buffer had no room. */
static __always_inline int fw_alert_send(void *ctx, struct fw_alert *a)
{
#ifdef FW_RINGBUF
	return alerts.ringbuf_output(a, sizeof(*a), 0);
#else
	return alerts.perf_submit(ctx, a, sizeof(*a));
#endif
}

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
