/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bcc-forkwatch probe, compiled at run time by libbcc.
 *
 * Counting happens here, in the kernel: user space hears about a process
 * only when it crosses a threshold. task:task_newtask (every new task, in
 * the creator's context, with clone_flags) drives the counters and the
 * lineage; sched:sched_process_exit keeps the live counts; entry probes on
 * the clone/clone3/fork/vfork syscalls (kprobes, or syscalls tracepoints as
 * a fallback) record which syscall made each task.
 *
 * No kernel struct is dereferenced: tracepoint fields come from tracefs and
 * the rest from helpers, so headers that do not match the running kernel
 * are harmless.
 *
 * Build-time switches (validated integers from user space):
 *   FW_EXIT_HAS_GROUP_DEAD   sched_process_exit has the group_dead field
 *   FW_TP_EXEC               sched:sched_process_exec exists
 *   FW_TP_ENTRY_<SYSCALL>    syscalls:sys_enter_<syscall> exists
 *   FW_KILL                  containment (kill.bpf.c) is compiled in
 */
#ifndef FW_EMBEDDED
#include "forkwatch_logic.h" /* the embedded source has these inlined above */
#include "common.bpf.h"
#include "events.bpf.c"
#include "kill.bpf.c"
#endif

#define FW_CLONE_THREAD 0x00010000ULL /* uapi CLONE_THREAD, stable ABI */
#define FW_CLONE_PARENT 0x00008000ULL /* uapi CLONE_PARENT: the child gets the creator's parent */

BPF_HASH(pending, u32, u32, FW_MAX_TREES); /* thread id -> syscall being made */

/* The figures of an alert. */
struct fw_figures {
	u32 count;        /* what crossed the threshold */
	u32 threshold;
	u32 window_count; /* creations in the window (by the process or the tree) */
	u32 live;
	u32 burst_created;
};

/* An offender is over its threshold: one alert per window (the rest are
 * counted and reported with the next one). */
static __always_inline void fw_report(void *ctx, struct fw_ratelimit *rl,
				      const struct fw_config *cfg, u32 kind, u32 stat, u64 now,
				      u64 id, u32 child, u32 syscall, const struct fw_proc *creator,
				      const struct fw_figures *fig)
{
	u32 suppressed = 0;
	struct fw_alert *a;

	if (!fw_ratelimit_pass(rl, now, cfg->window_ns, &suppressed)) {
		fw_stat(FW_STAT_SUPPRESSED);
		return;
	}
	a = fw_alert_new();
	if (!a)
		return;
	a->count = fig->count;
	a->threshold = fig->threshold;
	a->window_count = fig->window_count;
	a->live = fig->live;
	a->burst_created = fig->burst_created;
	a->ts_ns = now;
	a->kind = kind;
	a->pid = (u32)id;
	a->tgid = id >> 32;
	a->uid = (u32)bpf_get_current_uid_gid();
	a->child = child;
	a->syscall = syscall;
	a->suppressed = suppressed;
	bpf_get_current_comm(&a->comm, sizeof(a->comm));
	if (creator) {
		a->ppid = creator->ppid;
		a->root = creator->root;
	} else {
		a->root = a->tgid; /* an untracked creator roots its own tree */
	}
	fw_stat(stat);
	if (alerts.perf_submit(ctx, a, sizeof(*a)) < 0)
		fw_stat(FW_STAT_ALERTS_LOST);
}

static __always_inline int fw_entry(u32 syscall)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();

	pending.update(&tid, &syscall);
	fw_stat(FW_STAT_CALLS + syscall);
	return 0;
}

/* Entry probes. The kprobe variants are attached to whatever symbols probe
 * choice found in kallsyms; they read no arguments. */
int fw_kp_clone(struct pt_regs *ctx) { return fw_entry(FW_SYS_CLONE); }
int fw_kp_clone3(struct pt_regs *ctx) { return fw_entry(FW_SYS_CLONE3); }
int fw_kp_fork(struct pt_regs *ctx) { return fw_entry(FW_SYS_FORK); }
int fw_kp_vfork(struct pt_regs *ctx) { return fw_entry(FW_SYS_VFORK); }
int fw_kp_other(struct pt_regs *ctx) { return fw_entry(FW_SYS_OTHER); }

