/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bcc-forkwatch probe, compiled at run time by libbcc.
 *
 * The model of runaway creation (forkwatch_logic.h, forkwatch_model.h)
 * runs here, in the kernel: user space hears about a process only when a
 * rule names it. task:task_newtask (every new task, in the creator's
 * context, with clone_flags) drives the records; sched_process_exec tells
 * copies from new programs; sched_process_exit ends records; the returns
 * of the creation syscalls show failed creations (kretprobes, or syscalls
 * tracepoints that user space attaches only while the model asks for them:
 * struct fw_state) and, with containment, a doomed child's first return;
 * entry probes on the clone/clone3/fork/vfork syscalls (kprobes, or with
 * --syscalls tracepoints) record which syscall made each task.
 *
 * No kernel struct is dereferenced: tracepoint fields come from tracefs and
 * the rest from helpers, so headers that do not match the running kernel
 * are harmless.
 *
 * Build-time switches (validated integers from user space):
 *   FW_EXIT_HAS_GROUP_DEAD   sched_process_exit has the group_dead field
 *   FW_TP_EXEC               sched:sched_process_exec exists
 *   FW_TP_ENTRY_<SYSCALL>    syscalls:sys_enter_<syscall> exists
 *   FW_TP_RETURN_<SYSCALL>   the first of syscalls:sys_exit_{clone,clone3,fork,vfork}
 *                            that exists: one program for the returns of all four
 *   FW_KILL                  containment (kill.bpf.c) is compiled in
 *   FW_CGROUP_ID             bpf_get_current_cgroup_id exists (4.18): alerts carry
 *                            the creator's cgroup
 *   FW_PROC_SLOT_BITS        the record store holds 2^N records (--records)
 *   FW_RINGBUF               records go out through ring buffers of FW_ALERT_PAGES
 *                            and FW_EVENT_PAGES pages (the kernel has them)
 */
#ifndef FW_EMBEDDED
#include "forkwatch_logic.h" /* the embedded source has these inlined above */
#include "common.bpf.h"
#include "events.bpf.c"
#include "kill.bpf.c"
#endif

#define FW_CLONE_THREAD 0x00010000ULL /* uapi CLONE_THREAD, stable ABI */
#define FW_CLONE_PARENT 0x00008000ULL /* uapi CLONE_PARENT: the child gets the creator's parent */

BPF_HASH(pending, u32, u32, 8192); /* thread id -> syscall being made */

/* A verdict (a, filled by the model or by a kill check) about the current
 * task: containment decides what to do, then it goes to user space. */
