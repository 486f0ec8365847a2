/* SPDX-License-Identifier: GPL-2.0 */
/* What mem_limit.bpf.c and mem_limit.c share. Fixed-width types only. */
#ifndef MEM_LIMIT_H
#define MEM_LIMIT_H

#define ML_MAX_TARGETS 256
#define ML_MAX_PROCS 16384

enum ml_reason { ML_ONE_MAP = 1, ML_TOTAL = 2 };
enum ml_counter { ML_COUNT_KILLED, ML_COUNT_MAPS, ML_COUNT_LOST, ML_COUNT_UNTRACKED, ML_COUNTERS };

struct ml_comm_key {
	char comm[16];
};

/* Per process (tgid), since it was first seen: anonymous memory mapped by
 * mmap (less what munmap gave back) and the heap's growth by brk. */
struct ml_usage {
	__u64 mapped;
	__u64 brk_base;
	__u64 brk_cur;
	__u64 killed;
};

struct ml_event {
	__u32 pid;
	__u32 tgid;
	__u32 uid;
	__u32 reason;
	__u64 request; /* bytes this call asked for */
	__u64 total;   /* what the process would hold with it */
	__u64 limit;
	char comm[16];
};

#endif
