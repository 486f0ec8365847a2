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

static __always_inline void fw_stat(u32 idx)
{
	u64 *v = stats.lookup(&idx);

	if (v)
		(*v)++;
}

static __always_inline struct fw_config *fw_config_get(void)
{
	u32 zero = 0;

	return config.lookup(&zero);
}