static __always_inline void fw_submit(void *ctx, const struct fw_config *cfg, struct fw_alert *a,
				      u64 now, u64 id, u32 child, u32 syscall,
				      const struct fw_proc *cur, int contain)
{
	a->ts_ns = now;
	a->pid = (u32)id;
	a->tgid = id >> 32;
	a->uid = (u32)bpf_get_current_uid_gid();
	a->child = child;
	a->syscall = syscall;
	a->ppid = cur ? cur->ppid : 0;
	bpf_get_current_comm(&a->comm, sizeof(a->comm));
#ifdef FW_KILL
	if (contain && fw_contain(cfg, a, a->tgid, cur) < 0)
		return; /* its root is doomed already */
	if (a->action == FW_ACT_KILL || a->action == FW_ACT_DRY_RUN)
		fw_hot(now); /* a doomed child dies at its first return */
#endif
	/* A repeat within the window is reported only with the kill it starts. */
	if (a->repeat && a->action != FW_ACT_KILL && a->action != FW_ACT_DRY_RUN) {
		fw_stat(FW_STAT_SUPPRESSED);
		return;
	}
	if (a->kind < FW_RULES)
		fw_stat(FW_STAT_ALERTS + a->kind);
#ifdef FW_CGROUP_ID
	/* Read here, once per verdict sent: under --kill a bomb's members
	 * may all be dead before user space reads /proc. */
	a->cgroup_id = bpf_get_current_cgroup_id();
#endif
	if (fw_alert_send(ctx, a) < 0)
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
					  u64 id, u32 child, u32 syscall, u32 uid, const char *comm)
{
	u32 tgid = id >> 32, rate, supp = 0;
	struct fw_proc *f;
	struct fw_proc *scratch = fw_scratch();
	struct fw_alert *a;

	fw_stat(FW_STAT_THREADS);
	fw_stat(FW_STAT_THREADS_BY + syscall);
	if (!cfg->threads_enabled || !scratch)
		return;
	f = fw_rec_of_creator(cfg, tgid, uid, comm, scratch, now);
	if (!f)
		return;
	FW_ADD(&f->live_threads, 1);
	rate = fw_window_add(&f->threads, now, cfg->window_ns);
#ifdef FW_KILL
	if (fw_kill_check_thread(cfg, tgid, uid, f, rate)) {
		a = fw_alert_new();
		if (a) {
			fw_verdict_root(a, FW_RULE_THREADS, tgid, f, now, cfg);
			a->count = rate;
			a->threshold = cfg->kill_thread;
			a->kids_live = f->live_threads > 0 ? f->live_threads : 0;
			a->action = (cfg->kill & FW_KILL_DRY_RUN) ? FW_ACT_DRY_RUN : FW_ACT_KILL;
			a->whole = 1;
			fw_submit(ctx, cfg, a, now, id, child, syscall, f, 0);
		}
		return;
	}
#endif
	if (rate < cfg->thread_threshold)
		return;
	if (!fw_ratelimit_pass(&f->thread_rl, now, cfg->window_ns, &supp)) {
		fw_stat(FW_STAT_SUPPRESSED);
		return;
	}
	a = fw_alert_new();
	if (!a)
		return;
	fw_verdict_root(a, FW_RULE_THREADS, tgid, f, now, cfg);
	a->count = rate;
	a->threshold = cfg->thread_threshold;
	a->kids_live = f->live_threads > 0 ? f->live_threads : 0;
	a->suppressed = supp;
	fw_submit(ctx, cfg, a, now, id, child, syscall, f, 1);
}

static __always_inline void fw_new_process(void *ctx, const struct fw_config *cfg, u64 now,
					   u64 id, u32 child, u32 syscall, u32 uid, const char *comm)
{
	u32 tgid = id >> 32, rule;
	struct fw_proc *scratch = fw_scratch(), *creator = 0;
	struct fw_alert *a = fw_alert_new();

	fw_stat(FW_STAT_PROCS);
	fw_stat(FW_STAT_PROCS_BY + syscall);
	if (!scratch || !a)
		return;
	rule = fw_model_fork(cfg, tgid, child, now, uid, comm, scratch, a, &creator);
#ifdef FW_KILL
	if (cfg->kill) {
		struct fw_alert *k;

		if (fw_kill_check_fork(cfg, tgid, uid, creator, child) == FW_RULE_LIMIT && creator) {
			/* A limit kill is its own report; a verdict of this creation
			 * waits for the next one. */
			k = fw_alert_new();
			if (!k)
				return;
			fw_verdict_root(k, FW_RULE_LIMIT, tgid, creator, now, cfg);
			k->count = creator->children;
			k->action = (cfg->kill & FW_KILL_DRY_RUN) ? FW_ACT_DRY_RUN : FW_ACT_KILL;
			k->whole = 1;
			{
				struct fw_comm c = {};
				u32 *limit;

				__builtin_memcpy(c.name, comm, sizeof(c.name));
				limit = limits.lookup(&c);
				k->threshold = limit ? *limit : 0;
			}
			fw_submit(ctx, cfg, k, now, id, child, syscall, creator, 0);
			return;
		}
	}
#endif
	if (rule != FW_RULE_NONE)
		fw_submit(ctx, cfg, a, now, id, child, syscall, creator, 1);
}