#ifdef FW_TP_ENTRY_CLONE
TRACEPOINT_PROBE(syscalls, sys_enter_clone) { return fw_entry(FW_SYS_CLONE); }
#endif
#ifdef FW_TP_ENTRY_CLONE3
TRACEPOINT_PROBE(syscalls, sys_enter_clone3) { return fw_entry(FW_SYS_CLONE3); }
#endif
#ifdef FW_TP_ENTRY_FORK
TRACEPOINT_PROBE(syscalls, sys_enter_fork) { return fw_entry(FW_SYS_FORK); }
#endif
#ifdef FW_TP_ENTRY_VFORK
TRACEPOINT_PROBE(syscalls, sys_enter_vfork) { return fw_entry(FW_SYS_VFORK); }
#endif

static __always_inline void fw_new_thread(void *ctx, const struct fw_config *cfg, u64 now,
					  u64 id, u32 child, u32 syscall)
{
	u32 tgid = id >> 32, rate;
	struct fw_forker *f;
	struct fw_figures fig = {};

	fw_stat(FW_STAT_THREADS);
	fw_stat(FW_STAT_THREADS_BY + syscall);
	if (!cfg->threads_enabled)
		return;
	f = fw_forker_of(tgid);
	if (!f)
		return;
	FW_ADD(&f->live_threads, 1);
	rate = fw_window_add(&f->threads, now, cfg->window_ns);
#ifdef FW_KILL
	fw_kill_check_thread(ctx, cfg, now, id, child, syscall, f, rate);
#endif
	if (rate < cfg->thread_threshold)
		return;
	fig.count = rate;
	fig.threshold = cfg->thread_threshold;
	fig.window_count = rate;
	fig.live = f->live_threads > 0 ? f->live_threads : 0;
	fw_report(ctx, &f->thread_rl, cfg, FW_ALERT_THREADS, FW_STAT_ALERTS_THREADS, now, id, child,
		  syscall, procs.lookup(&tgid), &fig);
}

static __always_inline void fw_new_process(void *ctx, const struct fw_config *cfg, u64 now,
					   u64 id, u32 child, u32 syscall)
{
	u32 tgid = id >> 32, rate, zero = 0;
	struct fw_proc *creator = procs.lookup(&tgid);
	struct fw_proc *rec = proc_scratch.lookup(&zero);
	struct fw_tree *fresh = tree_zero.lookup(&zero);
	u64 *count = process_count.lookup(&zero);
	struct fw_tree *t;
	struct fw_forker *f;
	s32 burst_live;

	fw_stat(FW_STAT_PROCS);
	fw_stat(FW_STAT_PROCS_BY + syscall);
	if (count)
		FW_ADD(count, 1);
	if (!rec || !fresh)
		return;

	__builtin_memset(rec, 0, sizeof(*rec));
	fw_lineage_child(rec, creator, tgid, child, now);
	bpf_get_current_comm(&rec->comm, sizeof(rec->comm));
	trees.insert(&rec->root, fresh);
	t = trees.lookup(&rec->root);
	if (!t || procs.update(&child, rec) != 0) {
		fw_stat(FW_STAT_UNTRACKED);
		return;
	}
	burst_live = fw_tree_join(t, now, cfg);

	if (burst_live >= (s32)cfg->tree_threshold) {
		struct fw_figures fig = {
			.count = burst_live,
			.threshold = cfg->tree_threshold,
			.window_count = fw_window_estimate(&t->joins, now, cfg->window_ns),
			.live = t->live > 0 ? t->live : 0,
			.burst_created = t->burst_created,
		};

		fw_report(ctx, &t->rl, cfg, FW_ALERT_TREE, FW_STAT_ALERTS_TREE, now, id, child, syscall,
			  creator, &fig);
	}

	f = fw_forker_of(tgid);
	if (!f)
		return;
	rate = fw_window_add(&f->procs, now, cfg->window_ns);
	FW_ADD(&f->children, 1);
#ifdef FW_KILL
	if (cfg->kill)
		fw_kill_check_process(ctx, cfg, now, id, child, syscall, creator, rec, t, f,
				      burst_live, rate);
#endif
	if (rate >= cfg->proc_threshold) {
		struct fw_figures fig = {
			.count = rate,
			.threshold = cfg->proc_threshold,
			.window_count = rate,
			.live = t->live > 0 ? t->live : 0,
			.burst_created = t->burst_created,
		};

		fw_report(ctx, &f->proc_rl, cfg, FW_ALERT_PROCESS, FW_STAT_ALERTS_PROCESS, now, id, child,
			  syscall, creator, &fig);
	}
}

