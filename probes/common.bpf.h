/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every part of the probe shares: the settings written by user space,
 * the per-CPU statistics that Prometheus and the summary read, and the
 * detector's lineage maps, which containment reads too.
 */
#ifndef FW_EMBEDDED
#include "forkwatch_logic.h" /* the embedded source has it inlined above */
#endif

BPF_ARRAY(config, struct fw_config, 1);
BPF_PERCPU_ARRAY(stats, u64, FW_STAT_COUNT);
/* Processes created since start, one slot, as the original exercise had it
 * (bpftool map dump name process_count); updated atomically. */
BPF_ARRAY(process_count, u64, 1);

#ifndef FW_MAX_PROCS
#define FW_MAX_PROCS 32768
#endif
#ifndef FW_MAX_TREES
#define FW_MAX_TREES 8192
#endif

BPF_HASH(procs, u32, struct fw_proc, FW_MAX_PROCS);
BPF_HASH(trees, u32, struct fw_tree, FW_MAX_TREES);
BPF_HASH(forkers, u32, struct fw_forker, FW_MAX_TREES);
BPF_PERF_OUTPUT(alerts);
/* Alerts are built here, not on the 512-byte BPF stack: per CPU, and
 * tracepoint programs do not nest on a CPU, so one slot serves. */
BPF_PERCPU_ARRAY(alert_scratch, struct fw_alert, 1);
BPF_PERCPU_ARRAY(proc_scratch, struct fw_proc, 1); /* a new process's record, built */
BPF_ARRAY(tree_zero, struct fw_tree, 1);           /* never written: a new tree's value */

static __always_inline void fw_stat(u32 idx)
{
	u64 *v = stats.lookup(&idx);

	if (v)
		(*v)++;
}

/* An empty alert to fill and submit, or NULL. */
static __always_inline struct fw_alert *fw_alert_new(void)
{
	u32 zero = 0;
	struct fw_alert *a = alert_scratch.lookup(&zero);

	if (a)
		__builtin_memset(a, 0, sizeof(*a));
	return a;
}

static __always_inline struct fw_forker *fw_forker_of(u32 tgid)
{
	struct fw_forker zero = {};

	forkers.insert(&tgid, &zero); /* no-op when present */
	return forkers.lookup(&tgid);
}

static __always_inline struct fw_config *fw_config_get(void)
{
	u32 zero = 0;

	return config.lookup(&zero);
}