/* Containment acted (fw_hot) or the model named a candidate (user space
 * looks at its limits), and the returns are not attached: a note wakes
 * user space now rather than at its next poll round. */
static __always_inline void fw_note_returns(void *ctx, u64 now)
{
	struct fw_state *st = fw_state_get();
	struct fw_alert *a;

	if (!st || st->returns || (s64)(now - st->noted_ns) < (s64)FW_NOTE_AGAIN_NS)
		return;
	if ((s64)(now - st->hot_ns) >= (s64)FW_NOTE_AGAIN_NS && st->candidate_ns != now)
		return;
	st->noted_ns = now;
	a = fw_alert_new();
	if (!a)
		return;
	__builtin_memset(a, 0, sizeof(*a));
	a->kind = FW_NOTE_RETURNS;
	a->ts_ns = now;
	fw_alert_send(ctx, a);
}

TRACEPOINT_PROBE(task, task_newtask)
{
	u64 id = bpf_get_current_pid_tgid();
	u64 now = bpf_ktime_get_ns();
	u32 tid = (u32)id, child = args->pid, syscall = FW_SYS_NONE, uid;
	struct fw_config *cfg = fw_config_get();
	struct fw_state *st = fw_state_get();
	char comm[FW_COMM_LEN];
	u32 *made_by;

	if (!cfg || cfg->window_ns == 0 || !st)
		return 0; /* not configured yet */
	/* Helper calls are most of what a fork costs here (40 to 150 ns each
	 * on the bench machine): each is made once, for all the parts. */
	uid = (u32)bpf_get_current_uid_gid();
#ifdef FW_NEWTASK_COMM
	/* The new task's name is its creator's, copied at creation: read from
	 * the record, not by bpf_get_current_comm. */
	__builtin_memcpy(comm, args->comm, FW_COMM_LEN);
#else
	bpf_get_current_comm(&comm, sizeof(comm));
#endif
	if (st->entries) {
		made_by = pending.lookup(&tid);
		if (made_by) {
			syscall = *made_by < FW_SYS_COUNT ? *made_by : FW_SYS_OTHER;
			pending.delete(&tid);
		}
	}
	if (cfg->events || cfg->filter) {
		int is_thread = (args->clone_flags & FW_CLONE_THREAD) != 0;
		u32 tgid = id >> 32, ppid = tgid;

		/* A thread's process keeps its parent; CLONE_PARENT children get
		 * the creator's. Known here only for processes we track. */
		if (is_thread || (args->clone_flags & FW_CLONE_PARENT)) {
			struct fw_proc *creator = fw_store_get(tgid);

			ppid = creator ? creator->ppid : 0;
		}
		fw_event_task(args, cfg, now, id, child, syscall, is_thread, ppid, uid, comm);
	}
	if (args->clone_flags & FW_CLONE_THREAD)
		fw_new_thread(args, cfg, now, id, child, syscall, uid, comm);
	else
		fw_new_process(args, cfg, now, id, child, syscall, uid, comm);
	fw_note_returns(args, now);
	return 0;
}

/* The returns of the creation syscalls. A failure (no task made: a full
 * pids.max, RLIMIT_NPROC, pid_max) is judged: a spawner shows itself by
 * the harm it does. With containment, a new child's first return (ret 0)
 * is where a doomed child dies. ret > 0 is the creator's own return:
 * task_newtask judged it already. */