TRACEPOINT_PROBE(task, task_newtask)
{
	u64 id = bpf_get_current_pid_tgid();
	u64 now = bpf_ktime_get_ns();
	u32 tid = (u32)id, child = args->pid, syscall = FW_SYS_NONE;
	struct fw_config *cfg = fw_config_get();
	u32 *made_by;

	if (!cfg || cfg->window_ns == 0)
		return 0; /* not configured yet */
	made_by = pending.lookup(&tid);
	if (made_by) {
		syscall = *made_by < FW_SYS_COUNT ? *made_by : FW_SYS_OTHER;
		pending.delete(&tid);
	}
	if (cfg->events || cfg->filter) {
		int is_thread = (args->clone_flags & FW_CLONE_THREAD) != 0;
		u32 tgid = id >> 32, ppid = tgid;

		/* A thread's process keeps its parent; CLONE_PARENT children get
		 * the creator's. Known here only for processes we track. */
		if (is_thread || (args->clone_flags & FW_CLONE_PARENT)) {
			struct fw_proc *creator = procs.lookup(&tgid);

			ppid = creator ? creator->ppid : 0;
		}
		fw_event_task(args, cfg, now, id, child, syscall, is_thread, ppid);
	}
	if (args->clone_flags & FW_CLONE_THREAD)
		fw_new_thread(args, cfg, now, id, child, syscall);
	else
		fw_new_process(args, cfg, now, id, child, syscall);
	return 0;
}

TRACEPOINT_PROBE(sched, sched_process_exit)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id, tgid = id >> 32;
	struct fw_proc *rec;
	struct fw_tree *t;
	struct fw_forker *f;

	pending.delete(&tid);
#ifdef FW_EXIT_HAS_GROUP_DEAD
	int last_thread = args->group_dead;
#else
	int last_thread = tid == tgid; /* older kernels: the leader's exit ends the process */
#endif
	if (!last_thread) {
		f = forkers.lookup(&tgid);
		if (f && f->live_threads > 0)
			FW_ADD(&f->live_threads, -1);
		return 0;
	}

	fw_stat(FW_STAT_EXITS);
	fw_event_exit(fw_config_get(), tgid);
#ifdef FW_KILL
	/* Dooms outlive their root (a bash bomb's root is gone before it is
	 * named); a reused pid clears its own at creation. */
	kthreads.delete(&tgid);
#endif
	rec = procs.lookup(&tgid);
	if (rec) {
		u32 root = rec->root;

		t = trees.lookup(&root);
		if (t) {
			fw_tree_leave(t, rec->created_ns);
			if (fw_tree_done(t))
				trees.delete(&root);
		}
		procs.delete(&tgid);
	}
	t = trees.lookup(&tgid);
	if (t) {
		t->root_gone = 1;
		if (fw_tree_done(t))
			trees.delete(&tgid);
	}
	forkers.delete(&tgid);
	return 0;
}

#ifdef FW_TP_EXEC
/* Keep the recorded command name current, for reports about members, and
 * note the exec: naming the root of a burst tells copies from new programs. */
TRACEPOINT_PROBE(sched, sched_process_exec)
{
	u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct fw_proc *rec = procs.lookup(&tgid);

	if (rec) {
		bpf_get_current_comm(&rec->comm, sizeof(rec->comm));
		rec->flags |= FW_PROC_EXECD;
	}
	return 0;
}
#endif
