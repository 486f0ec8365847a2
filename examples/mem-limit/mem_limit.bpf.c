// SPDX-License-Identifier: GPL-2.0
/*
 * mem-limit's probe: a target process (by comm) that asks for more
 * anonymous memory than its limit, in one mmap or in total (anonymous
 * mmaps less munmaps, plus the heap's growth by brk), is killed at that
 * call's entry, before the mapping exists. Syscall tracepoints only.
 */
#include <linux/sched.h>
#include <uapi/linux/mman.h>

BPF_HASH(limits, struct ml_comm_key, u64, ML_MAX_TARGETS);
BPF_HASH(usage, u32, struct ml_usage, ML_MAX_PROCS);
BPF_HASH(pending_mmap, u32, u64, ML_MAX_PROCS);	  /* tid -> length, enter to exit */
BPF_HASH(pending_munmap, u32, u64, ML_MAX_PROCS); /* tid -> length */
BPF_PERCPU_ARRAY(counters, u64, ML_COUNTERS);
BPF_PERF_OUTPUT(events);

#define ML_PAGE_ALIGN(x) (((x) + 4095ULL) & ~4095ULL)

static __always_inline void ml_count(int which)
{
	u64 *c = counters.lookup(&which);

	if (c)
		(*c)++;
}

/* The current process's limit, or 0 when it is not a target. */
static __always_inline u64 ml_limit(void)
{
	struct ml_comm_key key = {};
	u64 *limit;

	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	limit = limits.lookup(&key);
	return limit ? *limit : 0;
}

static __always_inline struct ml_usage *ml_usage_of(u32 tgid)
{
	struct ml_usage zero = {}, *u = usage.lookup(&tgid);

	if (u)
		return u;
	if (usage.insert(&tgid, &zero) < 0) {
		ml_count(ML_COUNT_UNTRACKED);
		return NULL;
	}
	return usage.lookup(&tgid);
}

static __always_inline u64 ml_heap(const struct ml_usage *u)
{
	return u->brk_cur > u->brk_base ? u->brk_cur - u->brk_base : 0;
}

/* Kills the caller once and reports it. */
static __always_inline void ml_kill(void *ctx, struct ml_usage *u, u32 reason, u64 request,
				    u64 total, u64 limit)
{
	struct ml_event e = {};
	u64 id = bpf_get_current_pid_tgid();

	bpf_send_signal(9);
	if (u->killed)
		return;
	u->killed = 1;
	ml_count(ML_COUNT_KILLED);
	e.pid = (u32)id;
	e.tgid = id >> 32;
	e.uid = (u32)bpf_get_current_uid_gid();
	e.reason = reason;
	e.request = request;
	e.total = total;
	e.limit = limit;
	bpf_get_current_comm(&e.comm, sizeof(e.comm));
	if (events.perf_submit(ctx, &e, sizeof(e)) < 0)
		ml_count(ML_COUNT_LOST);
}

TRACEPOINT_PROBE(syscalls, sys_enter_mmap)
{
	u64 id = bpf_get_current_pid_tgid(), len, limit, total;
	u32 tid = (u32)id;
	struct ml_usage *u;

	if (!(args->flags & MAP_ANONYMOUS))
		return 0;
	limit = ml_limit();
	if (!limit)
		return 0;
	u = ml_usage_of(id >> 32);
	if (!u)
		return 0;
	ml_count(ML_COUNT_MAPS);
	len = ML_PAGE_ALIGN((u64)args->len);
	total = u->mapped + ml_heap(u) + len;
	if (len > limit) {
		ml_kill(args, u, ML_ONE_MAP, len, total, limit);
		return 0;
	}
	if (total > limit) {
		ml_kill(args, u, ML_TOTAL, len, total, limit);
		return 0;
	}
	pending_mmap.update(&tid, &len);
	return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_mmap)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id, tgid = id >> 32;
	struct ml_usage *u;
	u64 *len = pending_mmap.lookup(&tid);

	if (!len)
		return 0;
	u = usage.lookup(&tgid);
	if (u && args->ret >= 0) /* an address, or -errno */
		__sync_fetch_and_add(&u->mapped, *len);
	pending_mmap.delete(&tid);
	return 0;
}

TRACEPOINT_PROBE(syscalls, sys_enter_munmap)
{
	u64 id = bpf_get_current_pid_tgid(), len;
	u32 tid = (u32)id, tgid = id >> 32;

	if (!usage.lookup(&tgid))
		return 0;
	len = ML_PAGE_ALIGN((u64)args->len);
	pending_munmap.update(&tid, &len);
	return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_munmap)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id, tgid = id >> 32;
	u64 *len = pending_munmap.lookup(&tid);
	struct ml_usage *u;

	if (!len)
		return 0;
	u = usage.lookup(&tgid);
	/* File mappings unmapped count too: the total errs low, never high. */
	if (u && args->ret == 0)
		u->mapped = u->mapped > *len ? u->mapped - *len : 0;
	pending_munmap.delete(&tid);
	return 0;
}

TRACEPOINT_PROBE(syscalls, sys_enter_brk)
{
	u64 id = bpf_get_current_pid_tgid(), limit, want = (u64)args->brk, total;
	struct ml_usage *u;

	limit = ml_limit();
	if (!limit || !want)
		return 0;
	u = ml_usage_of(id >> 32);
	if (!u || !u->brk_base || want <= u->brk_cur)
		return 0;
	total = u->mapped + (want - u->brk_base);
	if (total > limit)
		ml_kill(args, u, ML_TOTAL, want - u->brk_cur, total, limit);
	return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_brk)
{
	u64 id = bpf_get_current_pid_tgid(), brk = (u64)args->ret;
	u32 tgid = id >> 32;
	struct ml_usage *u;

	if (!ml_limit())
		return 0;
	u = ml_usage_of(tgid);
	if (!u)
		return 0;
	if (!u->brk_base)
		u->brk_base = brk; /* the first break seen: growth counts from here */
	u->brk_cur = brk;
	return 0;
}

/* A new program image has a new address space; a process that ends frees its own. */
TRACEPOINT_PROBE(sched, sched_process_exec)
{
	u32 tgid = bpf_get_current_pid_tgid() >> 32;

	usage.delete(&tgid);
	return 0;
}

TRACEPOINT_PROBE(sched, sched_process_exit)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, tid = (u32)id;

	pending_mmap.delete(&tid);
	pending_munmap.delete(&tid);
	if (tid == tgid)
		usage.delete(&tgid);
	return 0;
}