static __always_inline int fw_creation_return(void *ctx, long ret)
{
	u64 id;
	u32 tgid, uid, rule;
	struct fw_config *cfg;
	struct fw_proc *scratch, *rec = 0;
	struct fw_alert *a;
	char comm[FW_COMM_LEN];
	u64 now;

	if (ret > 0)
		return 0;
	cfg = fw_config_get();
	if (!cfg || cfg->window_ns == 0)
		return 0;
	id = bpf_get_current_pid_tgid();
	tgid = id >> 32;
	uid = (u32)bpf_get_current_uid_gid();
	if (ret == 0) {
#ifdef FW_KILL
		fw_kill_check_start(cfg, tgid, uid);
#endif
		return 0;
	}
	scratch = fw_scratch();
	a = fw_alert_new();
	if (!scratch || !a)
		return 0;
	now = bpf_ktime_get_ns();
	bpf_get_current_comm(&comm, sizeof(comm));
	rule = fw_model_failed(cfg, tgid, now, uid, comm, scratch, a, &rec);
#ifdef FW_KILL
	fw_kill_check_failed(cfg, tgid, uid, rec);
#endif
	if (rule != FW_RULE_NONE)
		fw_submit(ctx, cfg, a, now, id, 0, FW_SYS_NONE, rec, 1);
	return 0;
}

/* Kretprobes on the entry points probe choice found (kprobe mode): the
 * creator's return only; a new child never returns through them. */
int fw_kretp_create(struct pt_regs *ctx) { return fw_creation_return(ctx, PT_REGS_RC(ctx)); }

/* One program for the syscall exits of all four, compiled for the first
 * whose tracepoint exists: they share one layout (the syscall number, then
 * ret), so user space attaches it to each. Compiled and verified once. */
#if defined(FW_TP_RETURN_CLONE)
TRACEPOINT_PROBE(syscalls, sys_exit_clone) { return fw_creation_return(args, args->ret); }
#elif defined(FW_TP_RETURN_CLONE3)
TRACEPOINT_PROBE(syscalls, sys_exit_clone3) { return fw_creation_return(args, args->ret); }
#elif defined(FW_TP_RETURN_FORK)
TRACEPOINT_PROBE(syscalls, sys_exit_fork) { return fw_creation_return(args, args->ret); }
#elif defined(FW_TP_RETURN_VFORK)
TRACEPOINT_PROBE(syscalls, sys_exit_vfork) { return fw_creation_return(args, args->ret); }
#endif

TRACEPOINT_PROBE(sched, sched_process_exit)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id, tgid = id >> 32;
	struct fw_config *cfg;
	struct fw_state *st = fw_state_get();
	struct fw_proc *rec;

	if (st && st->entries)
		pending.delete(&tid); /* an entry that made nothing */
#ifdef FW_EXIT_HAS_GROUP_DEAD
	int last_thread = args->group_dead;
#else
	int last_thread = tid == tgid; /* older kernels: the leader's exit ends the process */
#endif
	if (!last_thread) {
		rec = fw_store_get(tgid);
		if (rec && rec->live_threads > 0)
			FW_ADD(&rec->live_threads, -1);
		return 0;
	}
	fw_stat(FW_STAT_EXITS);
	cfg = fw_config_get();
	fw_event_exit(cfg, tgid);
#ifdef FW_KILL
	/* Dooms outlive their root (a bash bomb's root is gone before it is
	 * named); a reused pid clears its own at creation. */
	fw_kthread_gone(tgid);
#endif
	if (cfg)
		fw_model_exit(cfg, tgid);
	return 0;
}

#ifdef FW_TP_EXEC
/* A new program: copies are told from other programs here, and the
 * recorded command name stays current for reports. */
TRACEPOINT_PROBE(sched, sched_process_exec)
{
	u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct fw_proc *scratch = fw_scratch();
	struct fw_config *cfg = fw_config_get();
	char comm[FW_COMM_LEN], file[FW_COMM_LEN] = {};

	if (!scratch || !cfg || cfg->window_ns == 0)
		return 0;
	bpf_get_current_comm(&comm, sizeof(comm));
	TP_DATA_LOC_READ_STR(&file, filename, sizeof(file));
	fw_model_exec(cfg, tgid, bpf_ktime_get_ns(), (u32)bpf_get_current_uid_gid(), comm, file,
		      scratch);
	return 0;
}
#endif
